"""Images on the host, judged by the image family's config and history rules.

The host audit has each image's inspect data and full history but does not read its layers, so
only the image rules that judge config and history run here (4.1 user, 4.6 health check, 4.7
update alone, 4.9 ADD); the file-level checks (4.8 setuid, 4.10 secret files) belong to
``hullcheck image``, which streams the layers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from hullcheck.findings import Finding, ImageRef
from hullcheck.models.host import DockerHost, HostImage
from hullcheck.models.image import HistoryEntry, Image, ImageConfig, Layer
from hullcheck.rules.base import Context, Rule

# Image rules that need nothing but config and history (by id: IMG001 root user, IMG002 no
# health check, IMG004 ADD in history, IMG005 update alone).
CONFIG_RULES = ("IMG001", "IMG002", "IMG004", "IMG005")
CONTENT_TRUST_RULE = "IMG018"


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


def judge_images(
    host: DockerHost, ctx: Context, rules: Sequence[type[Rule]], engine: object
) -> list[Finding]:
    """Run the config/history image rules on every image, plus content trust (4.5) once."""
    from hullcheck.engine import Engine

    assert isinstance(engine, Engine)
    wanted = [r for r in rules if r.id in CONFIG_RULES]
    out: list[Finding] = []
    if wanted:
        image_engine = Engine(wanted, ctx)
        for image in host.images:
            out.extend(image_engine.run("check_image", image_model(image), where=image.ref))
        engine.crashes.extend(image_engine.crashes)
    trust = next((r for r in rules if r.id == CONTENT_TRUST_RULE), None)
    judge = getattr(trust(), "content_trust_finding", None) if trust is not None else None
    if judge is not None:
        finding = judge(os.environ.get("DOCKER_CONTENT_TRUST"))
        if finding is not None:
            out.append(finding)
    return out
