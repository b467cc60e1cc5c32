"""Deployable units of a Kubernetes scan: which files' objects are applied together, so that
cross-resource rules (namespace isolation, NetworkPolicy coverage, RBAC reach, exposure...) judge
each unit alone and never merge two of them into one imaginary cluster.

- ``--unit dir`` (the default): a file named on the command line is a unit, standard input is a
  unit, and each directory a walk found holds one unit of its loose manifests (what
  ``kubectl apply -f DIR`` applies, not recursive). A kustomization (``kustomization.yaml``,
  ``kustomization.yml``, ``Kustomization``) and everything it includes (``resources``, ``bases``,
  ``components``, recursively; a directory with its own kustomization included as such) is one
  unit per kustomization that no other includes; the files it includes, or names as patches, are
  not loose files. Nothing is rendered: included files' objects are taken as they are, patches and
  generators are not applied. A ``kind: Component`` no kustomization includes is not a unit
  (kustomize cannot build one alone), so an optional component only counts in the overlays that
  name it.
- ``--unit file``: each file alone; ``--unit tree``: the whole scan as one cluster.

Includes are resolved from the files the walk read (so a link leading out of the scanned
directory was never followed), and an entry resolving outside that directory is not followed
either; depth and count are bounded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError
from hullcheck.models.location import UnitRef
from hullcheck.sources import inside
from hullcheck.yamlutil import YamlError

if TYPE_CHECKING:
    from hullcheck.sources import Source

KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
# Fields whose entries are included in the unit (files or directories with a kustomization).
INCLUDE_FIELDS = ("resources", "bases", "components")
# How deep kustomizations may include kustomizations, and how many files and kustomizations one
# unit may include: real trees stay far below; a hostile one stops here with a warning.
MAX_KUSTOMIZE_DEPTH = 32
MAX_KUSTOMIZE_INCLUDES = 10_000
# Entries kustomize fetches from elsewhere: never fetched here.
_REMOTE = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "git::", "ssh://")


def is_kustomization(source: Source) -> bool:
    """Whether ``source`` is a kustomization file (by name; only walked files or named ones)."""
    return source.fs_path is not None and source.fs_path.name in KUSTOMIZATION_NAMES


@dataclass
class _Kustomization:
    source: Source
    directory: str  # resolved
    component: bool
    data: Any = None  # the parsed kustomization (what a renderer would be handed)
    includes: list[tuple[str, str]] = field(default_factory=list)  # (field, entry)
    patches: list[str] = field(default_factory=list)


@dataclass
class Units:
    """Each judged unit with its sources, and the unit each source's pod findings report."""

    judged: list[tuple[UnitRef, list[Source]]] = field(default_factory=list)
    home: dict[str, UnitRef] = field(default_factory=dict)  # source path -> unit
    # A kustomize unit -> its kustomizations, the root first (what rendering it reads).
    kustomizations: dict[UnitRef, list[_Kustomization]] = field(default_factory=dict)


def _dir_of(path: str) -> str:
    return os.path.dirname(path) or "."


def _alone(source: Source) -> UnitRef:
    return UnitRef("stdin" if source.fs_path is None else "file", source.path)


def assign(sources: list[Source], kustomizations: list[Source], mode: str,
           errors: list[InputError], warnings: list[str]) -> Units:
    """The units of ``sources`` (manifest files) under ``mode`` (dir, file or tree)."""
    out = Units()
    if mode == "file":
        for src in sources:
            out.judged.append((_alone(src), [src]))
    elif mode == "tree":
        if sources:
            dirs = [_dir_of(s.path) for s in sources if s.fs_path is not None]
            try:
                path = os.path.commonpath(dirs) if dirs else sources[0].path
            except ValueError:  # absolute and relative paths mixed
                path = "."
            # Patch files a kustomization names are not objects of the cluster either.
            patches = _patch_files(sources, kustomizations, errors, warnings)
            out.judged.append((UnitRef("tree", path or "."),
                               [s for s in sources if id(s) not in patches]))
    else:
        _by_directory(sources, kustomizations, out, errors, warnings)
    for ref, members in out.judged:
        for src in members:
            out.home.setdefault(src.path, ref)
    return out


