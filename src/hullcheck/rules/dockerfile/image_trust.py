"""The trust policy (``trust:`` in the config) applied to every image a Dockerfile pulls:
``FROM``, ``COPY --from=<image>`` and ``RUN --mount=...,from=<image>``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage, substitute
from hullcheck.references import (
    ImageReference,
    InvalidReference,
    glob_to_regex,
    normalise_pattern,
    parse_reference,
)
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged


@dataclass(frozen=True, slots=True)
class PulledImage:
    how: str  # "FROM", "COPY --from", "RUN --mount from"
    text: str  # as resolved
    ref: ImageReference
    from_variable: bool = False  # written with $VAR, resolved through ARG defaults


def _mount_sources(instruction: Instruction) -> list[str]:
    out = []
    for mount in instruction.flag_values("mount"):
        for field in mount.split(","):
            key, _, value = field.partition("=")
            if key.strip().lower() == "from" and value:
                out.append(value.strip())
    return out


def pulled_images(dockerfile: Dockerfile, stage: Stage | None, instruction: Instruction
                  ) -> list[PulledImage]:
    """Images an instruction pulls from a registry. Stage names, stage indexes, ``scratch``
    and references that depend on an ARG without a default are not images we can judge."""
    ins = judged(instruction)
    candidates: list[tuple[str, str]] = []
    if instruction.cmd == "FROM" and stage is not None:
        if stage.base_stage is None and not stage.is_scratch and stage.base_resolved:
            candidates.append(("FROM", stage.base_resolved))
    elif ins.cmd in ("COPY", "ADD"):
        source = ins.flag("from")
        if source:
            candidates.append(("COPY --from", source))
    elif ins.cmd == "RUN" and ins.flags:
        candidates.extend(("RUN --mount from", s) for s in _mount_sources(ins))
    out = []
    for how, text in candidates:
        variable = "$" in (stage.base if how == "FROM" and stage is not None else text)
        if how != "FROM":
            if "$" in text:
                resolved = substitute(text, dockerfile.global_args)
                if not resolved:
                    continue
                text = resolved
            if text.isdigit() or dockerfile.stage_named(text) is not None:
                continue
        try:
            ref = parse_reference(text)
        except InvalidReference:
            continue
        out.append(PulledImage(how=how, text=text, ref=ref, from_variable=variable))
    return out


def _registry_allowed(ref: ImageReference, allowed: list[str]) -> bool:
    """Whether some allowed pattern names the image's registry at all (hadolint's DL3026 only
    knows registries, so it fires only when this is false)."""
    for pattern in allowed:
        registry = normalise_pattern(pattern).split("/", 1)[0]
        if glob_to_regex(registry).match(ref.registry):
            return True
    return False


class BaseImageNotPinned(DockerfileRule):
    """
    ## What it finds
    When the config sets `trust: {require-digest: true}`: an image pulled by `FROM`,
    `COPY --from=<image>` or `RUN --mount=...,from=<image>` without an `@sha256:` digest. Build
    stages, `scratch` and references built from an `ARG` without a default are not judged.

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
