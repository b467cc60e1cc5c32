"""Compose files, read the way ``docker compose config`` reads them.

What is understood: YAML anchors and merge keys (``<<``), ``x-`` extension fields, variable
interpolation (``compose_env``) from the process environment and the ``.env`` beside the first
file, ``extends`` (same file and ``file:``), ``env_file:`` (``compose_env_files``), and several
files merged in order with ``docker compose -f base.yml -f override.yml`` semantics.

Which files are merged (one *project*):

- Files named together on the command line that sit in the same directory are merged in the
  order given, like ``docker compose -f a.yml -f b.yml`` (``hullcheck scan compose.yaml
  compose.prod.yaml``), whatever their names: naming two unrelated files of one directory
  together merges them too (a service both define becomes one service). Name them in separate
  runs, or scan the directory, to judge them apart.
- In a walked directory, ``NAME.override.EXT`` is merged onto ``NAME.yaml``/``NAME.yml`` of the
  same directory (``compose.yaml`` + ``compose.override.yaml``, ``docker-compose.yml`` +
  ``docker-compose.override.yml``), which is what ``docker compose`` does without ``-f``. Walking
  never merges anything else.
- Every other compose file is its own project.

Merging follows the compose specification: mappings merge key by key, scalars are replaced,
``command``/``entrypoint``/``healthcheck.test`` are replaced, ``volumes``/``devices`` merge by
container path, ``environment``/``labels`` by name, ``env_file`` (a string or a list) by path,
other sequences (``ports``, ``cap_add``, ``security_opt``...) are concatenated without
duplicates. Every value keeps the file and line it came from, so a finding on an override points
into the override file.

Compose 2.24's merge tags: ``key: !reset ...`` removes the key (from the base and from the file
itself; ``app: !reset {}`` under ``services`` removes the service, ``services: !reset {}`` all of
them), ``key: !override ...`` replaces the base value instead of merging into it (a service
too). They apply wherever this module merges: override files, ``extends``, several documents.

``profiles:`` is not read: every service is judged, whether or not a profile would start it
(a service in a profile ships with the file and runs with ``--profile``).

Values are interpolated when read (rules only read a few dozen fields), and merges are memoised
and budgeted: a hostile file with shared aliases costs its size, not its expansion.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError, Report, SkippedPath
from hullcheck.inputs import Loaded
from hullcheck.inputs.compose_env import InterpolationError, interpolate, load_env_file
from hullcheck.models import compose as model
from hullcheck.models.container import ContainerSpec
from hullcheck.yamlutil import Document, LineDict, LineList, YamlError, load_documents, walk

if TYPE_CHECKING:
    from hullcheck.inputs.compose_env_files import EnvFileVar
    from hullcheck.options import RunOptions
    from hullcheck.sources import Source

Where = model.Where  # (path, line)

# Bounds merge and extends work on hostile inputs (each unit is one key or item visited).
MAX_MERGE_WORK = 2_000_000
MAX_EXTENDS_DEPTH = 64

COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$", re.IGNORECASE)
_OVERRIDE = re.compile(r"^(?P<base>.+)\.override\.(?:ya?ml)$", re.IGNORECASE)
# Keys that make a mapping look like a compose service (for sniffing arbitrary YAML).
SERVICE_KEYS = frozenset({
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "volumes",
    "depends_on", "networks", "restart", "deploy", "healthcheck", "privileged", "cap_add",
    "cap_drop", "user", "network_mode", "container_name", "expose", "labels", "extends",
    "security_opt", "devices", "working_dir", "pid", "ipc", "read_only", "logging", "profiles",
})
# Compose 2.24+ merge directives, written as YAML tags in override files.
RESET = "!reset"  # remove the value (from the base too)
OVERRIDE = "!override"  # replace the base value instead of merging into it
_REPLACED_LISTS = frozenset({"command", "entrypoint", "test"})
_KEYED_BY_TARGET = frozenset({"volumes", "devices"})
_KEYED_BY_NAME = frozenset({"environment", "labels"})
_SCALAR_OR_LIST = frozenset({"env_file"})


class ComposeError(ValueError):
    """One line: what is wrong with a compose file (the path is added by the caller)."""


def is_compose_name(name: str) -> bool:
    """``compose.yaml``, ``docker-compose.yml``, ``docker-compose.prod.yml``,
    ``compose.override.yaml``..."""
    return bool(COMPOSE_NAME.match(name))


# --- provenance -------------------------------------------------------------------------------


class TrackedDict(LineDict):
    """A mapping built by merging: each key remembers the file it came from."""

    __slots__ = ("key_paths", "path")

    def __init__(self, line: int, path: str) -> None:
        super().__init__(line)
        self.path = path
        self.key_paths: dict[Any, str] = {}


class TrackedList(LineList):
    __slots__ = ("item_paths", "path")

    def __init__(self, line: int, path: str) -> None:
        super().__init__(line)
        self.path = path
        self.item_paths: list[str] = []


class Origins:
    """Which file each YAML mapping and sequence came from."""

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}
        self._keep: list[Any] = []  # keeps registered objects alive so ids stay unique

    def register(self, value: Any, path: str) -> None:
        self._keep.append(value)
        for container in walk(value):
            self._paths.setdefault(id(container), path)

    def path_of(self, container: Any, default: str) -> str:
        if isinstance(container, (TrackedDict, TrackedList)):
            return container.path
        return self._paths.get(id(container), default)

    def key(self, mapping: Any, key: Any, default: Where) -> Where:
        if isinstance(mapping, TrackedDict) and key in mapping.key_paths:
            return mapping.key_paths[key], mapping.line_of(key)
        if isinstance(mapping, LineDict):
            return self.path_of(mapping, default[0]), mapping.line_of(key)
        return default

    def item(self, seq: Any, index: int, default: Where) -> Where:
        if isinstance(seq, TrackedList) and index < len(seq.item_paths):
            return seq.item_paths[index], seq.line_of(index)
        if isinstance(seq, LineList):
            return self.path_of(seq, default[0]), seq.line_of(index)
        return default

    def own(self, container: Any, default: Where) -> Where:
        if isinstance(container, (LineDict, LineList)):
            return self.path_of(container, default[0]), container.line
        return default


# --- the model --------------------------------------------------------------------------------


@dataclass
class ComposeService:
    name: str
    data: LineDict  # merged, extends resolved, values not yet interpolated
    where: Where  # the service key (where a missing field's fix goes)
    # ``env_file:`` variables, later files winning (``compose_env_files``); ``environment:``
    # still wins over them.
    env_file_vars: list[EnvFileVar] = field(default_factory=list)


@dataclass
class ComposeProject(model.ComposeProject):
    """One compose project: files merged in order. What rules read is declared by the model
    (``hullcheck.models.compose``); the rest is what loading needs."""

    files: list[str]
    project_dir: Path | None
    services: list[ComposeService] = field(default_factory=list)
    volumes: LineDict | None = None  # top-level named volumes (driver_opts may bind host paths)
    origins: Origins = field(default_factory=Origins)
    environ: Mapping[str, str] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    # display path -> (text, fs path) of every file read, extends targets included
    texts: dict[str, tuple[str, Path | None]] = field(default_factory=dict)
    # display path -> {line of a service key: service name}, for service-wide suppressions
    service_keys: dict[str, dict[int, str]] = field(default_factory=dict)
    # display path -> text of every ``env_file:`` read, for inline suppressions
    env_files: dict[str, str] = field(default_factory=dict)
    # every service as a normalised container, made once by the loader (compose_spec)
    containers: list[ContainerSpec] = field(default_factory=list)
    _reported: set[Where] = field(default_factory=set)

    def lookup(self, name: str) -> str | None:
        return self.environ.get(name)

    def text(self, value: Any, where: Where) -> str | None:
        """A scalar as compose sees it after interpolation; None for null and containers."""
        if value is None or isinstance(value, (dict, list)):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if not isinstance(value, str):
            return str(value)
        try:
            return interpolate(value, self.lookup)
        except InterpolationError as exc:
            if where not in self._reported:
                self._reported.add(where)
                self.errors.append(InputError(where[0], f"line {where[1]}: {exc}"))
            return value

    def key_where(self, mapping: Mapping[str, Any], key: str, default: Where) -> Where:
        return self.origins.key(mapping, key, default)


# --- loading ----------------------------------------------------------------------------------


def _documents(source: Source) -> list[Document] | YamlError:
    return source.yaml_documents()


# The top-level keys of the Compose Specification (and the v2/v3 formats before it).
TOP_LEVEL_KEYS = frozenset({"version", "name", "services", "networks", "volumes", "secrets",
                            "configs", "include", "models"})
# Keys only the v1 format had on a service (``net: host``, ``volumes_from``...) or shares with
# later ones.
_V1_KEYS = frozenset({"net", "links", "volumes_from", "external_links", "dockerfile",
                      "mem_limit", "cpu_shares", "log_driver"})
LEGACY_V1 = ("not judged: services at the top level without 'services:' (the Compose file "
             "format v1), which current docker compose refuses; move them under 'services:' "
             "(and 'net:' to 'network_mode:') to have them judged (services: ")
MAX_NAMED = 10  # top-level keys named in that reason, at most


def _legacy_v1(data: LineDict) -> bool:
    """A v1 compose file: no ``services:``, and every top-level entry that is no Compose
    Specification key (``version:`` may be there; ``x-`` extensions aside) a mapping that looks
    like a service; at least one."""
    if "services" in data:
        return False
    keys = [k for k in data if k not in TOP_LEVEL_KEYS
            and not (isinstance(k, str) and k.startswith("x-"))]
    if not keys:
        return False
    return all(isinstance(data[k], dict) and bool((SERVICE_KEYS | _V1_KEYS) & set(
        x for x in data[k] if isinstance(x, str))) for k in keys)


def _looks_like_service(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and (not value or bool(SERVICE_KEYS & set(
        k for k in value if isinstance(k, str)))))


def sniff(source: Source) -> bool:
    """YAML whose top level has a ``services:`` mapping of compose services.

    Kubernetes objects (``apiVersion`` + ``kind``) are not compose files even with a ``services``
    key; a ``services:`` list (GitLab CI and friends) is not ours either unless the file is
    named like a compose file (then it is reported as an error).
    """
    docs = _documents(source)
    if isinstance(docs, YamlError):
        return re.search(r"(?m)^services\s*:", source.text) is not None and \
            re.search(r"(?m)^(apiVersion|kind)\s*:", source.text) is None
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict) or "apiVersion" in data or "kind" in data:
            continue
        services = data.get("services")
        if isinstance(services, dict) and services and all(
            isinstance(k, str) for k in services
        ) and all(_looks_like_service(v) for v in services.values()):
            return True
    return False


class _Loader:
    """Loads the files of one project (and the files ``extends`` names) once each."""

    def __init__(self, project: ComposeProject, report: Report,
                 texts: dict[str, tuple[str, Path | None]]) -> None:
        self.project = project
        self.report = report
        self.texts = texts  # display path -> (text, fs path) of every file read
        self.files: dict[str, LineDict | None] = {}
        self.work = 0

    # files

    def load_text(self, display: str, text: str) -> LineDict | None:
        if display in self.files:
            return self.files[display]
        self.files[display] = None
        try:
            docs = load_documents(text)
        except YamlError as exc:
            self.report.errors.append(InputError(display, f"invalid YAML: {exc}"))
            return None
        data = self._validate(display, docs)
        if data is not None:
            _drop_resets(data)
            self.project.origins.register(data, display)
            services = data.get("services")
            if isinstance(services, LineDict):
                self.project.service_keys[display] = {
                    services.line_of(name): str(name) for name in services
                }
        self.files[display] = data
        return data

    def load_path(self, fs_path: Path, display: str, where: Where) -> LineDict | None:
        if display in self.files:
            return self.files[display]
        from hullcheck.sources import read_source

        try:
            src = read_source(fs_path, display, explicit=True)
        except ValueError as exc:
            self.report.errors.append(
                InputError(where[0], f"line {where[1]}: extends: {exc}")
            )
            self.files[display] = None
            return None
        self.texts[display] = (src.text, fs_path)
        return self.load_text(display, src.text)

    def _validate(self, path: str, docs: list[Document]) -> LineDict | None:
        bad = False
        for doc in docs:
            for line, key in doc.duplicate_keys:
                self.report.errors.append(
                    InputError(path, f"line {line}: duplicate key {key!r} (compose rejects it)")
                )
                bad = True
        if bad:
            return None
        mappings = [d for d in docs if d.data is not None]
        if not mappings:
            return LineDict(1)
        result: LineDict | None = None
        for doc in mappings:
            data = doc.data
            if not isinstance(data, LineDict):
                self.report.errors.append(InputError(
                    path, f"line {doc.line}: a compose file is a mapping at the top level, "
                          f"not a {_kind(data)}"))
                return None
            services = data.get("services")
            if services is not None and not isinstance(services, LineDict):
                self.report.errors.append(InputError(
                    path, f"line {data.line_of('services')}: 'services' must be a mapping of "
                          f"service names to services, not a {_kind(services)}"))
                return None
            for name, svc in (services or LineDict(0)).items():
                if services is not None and svc is not None and not isinstance(svc, LineDict):
                    self.report.errors.append(InputError(
                        path, f"line {services.line_of(name)}: service {name!s} must be a "
                              f"mapping, not a {_kind(svc)}"))
                    return None
            result = data if result is None else self.merge(result, data, path, ())
        if result is not None and _legacy_v1(result):
            # Compose file format v1: current docker compose refuses it ("additional property
            # ... is not allowed"); say so rather than report nothing (issue 24).
            names = sorted(str(k) for k in result if k not in TOP_LEVEL_KEYS)
            reason = LEGACY_V1 + ", ".join(names[:MAX_NAMED]) + (
                f", and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "") + ")"
            self.report.skipped_paths.append(SkippedPath(path, reason))
            self.report.warnings.append(f"{path}: {reason}")
            return LineDict(1)
        return result

    # merging

    def _tick(self, amount: int = 1) -> None:
        self.work += amount
        if self.work > MAX_MERGE_WORK:
            raise ComposeError("merging is too expensive (a hostile document?); refusing")

    def merge(self, base: Any, over: Any, over_path: str, trail: tuple[str, ...],
              memo: dict[tuple[int, int], Any] | None = None) -> Any:
        """``over`` on top of ``base`` with compose's merge rules."""
        memo = {} if memo is None else memo
        key = (id(base), id(over))
        if key in memo:
            return memo[key]
        if base is over:
            return over
        origins = self.project.origins
        if isinstance(base, LineDict) and isinstance(over, LineDict):
            out = TrackedDict(over.line, origins.path_of(over, over_path))
            memo[key] = out
            base_path = origins.path_of(base, over_path)
            for k, v in base.items():
                self._tick()
                out[k] = v
                out.key_lines[k] = base.line_of(k)
                out.key_paths[k] = origins.key(base, k, (base_path, base.line))[0]
            over_own = origins.path_of(over, over_path)
            for k in _reset_keys(over):
                self._tick()
                out.pop(k, None)  # ``key: !reset ...``: gone from the result, base included
                out.key_lines.pop(k, None)
                out.key_paths.pop(k, None)
            for k, v in over.items():
                self._tick()
                name = str(k)
                if name in _SCALAR_OR_LIST and k in out and _service_level(trail):
                    out[k] = self._as_list(out[k], out.key_paths[k], out.key_lines[k])
                    v = self._as_list(v, over_own, over.line_of(k))
                if over.tag_of(k) == OVERRIDE:
                    pass  # ``key: !override ...``: replaces the base value, no merging
                elif k in out and name in _KEYED_BY_NAME and _service_level(trail):
                    v = self._merge_named(out[k], v, over_own)
                elif k in out and isinstance(out[k], LineList) and isinstance(v, LineList) \
                        and name not in _REPLACED_LISTS:
                    v = self._merge_list(out[k], v, name, over_own)
                elif k in out and isinstance(out[k], LineDict) and isinstance(v, LineDict):
                    v = self.merge(out[k], v, over_own, (*trail, name), memo)
                out[k] = v
                out.key_lines[k] = over.line_of(k)
                out.key_paths[k] = origins.key(over, k, (over_own, over.line))[0]
            return out
        memo[key] = over
        return over

    def _items(self, seq: LineList, default_path: str) -> Iterator[tuple[Any, str, int]]:
        origins = self.project.origins
        for i, item in enumerate(seq):
            self._tick()
            path, line = origins.item(seq, i, (default_path, seq.line))
            yield item, path, line

    def _merge_list(self, base: LineList, over: LineList, name: str, over_path: str
                    ) -> TrackedList:
        origins = self.project.origins
        out = TrackedList(over.line, origins.path_of(over, over_path))
        entries: dict[Any, tuple[Any, str, int]] = {}
        base_path = origins.path_of(base, over_path)
        for items in (self._items(base, base_path), self._items(over, over_path)):
            for item, path, line in items:
                if name in _KEYED_BY_TARGET:
                    identity: Any = _target_of(item) or _identity(item)
                else:
                    identity = _identity(item)
                entries.pop(identity, None)  # later wins and takes the later position
                entries[identity] = (item, path, line)
        for item, path, line in entries.values():
            out.append(item)
            out.item_lines.append(line)
            out.item_paths.append(path)
        return out

    def _as_list(self, value: Any, path: str, line: int) -> Any:
        """``env_file: a.env`` as ``[a.env]``, so a list in another file merges with it."""
        if isinstance(value, (LineList, LineDict)) or value is None:
            return value
        out = TrackedList(line, path)
        out.append(value)
        out.item_lines.append(line)
        out.item_paths.append(path)
        return out

    def _merge_named(self, base: Any, over: Any, over_path: str) -> Any:
        """``environment``/``labels``: list or mapping form, merged by name."""
        return self.merge(self._as_mapping(base, over_path), self._as_mapping(over, over_path),
                          over_path, ("environment",))

    def _as_mapping(self, value: Any, default_path: str) -> Any:
        if not isinstance(value, LineList):
            return value
        origins = self.project.origins
        out = TrackedDict(value.line, origins.path_of(value, default_path))
        for item, path, line in self._items(value, out.path):
            if not isinstance(item, str):
                continue
            name, sep, val = item.partition("=")
            out[name] = val if sep else None
            out.key_lines[name] = line
            out.key_paths[name] = path
        return out

    def without(self, mapping: LineDict, key: str, default_path: str) -> LineDict:
        if key not in mapping:
            return mapping
        origins = self.project.origins
        own = origins.path_of(mapping, default_path)
        out = TrackedDict(mapping.line, own)
        for k, v in mapping.items():
            if k == key:
                continue
            out[k] = v
            out.key_lines[k] = mapping.line_of(k)
            out.key_paths[k] = origins.key(mapping, k, (own, mapping.line))[0]
        if mapping.key_tags:
            out.key_tags = {k: t for k, t in mapping.key_tags.items() if k != key}
        return out

    # extends

    def resolve_extends(self, path: str, data: LineDict, name: str,
                        stack: tuple[tuple[str, str], ...] = ()) -> LineDict | None:
        services = data.get("services") or {}
        svc = services.get(name)
        if not isinstance(svc, LineDict):
            return None
        ext = svc.get("extends")
        if ext is None:
            return svc
        where = self.project.origins.key(svc, "extends", (path, svc.line))
        if (path, name) in stack or len(stack) > MAX_EXTENDS_DEPTH:
            chain = " -> ".join(n for _p, n in (*stack, (path, name)))
            self.report.errors.append(
                InputError(where[0], f"line {where[1]}: extends loops: {chain}")
            )
            return self.without(svc, "extends", path)
        target_name: Any
        target_file: Any
        if isinstance(ext, str):
            target_name, target_file = ext, None
        elif isinstance(ext, LineDict):
            target_name = ext.get("service")
            target_file = ext.get("file")
        else:
            target_name, target_file = None, None
        if not isinstance(target_name, str):
            self.report.errors.append(InputError(
                where[0], f"line {where[1]}: extends needs a service name"))
            return self.without(svc, "extends", path)
        target_name = self.project.text(target_name, where) or target_name
        target_path, target_data = path, data
        if target_file is not None:
            file_text = self.project.text(target_file, where) or ""
            fs_base = self.texts.get(path, ("", None))[1]
            base_dir = fs_base.parent if fs_base else Path.cwd()
            fs_target = base_dir / file_text
            display = os.path.normpath(os.path.join(os.path.dirname(path), file_text))
            loaded = self.load_path(fs_target, display, where)
            if loaded is None:
                return self.without(svc, "extends", path)
            target_path, target_data = display, loaded
        base = self.resolve_extends(target_path, target_data, target_name,
                                    (*stack, (path, name)))
        if base is None:
            self.report.errors.append(InputError(
                where[0], f"line {where[1]}: extends: no service {target_name!r} in "
                          f"{target_path}"))
            return self.without(svc, "extends", path)
        merged = self.merge(base, self.without(svc, "extends", path), path, ())
        assert isinstance(merged, LineDict)
        return merged


