"""The trust policy's ``allowed`` list applied to every image a Dockerfile pulls (DF006):
``FROM``, ``COPY --from=<image>`` and ``RUN --mount=...,from=<image>``."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.references import ImageReference, glob_to_regex, normalise_pattern
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._images import pulled_images
from hullcheck.rules.dockerfile._util import DockerfileRule


def _registry_allowed(ref: ImageReference, allowed: list[str]) -> bool:
    """Whether some allowed pattern names the image's registry at all (hadolint's DL3026 only
    knows registries, so it fires only when this is false)."""
    for pattern in allowed:
        registry = normalise_pattern(pattern).split("/", 1)[0]
        if glob_to_regex(registry).match(ref.registry):
            return True
    return False


class UntrustedImage(DockerfileRule):
    """
    ## What it finds
    An image pulled by `FROM`, `COPY --from=<image>` or `RUN --mount=...,from=<image>` that no
    pattern of `trust: {allowed: [...]}` in the config matches. References are normalised first
    (`nginx` is `docker.io/library/nginx`) and `FROM $VAR` is resolved through `ARG` defaults.
    Without an `allowed` list every image is allowed.

    ## Why it matters
    A base image is code that runs in your build and your container. Pulling from a registry or
    namespace nobody vetted is running an unknown party's code with your credentials.

    ## How to fix
    Use an image from an allowed registry (mirror the one you need there), or extend the policy.

    Before: `FROM quay.io/someone/tool:1.2`
    After: `FROM ghcr.io/acme/mirror/tool:1.2`

    ## References
    - CIS Docker Benchmark 1.6, 4.2 "Ensure that containers use only trusted base images"
    - hadolint DL3026 (tagged only where the image's registry itself is not allowed: hadolint's
      list names registries, not repositories)
    """

    id = "DF006"
    name = "untrusted-image"
    title = "Image from outside the trusted registries"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.2",)
    extra_references = ("hadolint:DL3026",)
    fix = "Pull from a registry or repository listed in `trust.allowed`."
    instructions = frozenset({"FROM", "COPY", "ADD", "RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        trust = ctx.config.trust
        if not trust.allowed:
            return
        for image in pulled_images(dockerfile, stage, instruction):
            if trust.is_allowed(image.ref):
                continue
            refs: tuple[str, ...] = self.references
            # hadolint's DL3026 knows registries only, resolves no ARG and skips ONBUILD.
            if not _registry_allowed(image.ref, trust.allowed) and not image.from_variable \
                    and instruction.cmd != "ONBUILD":
                refs = (*refs, "hadolint:DL3026")
            yield self.finding(
                dockerfile.location(instruction.line),
                f"{image.how} {image.text} ({image.ref.name}) is not in the trusted "
                "registries of the policy.",
                references=refs,
                evidence=f"{image.how} {image.ref.name}",
            )
