"""The trust policy's ``require-digest`` applied to every image a Dockerfile pulls (DF005)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._images import pulled_images
from hullcheck.rules.dockerfile._util import DockerfileRule


class BaseImageNotPinned(DockerfileRule):
    """
    ## What it finds
    When the config sets `trust: {require-digest: true}`: an image pulled by `FROM`,
    `COPY --from=<image>` or `RUN --mount=...,from=<image>` without an `@sha256:` digest. A
    reference built from an `ARG` is judged by the ARG's default (`ARG
    BASE_IMAGE=python:3.12-slim@sha256:...` then `FROM ${BASE_IMAGE}` is pinned). Build stages,
    `scratch` and references built from an `ARG` without a default are not judged.

    ## Why it matters
    A tag is a pointer the registry owner can move; a digest names exact content. Your policy asks
    that every image that goes into a build is the one that was reviewed.

    ## How to fix
    Append the digest of the image you reviewed (`docker buildx imagetools inspect IMAGE`).

    Before: `FROM python:3.12-slim`
    After: `FROM python:3.12-slim@sha256:<digest>`

    ## References
    - CIS Docker Benchmark 1.6, 4.2 "Ensure that containers use only trusted base images"
    """

    id = "DF005"
    autofixes = (
        Fix("dockerfile", "append the digest the local Docker Engine recorded for the image "
            "(pulled from or pushed to its registry) to the FROM line's image",
            "hullcheck.fix.dockerfile:pin_from",
            assumes="the engine's copy of the image is the one you reviewed; the digest is the "
                    "registry's manifest digest (RepoDigests), so builds pull exactly it. "
                    "Images named by a variable, and COPY --from / RUN --mount images, are left "
                    "alone"),
    )
    name = "image-not-pinned-by-digest"
    title = "Image not pinned by digest"
    severity = Severity.MEDIUM
    references = ("cis-docker-1.6:4.2",)
    fix = "Pin the image by digest: `image:tag@sha256:...`."
    instructions = frozenset({"FROM", "COPY", "ADD", "RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        if not ctx.config.trust.require_digest:
            return
        for image in pulled_images(dockerfile, stage, instruction):
            if image.ref.digest is None:
                yield self.finding(
                    dockerfile.location(instruction.line),
                    f"{image.how} {image.text} is not pinned by digest, and the trust policy "
                    "requires digests.",
                    evidence=f"{image.how} {image.ref}",
                )
