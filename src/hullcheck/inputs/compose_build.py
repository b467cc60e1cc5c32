"""The Dockerfile stage a compose service builds (``build:``), attached to its ``ContainerSpec``.

``build: ./app`` or ``build: {context: ./app, dockerfile: Dockerfile.prod, target: runtime,
args: {UID: "1001"}}``: the context is relative to the project directory, the Dockerfile to the
context (default ``Dockerfile``), the stage is ``target`` or the last one. The Dockerfile is
parsed here (with the same parser as the scan's Dockerfiles, and reported under the same path, so
a finding about it and about the service meet: ``hullcheck.overlaps``); the rules decide from it
(``hullcheck.rules.container._layers``).

A scanned repository is hostile: a Dockerfile is read only when its real path (every link
resolved) stays inside the scanned tree: the directory whose walk found the compose file, or the
compose file's own directory when it was named on the command line. A remote context (a Git or
HTTP URL), an inline Dockerfile and anything outside the tree stay unknown, with one warning
line; so does a Dockerfile that cannot be read or parsed, or a ``target`` it does not have.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hullcheck.inputs.compose import ComposeProject, ComposeService
from hullcheck.models.dockerfile import Dockerfile
from hullcheck.models.layers import BuildStage

# Distinct Dockerfiles one compose project may have read for its services' builds: each is
# parsed once however many services build it; a project naming more is generated or hostile.
MAX_BUILD_DOCKERFILES = 64

_REMOTE = ("http://", "https://", "git://", "git@", "ssh://", "github.com/")


def attach_builds(project: ComposeProject, root: str | None, warnings: list[str]) -> None:
    """Set ``spec.build`` on every service whose ``build:`` names a Dockerfile inside the
    tree; ``root`` is the real path of the walked directory (None: the project directory)."""
    if project.project_dir is None:  # stdin: no directory to resolve a context against
        return
    tree = root or os.path.realpath(project.project_dir)
    parsed: dict[str, Dockerfile | None] = {}
    for svc, spec in zip(project.services, project.containers, strict=True):
        if "build" not in svc.data:
            continue
        stage = _build_stage(project, svc, tree, parsed, warnings)
        if stage is not None:
            spec.build = stage


def _build_stage(project: ComposeProject, svc: ComposeService, tree: str,
                 parsed: dict[str, Dockerfile | None], warnings: list[str]) -> BuildStage | None:
    assert project.project_dir is not None
    build = svc.data.get("build")
    where = project.key_where(svc.data, "build", svc.where)

    def warn(what: str) -> None:
        warnings.append(f"{where[0]}: line {where[1]}: service {svc.name}: {what}; its image's "
                        "user and health check stay unknown")

    target: str | None = None
    args: dict[str, str] = {}
    if isinstance(build, dict):
        if "dockerfile_inline" in build:
            warn("an inline Dockerfile (dockerfile_inline) is not judged")
            return None
        if any(key in build and _text(project, build, key, where) is None
               for key in ("context", "dockerfile", "target")):
            return None  # null, a list or a mapping: compose refuses it, nothing to read
        context = _text(project, build, "context", where) or "."
        dockerfile = _text(project, build, "dockerfile", where) or "Dockerfile"
        target = _text(project, build, "target", where)
        args = _args(project, build.get("args"), where)
    else:
        text = project.text(build, where)
        if text is None:
            return None
        context = text or "."
        dockerfile = "Dockerfile"
    if context.startswith(_REMOTE) or dockerfile.startswith(_REMOTE):
        warn(f"the remote build context {context!r} is not read")
        return None
    if "\0" in context or "\0" in dockerfile:
        warn("a build path with a NUL byte is not read")
        return None
    fs_path = Path(project.project_dir, context, dockerfile)
    real = os.path.realpath(fs_path)
    from hullcheck.sources import inside

    if not inside(real, tree):
        warn(f"{context}/{dockerfile} is outside the scanned tree: not read")
        return None
    display = os.path.normpath(os.path.join(os.path.dirname(project.files[0]), context,
                                            dockerfile))
    if real not in parsed:
        if len(parsed) >= MAX_BUILD_DOCKERFILES:
            warn(f"more than {MAX_BUILD_DOCKERFILES} Dockerfiles built by one project: "
                 "not read")
            return None
        parsed[real] = _parse(fs_path, display, warn)
    df = parsed[real]
    if df is None or not df.stages:
        return None
    stage = df.stage_named(target) if target else df.final_stage
    if stage is None:
        warn(f"the build target {target!r} is not a stage of {display}")
        return None
    return BuildStage(df, stage, args, entrypoint_set="entrypoint" in svc.data)


def _parse(fs_path: Path, display: str, warn: Any) -> Dockerfile | None:
    from hullcheck.inputs.dockerfile import MAX_DOCKERFILE_BYTES, DockerfileError, parse
    from hullcheck.sources import read_source

    if not os.path.lexists(fs_path):
        return None  # no Dockerfile there (not checked in, generated): nothing to say
    try:
        src = read_source(fs_path, display, explicit=True)
    except ValueError as exc:
        warn(str(exc))
        return None
    if len(src.text) > MAX_DOCKERFILE_BYTES:
        warn(f"{display}: Dockerfile too large (the limit is {MAX_DOCKERFILE_BYTES})")
        return None
    try:
        return parse(display, src.text)
    except DockerfileError as exc:
        warn(f"{display}: invalid Dockerfile: {exc}")
        return None


def _text(project: ComposeProject, mapping: dict[str, Any], key: str,
          default: tuple[str, int]) -> str | None:
    if key not in mapping:
        return None
    return project.text(mapping[key], project.key_where(mapping, key, default))


def _args(project: ComposeProject, raw: Any, where: tuple[str, int]) -> dict[str, str]:
    """``args:`` as a mapping or a list of ``NAME=value``; a name without a value takes the
    environment's (compose's rule), and stays unset when there is none."""
    out: dict[str, str] = {}
    items: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        items = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, str):
                name, eq, value = item.partition("=")
                items.append((name.strip(), value if eq else None))
    for name, value in items:
        if value is None:
            env = project.lookup(name)
            if env is not None:
                out[name] = env
            continue
        text = project.text(value, where)
        if text is not None:
            out[name] = text
    return out
