"""Untrusted strings made safe for the places hullcheck writes them.

File names, image references, registry messages and every value quoted from a scanned file are
written by strangers, and hullcheck's output lands in terminals and CI logs. Findings stay exact
data; the reporters and the CLI's stderr lines pass each untrusted string through one of these at
the moment they format it:

- ``terminal`` for every human format (text, stderr, JUnit): a string with no character that
  could act on a terminal or a log viewer is written as it is; any other string is quoted the way
  ``git`` quotes an odd path (``core.quotePath``): in double quotes, with ``\\`` and ``"``
  escaped and each such character written as an escape. Quoted output is therefore always
  recognisable, and a quoted and an unquoted string never read the same.
- ``unicode_scalars`` for JSON and SARIF: the text stays exact except lone surrogates (the
  undecodable bytes of a file name, decoded with ``surrogateescape``), which become U+FFFD, so
  the document is valid UTF-8 and valid Unicode for every reader (as Go's encoding/json does).
"""

from __future__ import annotations

import re
from typing import Any

# What a terminal or log viewer acts on, or what XML 1.0 cannot carry: C0 controls (tab and
# newline included: a newline forges a line), DEL, C1 controls (U+0085 is a newline to some
# viewers, U+009B a one-byte CSI), the bidirectional marks, embeddings, overrides and isolates
# ("Trojan Source"), the line and paragraph separators, surrogates (undecodable bytes) and the
# two non-characters XML forbids.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_SURROGATES = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if code < 0x80:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:
        # A byte that is not UTF-8, decoded with surrogateescape: shown as the byte it was, so
        # \xNN always means one byte and \uNNNN one character (U+0085 is \u0085, byte 0x85 \x85).
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` as it can be shown on a terminal, in a CI log or in a JUnit report.

    Unchanged when it holds nothing unsafe (so ordinary output is what it always was); else
    quoted: ``"evil\\nname\\x1b[2J"``. A string that starts with ``"`` is quoted too, so an
    unquoted string can never pass for a quoted one.
    """
    if _UNSAFE.search(text) is None and not text.startswith('"'):
        return text
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _UNSAFE.sub(_escape, body) + '"'


def unicode_scalars(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD: encodable as UTF-8, exact otherwise."""
    return _SURROGATES.sub("\ufffd", text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return unicode_scalars(value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


# json.dumps (ASCII output) writes a surrogate as \udXXX: a lone one from a file name, or half of a
# pair for a character beyond U+FFFF. Either way the document is walked again; the common case
# costs one scan of the text.
_SURROGATE_ESCAPE = re.compile(r"\\ud[89a-f]")


def json_dumps(doc: Any, indent: int | None = None) -> str:
    """``json.dumps(doc)`` that never writes a lone surrogate (which strict readers reject)."""
    import json  # here: the CLI imports this module, and --version needs no JSON

    text = json.dumps(doc, indent=indent)
    if _SURROGATE_ESCAPE.search(text) is not None:
        text = json.dumps(_scrub(doc), indent=indent)
    return text
