"""Variable interpolation and ``.env`` files, the way ``docker compose`` does them.

Supported forms (compose-spec "Interpolation"): ``$VAR``, ``${VAR}``, ``${VAR:-default}`` (unset or
empty), ``${VAR-default}`` (unset), ``${VAR:?err}`` / ``${VAR?err}`` (required), ``${VAR:+alt}`` /
``${VAR+alt}`` (replacement when set), ``$$`` (a literal ``$``). Defaults may nest
(``${A:-${B:-x}}``) and are evaluated only when used, as compose does.

The process environment wins over ``.env`` (compose's precedence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Bounds the work a hostile default chain can cause (``${A:-${A:-${A:-...}}}``).
_MAX_NESTING = 32

Lookup = Callable[[str], "str | None"]


class InterpolationError(ValueError):
    """A required variable is missing or the syntax is invalid (one line)."""


def interpolate(text: str, lookup: Lookup) -> str:
    """``text`` with every variable reference replaced; raises InterpolationError."""
    if "$" not in text:
        return text
    return _interpolate(text, lookup, 0)


def literal_part(text: str) -> str | None:
    """What the file itself says, with variables resolved as if none were set.

    ``${PASSWORD}`` -> None (the value comes from the environment, not the file);
    ``${PASSWORD:-hunter2}`` -> ``hunter2``; ``s3cr3t`` -> ``s3cr3t``. Used to judge values
    written in the file without ever reading (or printing) the user's environment.
    """
    if "$" not in text:
        return text
    try:
        value = _interpolate(text, lambda _name: None, 0, lenient=True)
    except InterpolationError:
        return text
    return value or None


def _interpolate(text: str, lookup: Lookup, depth: int, lenient: bool = False) -> str:
    if depth > _MAX_NESTING:
        raise InterpolationError("variable defaults nested too deeply")
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        j = text.find("$", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        nxt = text[j + 1] if j + 1 < n else ""
        if nxt == "$":
            out.append("$")
            i = j + 2
        elif nxt == "{":
            value, i = _braced(text, j + 2, lookup, depth, lenient)
            out.append(value)
        else:
            m = _NAME.match(text, j + 1)
            if m is None:
                out.append("$")  # a lone '$' is kept, as compose does
                i = j + 1
            else:
                out.append(lookup(m.group(0)) or "")
                i = m.end()
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """Index of the ``}`` closing a ``${`` whose body starts at ``start``."""
    depth = 1
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "$" and i + 1 < n and text[i + 1] == "$":
            i += 2
            continue
        if ch == "$" and i + 1 < n and text[i + 1] == "{":
            depth += 1
            i += 2
            continue
        if ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise InterpolationError(f"invalid interpolation format: unclosed '${{' in {text!r}")


def _braced(text: str, start: int, lookup: Lookup, depth: int, lenient: bool
            ) -> tuple[str, int]:
    end = _closing(text, start)
    body = text[start:end]
    m = _NAME.match(body)
    if m is None:
        raise InterpolationError(f"invalid interpolation format for {'${' + body + '}'!r}")
    name = m.group(0)
    rest = body[m.end():]
    value = lookup(name)
    if not rest:
        return value or "", end + 1
    for op in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(op):
            arg = rest[len(op):]
            break
    else:
        raise InterpolationError(f"invalid interpolation format for {'${' + body + '}'!r}")
    colon = op.startswith(":")
    present = value is not None and (value != "" or not colon)

    def arg_value() -> str:
        return _interpolate(arg, lookup, depth + 1, lenient)

    if op.endswith("-"):
        return (value or "") if present else arg_value(), end + 1
    if op.endswith("+"):
        return arg_value() if present else "", end + 1
    # required
    if present:
        return value or "", end + 1
    if lenient:
        return "", end + 1
    message = arg_value() or "is missing a value"
    raise InterpolationError(f"required variable {name} {message}".rstrip())


def parse_env_file(text: str, lookup: Lookup | None = None) -> dict[str, str]:
    """A ``.env`` file: ``KEY=VALUE``, ``export KEY=VALUE``, ``#`` comments, single quotes literal,
    double quotes with ``\\n`` escapes, unquoted values with trailing `` #comment`` removed.
    Unquoted and double-quoted values interpolate earlier keys and the environment."""
    values: dict[str, str] = {}

    def resolve(name: str) -> str | None:
        if name in values:
            return values[name]
        return lookup(name) if lookup else None

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _NAME.fullmatch(key):
            continue  # compose rejects these; for auditing, skipping the line is enough
        value = value.strip()
        if value[:1] == "'" and value.rfind("'") > 0:
            values[key] = value[1:value.rfind("'")]
            continue
        if value[:1] == '"' and value.rfind('"') > 0:
            inner = value[1:value.rfind('"')].replace("\\n", "\n").replace('\\"', '"')
        else:
            inner = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        try:
            values[key] = interpolate(inner, resolve)
        except InterpolationError:
            values[key] = inner
    return values


def read_env_file(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """``.env`` beside the compose file; an unreadable or absent file is no variables."""
    try:
        if not path.is_file() or path.stat().st_size > 1024 * 1024:
            return {}
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
    return parse_env_file(text, environ.get)
