from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.references import ImageReference, InvalidReference, parse_reference
from hullcheck.rules.dockerfile._util import DockerfileRule


def _refs(rule: DockerfileRule, stage: Stage) -> tuple[str, ...]:
    """hadolint does not resolve ARGs in FROM, and reads the port of a registry as the tag
    (``localhost:5000/app`` is ``localhost`` tagged ``5000/app`` to it): no hadolint tag for
    ``FROM $VAR`` nor for a registry with a port."""
    if "$" in stage.base or (":" in stage.base.split("/", 1)[0] and "/" in stage.base):
        return tuple(r for r in rule.references if not r.startswith("hadolint:"))
    return rule.references


def image_of(stage: Stage) -> str | None:
    """The image a stage builds on: None for scratch, an earlier stage or an unresolved ARG."""
    if stage.base_stage is not None or stage.is_scratch or not stage.base_resolved:
        return None
    return stage.base_resolved


def base_reference(stage: Stage) -> tuple[str, ImageReference | None]:
    """The image a stage builds on, as written and parsed; no reference for scratch, an
    earlier stage, an unresolved ARG or text that is no image reference."""
    image = image_of(stage)
    if image is None:
        return "", None
    try:
        return image, parse_reference(image)
    except InvalidReference:
        return image, None


class BaseImageUntagged(DockerfileRule):
    """
    ## What it finds
    `FROM` an image with neither a tag nor a digest (`FROM ubuntu`).

    ## Why it matters
    An untagged reference means `latest`: whatever the registry serves on the day of the build.
    Builds stop being reproducible and a compromised or broken upstream push lands unreviewed.

    ## How to fix
    Pin a version tag, better a digest.

    Before: `FROM ubuntu`
    After: `FROM ubuntu:24.04@sha256:...`

    ## References
    - hadolint DL3006
    """

    id = "DF002"
    name = "base-image-untagged"
    title = "Base image has no tag"
    severity = Severity.MEDIUM
    references = ("hadolint:DL3006",)
    fix = "Pin the base image to a version tag (and a digest)."

    def check_stage(self, ctx: object, dockerfile: Dockerfile, stage: Stage) -> Iterator[Finding]:
        image, ref = base_reference(stage)
        if ref is not None and ref.tag is None and ref.digest is None:
            yield self.finding(
                dockerfile.location(stage.line),
                f"FROM {image} has no tag: it builds on whatever 'latest' is today.",
                references=_refs(self, stage),
                evidence=image,
            )


class BaseImageLatest(DockerfileRule):
    """
    ## What it finds
    `FROM` an image tagged `latest` without a digest (`FROM node:latest`).

    ## Why it matters
    `latest` moves. The build is not reproducible and a bad upstream push is pulled in unreviewed.

    ## How to fix
    Pin a version tag, better a digest.

    Before: `FROM node:latest`
    After: `FROM node:22.11-alpine@sha256:...`

    ## References
    - hadolint DL3007
    """

    id = "DF003"
    name = "base-image-latest"
    title = "Base image uses the latest tag"
    severity = Severity.MEDIUM
    references = ("hadolint:DL3007",)
    fix = "Replace `:latest` with a version tag (and a digest)."

    def check_stage(self, ctx: object, dockerfile: Dockerfile, stage: Stage) -> Iterator[Finding]:
        image, ref = base_reference(stage)
        if ref is not None and ref.tag == "latest" and ref.digest is None:
            yield self.finding(
                dockerfile.location(stage.line),
                f"FROM {image} uses the moving 'latest' tag.",
                references=_refs(self, stage),
                evidence=image,
            )
