"""The images a Dockerfile pulls: the base of each stage (DF002, DF003) and every image
``FROM``, ``COPY --from=<image>`` and ``RUN --mount=...,from=<image>`` name (DF005, DF006); IMG017
and IMG019 verify the same images."""

from __future__ import annotations

from dataclasses import dataclass

from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage, substitute
from hullcheck.references import ImageReference, InvalidReference, parse_reference
from hullcheck.rules.dockerfile._util import DockerfileRule, judged


def base_references(rule: DockerfileRule, stage: Stage) -> tuple[str, ...]:
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