def _by_directory(sources: list[Source], kustomizations: list[Source], out: Units,
                  errors: list[InputError], warnings: list[str]) -> None:
    covered: set[int] = set()
    if kustomizations:
        covered = _kustomize_units(sources, kustomizations, out, errors, warnings)
    loose: dict[str, list[Source]] = {}
    for src in sources:
        if id(src) in covered:
            continue
        if src.root is None:
            out.judged.append((_alone(src), [src]))
        else:
            loose.setdefault(_dir_of(src.path), []).append(src)
    for directory, members in loose.items():
        out.judged.append((UnitRef("dir", directory), members))


def _patch_files(sources: list[Source], kustomizations: list[Source],
                 errors: list[InputError], warnings: list[str]) -> set[int]:
    """The ids of the ``sources`` some kustomization names as a patch."""
    files = {os.path.realpath(s.fs_path): s for s in sources if s.fs_path is not None}
    out: set[int] = set()
    for src in kustomizations:
        k = _parse(src, errors, warnings) if src.fs_path is not None else None
        if k is None:
            continue
        for entry in k.patches:
            patch = files.get(os.path.realpath(os.path.join(k.directory, entry)))
            if patch is not None:
                out.add(id(patch))
    return out


def _parse(source: Source, errors: list[InputError], warnings: list[str]
           ) -> _Kustomization | None:
    assert source.fs_path is not None
    docs = source.yaml_documents()
    if isinstance(docs, YamlError):
        errors.append(InputError(source.path, f"invalid YAML: {docs}"))
        return None
    data: Any = docs[0].data if docs else None
    if not isinstance(data, dict):
        return None
    k = _Kustomization(source, os.path.realpath(source.fs_path.parent),
                       component=data.get("kind") == "Component", data=data)
    for name in INCLUDE_FIELDS:
        entries = data.get(name)
        if entries is None:
            continue
        if not isinstance(entries, list):
            warnings.append(f"{source.path}: {name} is not a list: ignored")
            continue
        k.includes.extend((name, e) for e in entries if isinstance(e, str))
    # Patch files are not objects of their own: they belong to the kustomization (not loose),
    # though nothing is rendered, so they are not applied either.
    for name in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = data.get(name)
        if not isinstance(entries, list):
            continue
        for e in entries:
            path = e.get("path") if isinstance(e, dict) else e
            if isinstance(path, str) and "\n" not in path:
                k.patches.append(path)
    return k