def _reset_keys(mapping: LineDict) -> list[Any]:
    return [k for k, t in (mapping.key_tags or {}).items() if t == RESET]


def _drop_resets(data: LineDict) -> None:
    """``key: !reset ...`` removes the key from the file itself (its value is never used); the
    tag stays in ``key_tags`` so a merge removes the key from the base too."""
    for container in walk(data):
        if isinstance(container, LineDict):
            for k in _reset_keys(container):
                container.pop(k, None)


def _service_level(trail: tuple[str, ...]) -> bool:
    return trail == () or (len(trail) == 2 and trail[0] == "services")


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "null"
    return "scalar"


def _identity(item: Any) -> Any:
    if isinstance(item, (dict, list)):
        return ("obj", id(item))
    return ("val", str(item))


def _target_of(item: Any) -> str | None:
    """The container path of a volume or device entry (short or long syntax)."""
    if isinstance(item, dict):
        target = item.get("target")
        return str(target) if target is not None else None
    if isinstance(item, str):
        parts = split_volume(item)
        return parts[1] if len(parts) > 1 else parts[0]
    return None


def split_volume(text: str) -> list[str]:
    """``src:dst:mode`` split on colons, keeping Windows drive letters (``C:\\x``) together."""
    parts = text.split(":")
    out: list[str] = []
    i = 0
    while i < len(parts):
        p = parts[i]
        if len(p) == 1 and p.isalpha() and i + 1 < len(parts) and parts[i + 1][:1] in ("\\", "/"):
            out.append(p + ":" + parts[i + 1])
            i += 2
            continue
        out.append(p)
        i += 1
    return out




