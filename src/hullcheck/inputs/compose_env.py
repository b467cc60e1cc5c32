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
from dataclasses import dataclass
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


class EnvFileError(ValueError):
    """A line ``docker compose`` refuses in an env file (one line, with its line number)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # where compose stops reading


@dataclass(slots=True)
class EnvEntry:
    """One ``KEY=VALUE`` of an env file, before interpolation."""

    name: str
    raw: str | None  # None: ``KEY`` alone, the value comes from the environment
    line: int  # the line of the key
    interpolate: bool  # unquoted and double-quoted values are interpolated, single-quoted not


_KEY_END = re.compile(r"[=:\n]")
# compose-go (v2) accepts letters, digits, '_', '.', '-' and '[', ']' (indexed names).
_KEY = re.compile(r"[\w.\[\]-]+")
_KEY_CHAR = re.compile(r"[\w.\[\] \t-]")
_DOUBLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$$"}


def parse_env_entries(text: str, raw: bool = False) -> list[EnvEntry]:
    """The entries of an env file with ``docker compose``'s rules (compose-spec's "env_file"
    and Docker's "Syntax for environment files"):

    - blank lines and lines starting with ``#`` are skipped; an ``export `` prefix is allowed;
      ``KEY=VALUE`` (compose also reads ``KEY: VALUE``); ``KEY`` alone takes the value from the
      environment;
    - unquoted values end at the line end, and at `` #`` (a ``#`` preceded by whitespace starts
      a comment; ``VAL#x`` keeps it), trailing whitespace removed;
    - single-quoted values are literal (``\\'`` is a quote), double-quoted ones know ``\\n``,
      ``\\r``, ``\\t``, ``\\\\`` and ``\\"``; both may span lines, and anything after the
      closing quote is ignored;
    - unquoted and double-quoted values are interpolated (``EnvEntry.interpolate``), with the
      keys defined *above* them in the file and the environment; later lines never count.

    ``raw`` (compose's ``format: raw``): ``KEY=VALUE`` taken as written, no quotes, no comments.
    Raises EnvFileError for what compose refuses (bad key, unterminated quote).
    """
    entries: list[EnvEntry] = []
    i, n = 0, len(text)
    line = 1
    while i < n:
        # skip whitespace (counting lines) and comment lines
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        eol = text.find("\n", i)
        eol = n if eol < 0 else eol
        if ch == "#":
            i = eol
            continue
        if raw:
            key, sep, value = text[i:eol].partition("=")
            if key.strip():
                entries.append(EnvEntry(key.strip(), value if sep else None, line, False))
            i = eol
            continue
        start_line = line
        if text.startswith("export", i) and i + 6 < n and text[i + 6] in " \t":
            i += 6
            while i < eol and text[i] in " \t":
                i += 1
        m = _KEY_END.search(text, i, eol + 1) if eol < n else _KEY_END.search(text, i)
        stop = m.start() if m else eol
        key = text[i:stop].strip()
        if not key or not _KEY.fullmatch(key):
            shown = text[i:eol].strip()[:40]
            bad = next((c for c in text[i:stop] if not _KEY_CHAR.match(c)), None)
            if key and bad is None:
                raise EnvFileError(f"line {start_line}: key cannot contain a space "
                                   f"({shown!r})", start_line)
            what = f"unexpected character {bad!r}" if bad else "no variable name"
            raise EnvFileError(f"line {start_line}: {what} in variable name {shown!r}",
                               start_line)
        if m is None or text[stop] == "\n":
            entries.append(EnvEntry(key, None, start_line, False))
            i = stop
            continue
        i = stop + 1
        while i < n and text[i] in " \t":
            i += 1
        quote = text[i] if i < n and text[i] in ("'", '"') else ""
        if not quote:
            eol = text.find("\n", i)
            eol = n if eol < 0 else eol
            value = re.split(r"[ \t]#", text[i:eol], maxsplit=1)[0].rstrip()
            entries.append(EnvEntry(key, value, start_line, True))
            i = eol
            continue
        j = i + 1
        out: list[str] = []
        while True:
            if j >= n:
                raise EnvFileError(f"line {start_line}: unterminated quoted value for {key}",
                                   start_line)
            c = text[j]
            if c == "\\" and j + 1 < n:
                nxt = text[j + 1]
                if quote == "'":
                    out.append("'" if nxt == "'" else c + nxt)
                else:
                    out.append(_DOUBLE_ESCAPES.get(nxt, c + nxt))
                line += text[j:j + 2].count("\n")
                j += 2
                continue
            if c == quote:
                break
            if c == "\n":
                line += 1
            out.append(c)
            j += 1
        entries.append(EnvEntry(key, "".join(out), start_line, quote == '"'))
        eol = text.find("\n", j)
        i = n if eol < 0 else eol  # after the closing quote: a comment, or ignored
    return entries


def resolve_entries(entries: list[EnvEntry], lookup: Lookup | None = None,
                    lenient: bool = False, strict: bool = False) -> dict[str, str | None]:
    """Entries to values, later lines winning. Interpolation sees the keys defined above (in
    this file) first, then ``lookup``. ``lenient``: unknown variables are empty and required
    ones (``${X:?}``) never fail: what the file itself says, for auditing. ``strict``: an
    interpolation compose fails on raises EnvFileError (with the entries above it resolved);
    otherwise the value is kept as written."""
    values: dict[str, str | None] = {}

    def resolve(name: str) -> str | None:
        if values.get(name) is not None:
            return values[name]
        return lookup(name) if lookup else None

    for entry in entries:
        if entry.raw is None:
            values[entry.name] = lookup(entry.name) if lookup else None
            continue
        if not entry.interpolate or "$" not in entry.raw:
            values[entry.name] = entry.raw
            continue
        try:
            values[entry.name] = _interpolate(entry.raw, resolve, 0, lenient=lenient)
        except InterpolationError as exc:
            if strict:
                raise EnvFileError(f"line {entry.line}: {exc}", entry.line) from None
            values[entry.name] = entry.raw
    return values


def parse_env_file(text: str, lookup: Lookup | None = None) -> dict[str, str]:
    """A ``.env`` file (syntax in ``parse_env_entries``) as values; lines compose refuses end
    the reading. Values interpolate earlier keys, then ``lookup``."""
    return read_dotenv(text, lookup)[0]


def read_dotenv(text: str, lookup: Lookup | None = None) -> tuple[dict[str, str], str | None]:
    """The values of a ``.env`` file and, when ``docker compose`` would refuse the file, why
    (``"line 3: ..."``). Reading stops at the refused line, as compose's does; what was read
    above it is kept so the scan can go on."""
    error: str | None = None
    try:
        entries = parse_env_entries(text)
    except EnvFileError as exc:
        error = str(exc)
        entries = _entries_before(text, exc.line)
    values: dict[str, str | None] = {}
    kept = entries
    for attempt in range(2):
        try:
            values = resolve_entries(kept, lookup, strict=attempt == 0)
            break
        except EnvFileError as exc:
            error = error or str(exc)
            kept = [e for e in kept if exc.line is None or e.line < exc.line]
    return {k: v for k, v in values.items() if v is not None}, error


def _entries_before(text: str, line: int | None) -> list[EnvEntry]:
    """The entries above the refused line (compose stops there; the .env beside the compose
    file only feeds interpolation, so what was read is kept)."""
    if line is None:
        return []
    try:
        return parse_env_entries("\n".join(text.split("\n")[:line - 1]))
    except EnvFileError:
        return []


def load_env_file(path: Path, environ: Mapping[str, str]
                  ) -> tuple[dict[str, str], str | None]:
    """``.env`` beside the compose file: its values, and why compose would refuse it (None
    when it would not). An unreadable or absent file is no variables (compose ignores it)."""
    try:
        if not path.is_file() or path.stat().st_size > 1024 * 1024:
            return {}, None
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}, None
    return read_dotenv(text, environ.get)
