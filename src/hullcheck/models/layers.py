"""What the layer under a container says about how it runs (issue 18, docs/layers.md).

A compose service that builds its image (``build:``) runs the stage of a Dockerfile, and any
container runs an image whose config sets a user, a health check, exposed ports and labels. The
inputs attach what they could find to the ``ContainerSpec`` (``ContainerSpec.build``,
``ContainerSpec.resolved_image``); the container rules read it through
``hullcheck.rules.container._layers`` instead of guessing "the image's USER, whatever it is".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.models.image import Image, ImageConfig
from hullcheck.models.location import ImageRef, Location


@dataclass(slots=True)
class BuildStage:
    """The Dockerfile stage a compose service builds (``build:`` with ``context``,
    ``dockerfile``, ``target``): the parsed Dockerfile (path as the scan reports it), the stage
    (``target``, else the final one) and the build ``args`` compose passes, which win over the
    ``ARG`` defaults. ``entrypoint_set``: the service sets ``entrypoint:``, so the stage's
    ENTRYPOINT does not run."""

    dockerfile: Dockerfile
    stage: Stage
    args: dict[str, str] = field(default_factory=dict)
    entrypoint_set: bool = False

    @property
    def described(self) -> str:
        """``app/Dockerfile`` or ``app/Dockerfile (stage build)`` for messages."""
        if self.stage.is_final:
            return self.dockerfile.path
        name = self.stage.alias or str(self.stage.index)
        return f"{self.dockerfile.path} (stage {name})"

    def location(self, line: int | None) -> Location:
        return self.dockerfile.location(line)


@dataclass(slots=True)
class ResolvedImage:
    """The config of the image a container runs, read from the engine or a registry
    (``--resolve-images``): ``ref`` names it with its digest, ``source`` says where it was
    read (``engine`` or ``registry``)."""

    ref: ImageRef
    config: ImageConfig
    source: str

    @property
    def described(self) -> str:
        return self.ref.ref + (f"@{self.ref.digest}" if self.ref.digest and "@" not in
                               self.ref.ref else "")

    def location(self) -> Location:
        return Location(image=self.ref)


@dataclass(slots=True)
class RunImage:
    """An image read whole (``--resolve-images=deep``) and the containers that run it (their
    own locations: the compose service key, the container's ``name:`` line): the engine
    judges it with the image rules and attributes each finding to them (``related_locations``;
    ``location.container``/``object`` when one runs it)."""

    image: Image
    runners: list[Location] = field(default_factory=list)
