"""A service's ``env_file:``, read the way ``docker compose`` reads it.

Forms: ``env_file: a.env``, ``env_file: [a.env, b.env]`` and the long syntax of compose 2.24+
(``- path: a.env`` with ``required: false``, and ``format: raw`` from 2.30). Paths are relative
to the directory of the compose file that names them (an ``extends: file:`` base or an override
file keeps its own directory). A missing file is an input error unless ``required: false``.

The values are what the files themselves say (``compose_env.parse_env_entries``): a value
interpolates the keys defined above it in the same file and in the env files listed before it,
never the user's environment, and ``KEY`` alone (taken from the environment) has no value. Later
files win over earlier ones, later lines over earlier lines, and the service's ``environment:``
wins over all of them (compose's precedence); the mapper applies that last step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError
from hullcheck.inputs.compose_env import (
    EnvEntry,
    EnvFileError,
    parse_env_entries,
    resolve_entries,
)
from hullcheck.yamlutil import LineDict, LineList

if TYPE_CHECKING:
    from hullcheck.findings import Report
    from hullcheck.inputs.compose import ComposeProject, ComposeService, Where

# An env file larger than this is no configuration; refuse it rather than read it.
MAX_ENV_FILE_BYTES = 1024 * 1024


@dataclass(slots=True)
class EnvFileVar:
    name: str
    value: str | None  # None: taken from the environment (``KEY`` alone, ``KEY=${KEY}``)
    path: str  # the env file, as reported
    line: int


@dataclass
class _Ref:
    value: str
    required: bool
    raw: bool
    where: Where


def _refs(project: ComposeProject, svc: ComposeService) -> list[_Ref]:
    data = svc.data
    if "env_file" not in data:
        return []
    origins = project.origins
    value = data.get("env_file")
    items: list[tuple[Any, Where]]
    if isinstance(value, LineList):
        items = [(item, origins.item(value, i, svc.where)) for i, item in enumerate(value)]
    else:
        items = [(value, origins.key(data, "env_file", svc.where))]
    refs: list[_Ref] = []
    for item, where in items:
        required, raw = True, False
        if isinstance(item, LineDict):
            where = origins.key(item, "path", where)
            required_text = project.text(item.get("required"), where)
            required = (required_text or "true").strip().lower() not in ("false", "no", "0")
            raw = (project.text(item.get("format"), where) or "").strip().lower() == "raw"
            item = item.get("path")
        text = project.text(item, where)
        if text:
            refs.append(_Ref(text, required, raw, where))
    return refs


def _locate(project: ComposeProject, ref: _Ref) -> tuple[Path, str]:
    """(file system path, reported path) of an env file named in ``ref.where[0]``."""
    if os.path.isabs(ref.value):
        return Path(ref.value), ref.value
    fs_compose = project.texts.get(ref.where[0], ("", None))[1]
    base = fs_compose.parent if fs_compose is not None else Path.cwd()
    display = os.path.normpath(os.path.join(os.path.dirname(ref.where[0]), ref.value))
    return base / ref.value, display


def _read(fs_path: Path, display: str, raw: bool) -> _Parsed:
    """Raises FileNotFoundError when absent, ValueError (one line) when unusable."""
    from hullcheck.sources import decode

    try:
        if not fs_path.exists():
            raise FileNotFoundError(display)
        if not fs_path.is_file():
            raise ValueError("not a regular file")
        if fs_path.stat().st_size > MAX_ENV_FILE_BYTES:
            raise ValueError(f"larger than {MAX_ENV_FILE_BYTES} bytes; refusing to read it")
        data = fs_path.read_bytes()
        text = decode(data, display)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix(f"{display}: ")) from None
    try:
        entries = parse_env_entries(text, raw=raw)
    except EnvFileError as exc:
        raise ValueError(f"{exc} (docker compose refuses this env file)") from None
    return _Parsed(display, text, entries)


@dataclass
class _Parsed:
    path: str
    text: str
    entries: list[EnvEntry]


def load_env_files(project: ComposeProject, report: Report) -> None:
    """Fill ``svc.env_file_vars`` for every service and ``project.env_files`` (the texts, for
    inline suppressions); report missing required files and unusable ones as input errors."""
    cache: dict[tuple[str, bool], _Parsed | None] = {}
    reported: set[tuple[str, int, str]] = set()
    for svc in project.services:
        merged: dict[str, EnvFileVar] = {}
        for ref in _refs(project, svc):
            fs_path, display = _locate(project, ref)
            key = (display, ref.raw)
            if key not in cache:
                try:
                    cache[key] = _read(fs_path, display, ref.raw)
                except FileNotFoundError:
                    cache[key] = None
                    if ref.required and (ref.where[0], ref.where[1], display) not in reported:
                        reported.add((ref.where[0], ref.where[1], display))
                        report.errors.append(InputError(
                            ref.where[0], f"line {ref.where[1]}: env_file {display}: not found "
                                          "(set 'required: false' if it is optional)"))
                    continue
                except ValueError as exc:
                    cache[key] = None
                    report.errors.append(InputError(display, str(exc)))
                    continue
            parsed = cache[key]
            if parsed is None:
                continue
            project.env_files.setdefault(parsed.path, parsed.text)
            # Values see the keys above them in this file, then the files listed before it.
            earlier = {name: var.value for name, var in merged.items()}
            values = resolve_entries(parsed.entries, earlier.get, lenient=True)
            lines = {entry.name: entry.line for entry in parsed.entries}  # the winning line
            for name, value in values.items():
                merged.pop(name, None)  # later files win and take the later position
                merged[name] = EnvFileVar(name, value, parsed.path, lines[name])
        svc.env_file_vars = list(merged.values())
