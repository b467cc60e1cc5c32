"""Images on the host, as the image family's model: config and history, no files.

The host audit has each image's inspect data and full history but does not read its layers: an
image rule that declares it needs them (``Need.IMAGE_LAYERS``) is a typed skip here; the
file-level checks (4.8 setuid, 4.10 secret files) belong to ``hullcheck image``, which streams
the layers.
"""

from __future__ import annotations

from hullcheck.findings import ImageRef
from hullcheck.models.host import DockerHost, HostImage
from hullcheck.models.image import HistoryEntry, Image, ImageConfig, Layer
from hullcheck.needs import Need


def image_model(image: HostImage) -> Image:
    """The image family's model from ``docker inspect`` + ``docker history`` (no files)."""
    loc = image.location.image or ImageRef(ref=image.ref)
    diff_ids = [str(d) for d in (image.inspect.get("RootFS") or {}).get("Layers") or []]
    history: list[HistoryEntry] = []
    layer_index = 0
    # The Engine API lists history newest first; the image config (and the rules) oldest first.
    # A step with a size produced the next layer of RootFS (an approximation for zero-byte
    # layers, which the API does not tell apart from empty steps).
    for entry in reversed(image.history):
        layer = None
        if int(entry.get("Size") or 0) > 0 and layer_index < len(diff_ids):
            layer = diff_ids[layer_index]
            layer_index += 1
        history.append(
            HistoryEntry(created_by=str(entry.get("CreatedBy") or ""), empty_layer=layer is None,
                         layer=layer)
        )
    return Image(
        ref=loc,
        source="engine",
        config=ImageConfig.from_json(image.inspect),
        history=history,
        layers=[Layer(diff_id=d, index=i) for i, d in enumerate(diff_ids)],
        files={},
        requested=image.ref,
    )


def unavailable_needs(host: DockerHost) -> dict[Need, str]:
    """What the host walk cannot provide, and why: never the layers (this audit reads images'
    metadata); the Docker API when the engine did not answer."""
    out = {Need.IMAGE_LAYERS: "the host audit reads images' configuration and history, not their"
                              " layers (`hullcheck image` reads them)"}
    if host.engine_error:
        out[Need.DOCKER_API] = host.engine_error
    return out