# --- projects ---------------------------------------------------------------------------------


def group_projects(sources: list[Source]) -> list[list[Source]]:
    """Which sources are merged into one project (see the module docstring)."""
    groups: list[list[Source]] = []
    explicit_by_dir: dict[Path, list[Source]] = {}
    walked_by_dir: dict[Path, list[Source]] = {}
    for src in sources:
        if src.fs_path is None:
            groups.append([src])
            continue
        directory = src.fs_path.parent.resolve()
        target = explicit_by_dir if src.explicit else walked_by_dir
        if directory not in target:
            target[directory] = []
            if src.explicit:
                groups.append(target[directory])
        target[directory].append(src)
    for srcs in walked_by_dir.values():
        by_name = {s.fs_path.name.lower(): s for s in srcs if s.fs_path is not None}
        attached: set[int] = set()
        overrides: dict[int, list[Source]] = {}
        for src in srcs:
            assert src.fs_path is not None
            m = _OVERRIDE.match(src.fs_path.name)
            if not m:
                continue
            stem = m.group("base").lower()
            base = by_name.get(stem + ".yaml") or by_name.get(stem + ".yml")
            if base is not None and base is not src:
                overrides.setdefault(id(base), []).append(src)
                attached.add(id(src))
        for src in srcs:
            if id(src) in attached:
                continue
            groups.append([src, *overrides.get(id(src), [])])
    return groups


