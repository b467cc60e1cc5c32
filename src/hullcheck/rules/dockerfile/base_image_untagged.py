"""``FROM`` an image with neither tag nor digest (DF002)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.rules.dockerfile._images import base_reference, base_references
from hullcheck.rules.dockerfile._util import DockerfileRule


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
                references=base_references(self, stage),
                evidence=image,
            )
