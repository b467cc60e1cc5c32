"""What the layer under a container decides (docs/layers.md): the Dockerfile stage a compose
service builds, else the config of the image it runs (``--resolve-images``).

The user is resolved exactly as DF001 resolves it (``effective_user`` and ``user_value`` of
``rules/dockerfile/_util.py``: the last ``USER`` through ``FROM <stage>``, ``$VAR`` from ``ARG``
defaults and ``ENV``), with compose's ``build.args`` winning over the ``ARG`` defaults as in a
build. A fact that cannot be known (a ``USER $UID`` whose ``ARG`` has no value) is ``None``: the
rule then says what it said before, "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hullcheck.findings import Location
from hullcheck.models.container import ContainerSpec

if TYPE_CHECKING:  # only a container with a build or a resolved image carries these
    from hullcheck.models.dockerfile import Stage
    from hullcheck.models.layers import BuildStage, ResolvedImage


def is_root(user: str) -> bool:
    """``root``, ``0``, ``0:0``, ``root:staff``: the user part names uid 0; ``""`` (no user
    anywhere) is root too."""
    name = user.strip().split(":", 1)[0].strip()
    return name in ("", "root") or (name.isdigit() and int(name) == 0)


@dataclass(frozen=True, slots=True)
class LayerFact:
    """One fact of the layer under a container: ``value`` None when it cannot be known,
    ``location`` where it is written (the line to fix), ``said`` how the layer says it (for
    messages), ``described`` which layer (``app/Dockerfile (stage build)``, an image)."""

    value: bool | None
    location: Location
    said: str
    described: str


def runs_as_root(spec: ContainerSpec) -> LayerFact | None:
    """Whether the layer under ``spec`` runs it as root; None when there is no layer known."""
    if spec.build is not None:
        return _build_user(spec.build, spec.resolved_image)
    if spec.resolved_image is not None:
        return _image_user(spec.resolved_image)
    return None


def _build_user(build: BuildStage, base: ResolvedImage | None) -> LayerFact:
    """``base``: the stage's base image, read with --resolve-images (its user is the stage's
    when the stage sets none)."""
    # Imported here: that package loads every DF rule, which a Kubernetes scan never needs.
    from hullcheck.rules.dockerfile._util import effective_user, user_value

    df, stage = build.dockerfile, build.stage
    user, instruction = effective_user(stage, df)
    if instruction is None:
        if base is not None:
            inherited = _image_user(base)
            return LayerFact(inherited.value, build.location(stage.line),
                             f"sets no USER, and its base {inherited.described}, whose "
                             f"{inherited.said.removeprefix('its ')}", build.described)
        return LayerFact(True, build.location(stage.line), "sets no USER", build.described)
    resolved = user_value(instruction, stage, df, build_args=build.args)
    where = build.location(instruction.line)
    if resolved is None:
        return LayerFact(None, where, f"ends with USER {user}, which depends on a build "
                         "argument without a value", build.described)
    shown = f"ends with USER {user}" + ("" if resolved == user else f" (= {resolved})")
    return LayerFact(is_root(resolved), where, shown, build.described)


def _image_user(image: ResolvedImage) -> LayerFact:
    user = image.config.user
    said = f"its config sets user {user!r}" if user.strip() else "its config sets no user"
    return LayerFact(is_root(user), image.location(), said, f"image {image.described}")


def has_healthcheck(spec: ContainerSpec) -> LayerFact | None:
    """Whether the layer under ``spec`` defines a health check (False for none, and for
    ``HEALTHCHECK NONE``, which disables one); None when there is no layer known."""
    # Imported here: that package loads every DF rule, which a Kubernetes scan never needs.
    from hullcheck.rules.dockerfile.healthcheck import effective_healthcheck

    if spec.build is not None:
        build = spec.build
        check = effective_healthcheck(build.stage)
        if check is None:
            base = spec.resolved_image  # the stage's base image (--resolve-images)
            if base is not None:
                inherited = _image_health(base)
                return LayerFact(inherited.value, build.location(build.stage.line),
                                 f"defines no HEALTHCHECK, and its base {inherited.described}, "
                                 f"whose {inherited.said.removeprefix('its ')}", build.described)
            return LayerFact(False, build.location(build.stage.line), "defines no HEALTHCHECK",
                             build.described)
        disabled = bool(check.value) and check.value[0].upper() == "NONE"
        return LayerFact(not disabled, build.location(check.line),
                         "disables it with HEALTHCHECK NONE" if disabled else "has a HEALTHCHECK",
                         build.described)
    if spec.resolved_image is not None:
        return _image_health(spec.resolved_image)
    return None


def _image_health(image: ResolvedImage) -> LayerFact:
    hc = image.config.healthcheck
    if hc is None or not hc.test:
        return LayerFact(False, image.location(), "its config has no health check",
                         f"image {image.described}")
    disabled = hc.disabled
    return LayerFact(not disabled, image.location(),
                     "its config disables it (NONE)" if disabled else
                     "its config has a health check", f"image {image.described}")


def exposed_ports(spec: ContainerSpec) -> tuple[tuple[str, ...], str] | None:
    """The ports the layer under ``spec`` declares (``EXPOSE`` through ``FROM <stage>``, the
    base image's with --resolve-images, or the image config's) as ``port/proto``, and which
    layer says so; None when no layer is known."""
    # Imported here: that package loads every DF rule, which a Kubernetes scan never needs.
    from hullcheck.rules.dockerfile._util import user_value

    ports: list[str] = []
    described = ""
    if spec.build is not None:
        build = spec.build
        described = build.described
        chain = []
        stage: Stage | None = build.stage
        while stage is not None and stage not in chain:
            chain.append(stage)
            stage = stage.base_stage
        for owner in reversed(chain):
            for ins in owner.instructions:
                if ins.cmd == "EXPOSE":
                    for word in ins.value:
                        value = user_value(ins, build.stage, build.dockerfile, raw=word,
                                           build_args=build.args)
                        ports.append(_port(value if value is not None else word))
    if spec.resolved_image is not None:
        ports[:0] = spec.resolved_image.config.exposed_ports
        described = described or f"image {spec.resolved_image.described}"
    if not described:
        return None
    return tuple(dict.fromkeys(ports)), described


def _port(text: str) -> str:
    return text if "/" in text else f"{text}/tcp"