def load_project(group: list[Source], report: Report,
                 environ: Mapping[str, str] | None = None) -> ComposeProject:
    environ = os.environ if environ is None else environ
    first = group[0]
    project_dir = first.fs_path.parent if first.fs_path is not None else None
    env: dict[str, str] = {}
    if project_dir is not None:
        values, refused = load_env_file(project_dir / ".env", environ)
        env.update(values)
        if refused:
            # docker compose stops here; the scan goes on with the variables read above it.
            display = os.path.normpath(os.path.join(os.path.dirname(first.path), ".env"))
            error = InputError(display, f"{refused} (docker compose refuses this .env file)")
            if error not in report.errors:  # several projects of one directory share it
                report.errors.append(error)
    env.update(environ)  # the shell wins over .env
    project = ComposeProject(files=[s.path for s in group], project_dir=project_dir,
                             environ=env)
    project.texts.update({s.path: (s.text, s.fs_path) for s in group})
    loader = _Loader(project, report, project.texts)
    try:
        _assemble(project, loader, group)
    except ComposeError as exc:
        report.errors.append(InputError(project.path, str(exc)))
        project.services = []
    from hullcheck.inputs.compose_env_files import load_env_files

    load_env_files(project, report)
    return project


def _assemble(project: ComposeProject, loader: _Loader, group: list[Source]) -> None:
    services: dict[str, tuple[LineDict, Where]] = {}
    volumes: Any = None
    origins = project.origins
    for src in group:
        data = loader.load_text(src.path, src.text)
        if data is None:
            continue
        if data.tag_of("services") == RESET:
            services.clear()
        if data.tag_of("volumes") == RESET:
            volumes = None
        file_services = data.get("services") or LineDict(data.line)
        for name in _reset_keys(file_services):
            services.pop(name, None)  # ``app: !reset {}`` in an override drops the service
        for name in file_services:
            resolved = loader.resolve_extends(src.path, data, name)
            if resolved is None:
                resolved = LineDict(file_services.line_of(name))
                origins.register(resolved, src.path)
            where = (src.path, file_services.line_of(name))
            if name in services and file_services.tag_of(name) != OVERRIDE:
                base, first_where = services[name]
                merged = loader.merge(base, resolved, src.path, ())
                services[name] = (merged, first_where)
            else:
                services[name] = (resolved, where)
        file_volumes = data.get("volumes")
        if isinstance(file_volumes, LineDict):
            replace = volumes is None or data.tag_of("volumes") == OVERRIDE
            volumes = file_volumes if replace else loader.merge(
                volumes, file_volumes, src.path, ("volumes",))
    project.services = [ComposeService(n, d, w) for n, (d, w) in services.items()]
    project.volumes = volumes