def _kustomize_units(sources: list[Source], kustomizations: list[Source], out: Units,
                     errors: list[InputError], warnings: list[str]) -> set[int]:
    """One unit per root kustomization; returns the ids of the sources they cover."""
    files = {os.path.realpath(s.fs_path): s for s in sources
             if s.root is not None and s.fs_path is not None}
    by_dir: dict[str, _Kustomization] = {}
    for src in sorted(kustomizations, key=lambda s: s.path):
        if src.root is None:  # named alone: what it includes was not read
            warnings.append(f"{src.path}: a kustomization is judged when a directory holding "
                            "it and what it includes is scanned, not named alone")
            continue
        k = _parse(src, errors, warnings)
        if k is not None and k.directory not in by_dir:
            by_dir[k.directory] = k

    edges: dict[str, list[str]] = {}  # kustomization dir -> included kustomization dirs
    members: dict[str, list[Source]] = {}
    patches: dict[str, list[Source]] = {}
    for directory, k in by_dir.items():
        root = k.source.root
        assert root is not None
        edges[directory], members[directory], patches[directory] = [], [], []
        for name, entry in k.includes:
            where = f"{k.source.path}: {name} entry {entry!r}"
            if "://" in entry or entry.startswith(_REMOTE):
                warnings.append(f"{where}: remote, not fetched (nothing is rendered)")
                continue
            target = os.path.realpath(os.path.join(k.directory, entry))
            if not inside(target, root):
                warnings.append(f"{where}: outside the scanned directory, not followed")
            elif target in by_dir:
                edges[directory].append(target)
            elif target in files:
                members[directory].append(files[target])
            elif os.path.isdir(target):
                warnings.append(f"{where}: a directory without a kustomization, not included")
            elif not os.path.lexists(target):
                warnings.append(f"{where}: not found")
        for entry in k.patches:
            patch = files.get(os.path.realpath(os.path.join(k.directory, entry)))
            if patch is not None:
                patches[directory].append(patch)

    included = {d for targets in edges.values() for d in targets}
    roots = [d for d in by_dir if d not in included and not by_dir[d].component]
    covered: set[int] = set()
    reached: set[str] = set()
    for start in roots:
        reached.update(_unit(start, by_dir, edges, members, patches, out, covered, warnings))
    # Kustomizations only a cycle includes: each first one not reached yet roots a unit. One a
    # root includes beyond the bounds is not (left out, with the warning already given).
    beyond = _reachable(roots, edges) - reached
    for start in by_dir:
        if start not in reached and start not in beyond and not by_dir[start].component:
            reached.update(_unit(start, by_dir, edges, members, patches, out, covered, warnings))
    # Components no unit includes are not units (kustomize cannot build one alone), nor are
    # kustomizations beyond the bounds; their files are not loose either: pod findings report
    # the kustomization's directory.
    for directory, k in by_dir.items():
        if directory in reached:
            continue
        ref = UnitRef("kustomize", _dir_of(k.source.path))
        for src in members[directory] + patches[directory]:
            if id(src) not in covered:
                covered.add(id(src))
                out.home.setdefault(src.path, ref)
    return covered


def _reachable(roots: list[str], edges: dict[str, list[str]]) -> set[str]:
    """Every kustomization the roots include, at any depth (linear: each is visited once)."""
    seen = set(roots)
    stack = list(roots)
    while stack:
        for target in edges[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _unit(start: str, by_dir: dict[str, _Kustomization], edges: dict[str, list[str]],
          members: dict[str, list[Source]], patches: dict[str, list[Source]], out: Units,
          covered: set[int], warnings: list[str]) -> set[str]:
    """The unit rooted at kustomization ``start``: its files, depth first in entry order."""
    top = by_dir[start]
    ref = UnitRef("kustomize", _dir_of(top.source.path))
    seen: dict[str, None] = {}  # in the order reached
    files: list[Source] = []
    taken: set[int] = set()
    stack: list[tuple[str, int]] = [(start, 0)]
    while stack:
        directory, depth = stack.pop()
        if directory in seen:
            continue
        if depth > MAX_KUSTOMIZE_DEPTH:
            warnings.append(f"{by_dir[directory].source.path}: included more than "
                            f"{MAX_KUSTOMIZE_DEPTH} kustomizations deep: not followed")
            continue
        if len(seen) + len(files) >= MAX_KUSTOMIZE_INCLUDES:
            warnings.append(f"{top.source.path}: includes more than {MAX_KUSTOMIZE_INCLUDES} "
                            "files and kustomizations: the rest is not included")
            break
        seen[directory] = None
        for src in members[directory]:
            if id(src) not in taken:
                taken.add(id(src))
                files.append(src)
        for src in patches[directory]:
            if id(src) not in covered:
                out.home.setdefault(src.path, ref)
        covered.update(taken)
        covered.update(id(s) for s in patches[directory])
        stack.extend((d, depth + 1) for d in reversed(edges[directory]))
    out.judged.append((ref, files))
    out.kustomizations[ref] = [by_dir[d] for d in seen]
    return set(seen)
