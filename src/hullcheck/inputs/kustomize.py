"""Rendering a kustomization with ``kustomize build``, or ``kubectl kustomize`` (kubectl 1.21
on: kustomize v4 and later; kubectl 1.14 to 1.20 embed kustomize v2.0.3, which lacks
``components``, ``patches`` and more).

A kustomization is rendered only when every kustomization of its unit is safe to hand to the
renderer (``unsafe``): no remote entry (a URL or git reference kustomize would fetch), no entry
leading out of the scanned directory, no symbolic link leading out of it, and no field the
available renderer lacks. Kustomize's default load restrictor (root only) is kept, and the flags
that run code (``--enable-helm``, ``--enable-exec``, ``--enable-alpha-plugins``) are never passed.
Otherwise the unit is judged from its natively resolved resources (``hullcheck.inputs.k8s_units``)
and the output says so once.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from hullcheck.inputs.render import Budget, RenderFailed, links_out, run, which
from hullcheck.sources import SKIP_DIRS

# Fields kustomize v2.0.3 (kubectl 1.14 to 1.20) does not know: a kustomization using one is
# not handed to it (it would fail, or silently ignore the field).
V2_LACKS = frozenset({"components", "patches", "replacements", "replicas", "labels",
                      "buildMetadata", "openapi", "helmCharts", "helmGlobals", "sortOptions",
                      "generators", "transformers", "validators"})
# Fields naming files or kustomizations kustomize loads (and may fetch, when remote).
_PATH_FIELDS = ("resources", "bases", "components", "crds", "configurations", "generators",
                "transformers", "validators", "patchesStrategicMerge")
_GENERATORS = ("configMapGenerator", "secretGenerator")
REMOTE = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "git::", "ssh://",
          "https:", "http:", "file:")
# Kustomize's own fetchers: `helmCharts` runs helm (only with --enable-helm, never passed);
# a kustomization using it is judged natively rather than failing the render.
_NEVER = ("helmCharts", "helmGlobals")
VERSION_TIMEOUT = 10.0
_MINOR = re.compile(r"^(\d+)")


@dataclass(frozen=True)
class Renderer:
    argv: tuple[str, ...]  # the command before the kustomization's directory
    name: str  # how messages call it: "kustomize v5.5.0", "kubectl 1.32 (kustomize v5.5.0)"
    lacks: frozenset[str] = frozenset()


NO_RENDERER = ("no kustomize renderer on PATH (kustomize, or kubectl 1.21 or later): "
               "judged from its resources as written, patches and generators not applied")


def find_renderer() -> Renderer | None:
    """``kustomize`` on PATH, else ``kubectl`` from 1.14 (whose kustomize lacks ``V2_LACKS``
    before 1.21); None without either. Asked once per PATH."""
    return _renderer(os.environ.get("PATH", ""))


@cache
def _renderer(path: str) -> Renderer | None:
    kustomize = which("kustomize")
    if kustomize is not None:
        return Renderer((kustomize, "build"), "kustomize")
    kubectl = which("kubectl")
    if kubectl is None:
        return None
    try:
        out = run([kubectl, "version", "--client", "-o", "json"], cwd=os.getcwd(),
                  timeout=VERSION_TIMEOUT, max_bytes=1 << 20)
        doc: Any = json.loads(out.text)
        client = doc["clientVersion"]
        major, minor_text = str(client["major"]), str(client["minor"])
        match = _MINOR.match(minor_text)
        if major != "1" or match is None:
            return None
        minor = int(match.group(1))
        embedded = str(doc.get("kustomizeVersion") or ("v2.0.3" if minor < 21 else "?"))
    except (RenderFailed, ValueError, KeyError, TypeError):
        return None
    if minor < 14:
        return None
    name = f"kubectl 1.{minor} (kustomize {embedded})"
    return Renderer((kubectl, "kustomize"), name, V2_LACKS if minor < 21 else frozenset())


def unsafe(data: Any, directory: str, root: str, renderer: Renderer) -> str | None:
    """Why the kustomization ``data`` (in ``directory``, both resolved) must not be handed to
    ``renderer``, or None."""
    if not isinstance(data, dict):
        return None
    for name in _NEVER:
        if name in data:
            return f"uses {name} (kustomize would run helm): not rendered"
    lacking = sorted(k for k in data if k in renderer.lacks)
    if lacking:
        return f"uses {', '.join(lacking)}, which {renderer.name} lacks"
    for entry in _paths(data):
        if "://" in entry or entry.startswith(REMOTE):
            return f"remote entry {entry!r}: never fetched"
        target = os.path.realpath(os.path.join(directory, entry))
        if not _inside(target, root):
            return f"entry {entry!r} leads out of the scanned directory"
        if any(part in SKIP_DIRS for part in entry.replace("\\", "/").split("/")):
            return f"entry {entry!r} reads a directory scans skip"
    return links_out(directory, root)


def _inside(path: str, root: str) -> bool:
    from hullcheck.sources import inside

    return inside(path, root)


def _paths(data: dict[str, Any]) -> list[str]:
    """Every file or directory entry of a kustomization (what kustomize would load)."""
    out: list[str] = []
    for name in _PATH_FIELDS:
        entries = data.get(name)
        if isinstance(entries, list):
            out.extend(e for e in entries if isinstance(e, str))
    for name in ("patches", "patchesJson6902", "replacements"):
        entries = data.get(name)
        if isinstance(entries, list):
            out.extend(str(e["path"]) for e in entries
                       if isinstance(e, dict) and isinstance(e.get("path"), str))
    for name in _GENERATORS:
        entries = data.get(name)
        if not isinstance(entries, list):
            continue
        for gen in entries:
            if not isinstance(gen, dict):
                continue
            for key in ("files", "envs"):
                files = gen.get(key)
                if isinstance(files, list):
                    # `key=path` names the key the file's content goes under.
                    out.extend(f.split("=", 1)[-1] for f in files if isinstance(f, str))
            if isinstance(gen.get("env"), str):
                out.append(gen["env"])
    openapi = data.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        out.append(openapi["path"])
    return out


def render(directory: str, renderer: Renderer, budget: Budget) -> str:
    """The rendered stream of the kustomization in ``directory`` (resolved); raises
    ``RenderFailed`` with the renderer's message."""
    return run([*renderer.argv, directory], cwd=directory, timeout=budget.take()).text


def origin_path(annotation: Any) -> str | None:
    """The file ``config.kubernetes.io/origin`` names, relative to the kustomization built:
    ``path:`` for a resource, ``configuredIn:`` for a generated object. None for remote
    origins (``repo:``) or anything unreadable."""
    if not isinstance(annotation, str):
        return None
    fields: dict[str, str] = {}
    for line in annotation.splitlines():
        if line.startswith((" ", "\t")) or ":" not in line:
            continue
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip().strip("'\"")
    if "repo" in fields:
        return None
    return fields.get("path") or fields.get("configuredIn") or None