def load(sources: list[Source], options: RunOptions) -> Loaded:
    """Every compose project of the batch (overrides merged into their base file), each with
    its services as normalised containers (``ComposeProject.containers``), and the inline
    suppressions of every file it read, ``env_file:`` files included."""
    from hullcheck.inputs.compose_build import attach_builds
    from hullcheck.inputs.compose_spec import service_specs
    from hullcheck.inputs.image.resolve import attach_images
    from hullcheck.inputs.yaml_suppressions import yaml_suppressions

    loaded = Loaded()
    # load_project reports its errors into a Report: this one shares the list, so they keep
    # their order among the project's own.
    report = Report(errors=loaded.errors, warnings=loaded.warnings)
    seen_suppressions: set[str] = set()
    for group in group_projects(sources):
        project = load_project(group, report)
        for path, (text, _fs) in project.texts.items():
            if path not in seen_suppressions:
                seen_suppressions.add(path)
                loaded.suppressions.extend(yaml_suppressions(
                    path, text, loaded.warnings, project.service_keys.get(path)))
        for path, text in project.env_files.items():
            # Env files take the same comments: ``KEY=value  # hullcheck: ignore=CT024 why``
            # (a `` #`` after an unquoted value is a comment there too) or on the line above.
            if path not in seen_suppressions:
                seen_suppressions.add(path)
                loaded.suppressions.extend(yaml_suppressions(path, text, loaded.warnings))
        project.containers = service_specs(project)
        attach_builds(project, group[0].root, loaded.warnings)
        attach_images(project.containers, options, loaded)
        loaded.errors.extend(project.errors)
        loaded.models.append(project)
    loaded.skipped_paths.extend(report.skipped_paths)
    return loaded
