"""``FROM`` an image tagged ``latest`` (DF003)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.rules.dockerfile._images import base_reference, base_references
from hullcheck.rules.dockerfile._util import DockerfileRule


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
                references=base_references(self, stage),
                evidence=image,
            )
