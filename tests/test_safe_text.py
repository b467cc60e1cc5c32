"""safe_text: how an untrusted string is shown on a terminal, and kept valid in JSON."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullcheck.safe_text import json_dumps, terminal, unicode_scalars

# What must never reach a terminal raw (the set safe_text documents).
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


@pytest.mark.parametrize(("raw", "shown"), [
    # ordinary text, non-ASCII letters and backslashes included, is written as it is
    ("Dockerfile", "Dockerfile"),
    ("deploy/app.yaml", "deploy/app.yaml"),
    ("café/日本/Dockerfile", "café/日本/Dockerfile"),
    ('Container "web" must set securityContext', 'Container "web" must set securityContext'),
    ("RUN apt-get install \\", "RUN apt-get install \\"),
    ("C:\\build\\Dockerfile", "C:\\build\\Dockerfile"),
    ("", ""),
    # anything a terminal acts on: quoted, C-style
    ("evil\nDockerfile", '"evil\\nDockerfile"'),
    ("a\rb\tc", '"a\\rb\\tc"'),
    ("x\x1b[2J\x1b[31m", '"x\\x1b[2J\\x1b[31m"'),
    ("\x00\x07\x08\x0b\x0c\x7f", '"\\x00\\x07\\x08\\x0b\\x0c\\x7f"'),
    ("title\x1b]0;pwned\x07", '"title\\x1b]0;pwned\\x07"'),
    # C1 controls are characters: \u; an undecodable byte (surrogateescape) is a byte: \x
    ("nel\x85csi\x9b", '"nel\\u0085csi\\u009b"'),
    ("bad\udcff\udcfe.yaml", '"bad\\xff\\xfe.yaml"'),
    ("lone\ud800", '"lone\\ud800"'),
    # bidirectional controls ("Trojan Source") and line separators
    ("user\u202eexe.txt", '"user\\u202eexe.txt"'),
    ("\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c",
     '"\\u2066\\u2067\\u2068\\u2069\\u202a\\u202b\\u202c\\u202d\\u200e\\u200f\\u061c"'),
    ("a\u2028b\u2029c", '"a\\u2028b\\u2029c"'),
    ("\ufffe\uffff", '"\\ufffe\\uffff"'),
    # once quoted, backslash and double quote are escaped: the quoted form is unambiguous
    ('say "hi"\\\n', '"say \\"hi\\"\\\\\\n"'),
    # a string that starts with a double quote is quoted too, so it cannot pass for an escape
    ('"\\x1b"', '"\\"\\\\x1b\\""'),
])
def test_terminal_exact(raw: str, shown: str) -> None:
    assert terminal(raw) == shown


def _unquote(shown: str) -> str:
    """The inverse of ``terminal`` (what a reader of the output can do)."""
    if not shown.startswith('"'):
        return shown
    assert shown.endswith('"') and len(shown) >= 2
    body = shown[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            assert ch != '"', "an unescaped quote inside a quoted string"
            out.append(ch)
            i += 1
            continue
        kind = body[i + 1]
        if kind in "\\\"":
            out.append(kind)
            i += 2
        elif kind in "tnr":
            out.append({"t": "\t", "n": "\n", "r": "\r"}[kind])
            i += 2
        elif kind == "x":
            code = int(body[i + 2:i + 4], 16)
            out.append(chr(code) if code < 0x80 else chr(0xDC00 + code))
            i += 4
        else:
            assert kind == "u"
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
    return "".join(out)


@given(st.text(alphabet=st.characters(codec=None, categories=None), max_size=80))
def test_terminal_is_safe_and_reversible(raw: str) -> None:
    shown = terminal(raw)
    assert UNSAFE.search(shown) is None
    assert _unquote(shown) == raw  # two strings never show the same
    shown.encode("utf-8")  # writable to any UTF-8 stream


@given(st.text(alphabet="ab\\\"\n\x1b\u202e\udcff", max_size=12))
def test_terminal_tricky_alphabet(raw: str) -> None:
    shown = terminal(raw)
    assert UNSAFE.search(shown) is None and _unquote(shown) == raw


def test_terminal_handles_10_kb_lines() -> None:
    raw = ("A" * 5000 + "\x1b[8m" + "B" * 5000) * 2
    shown = terminal(raw)
    assert shown == '"' + ("A" * 5000 + "\\x1b[8m" + "B" * 5000) * 2 + '"'


def test_unicode_scalars() -> None:
    assert unicode_scalars("bad\udcff\udcfe/Dockerfile") == "bad\ufffd\ufffd/Dockerfile"
    assert unicode_scalars("ok \U0001f600 \x1b") == "ok \U0001f600 \x1b"  # only surrogates


def test_json_dumps_writes_no_lone_surrogate() -> None:
    doc = {"path\udcff": ["bad\udcff\udcfe", ("t\ud800",)], "n": 1, "emoji": "\U0001f600",
           "literal": "\\udcff is text", "ctl": "\x1b[2J\n"}
    text = json_dumps(doc)
    assert text.isascii()
    assert json.loads(text) == {
        "path\ufffd": ["bad\ufffd\ufffd", ["t\ufffd"]], "n": 1, "emoji": "\U0001f600",
        "literal": "\\udcff is text", "ctl": "\x1b[2J\n",
    }
    # strict readers refuse a lone surrogate escape: every string read back is valid Unicode
    json.dumps(json.loads(text), ensure_ascii=False).encode("utf-8")
    # the ordinary case is json.dumps itself
    plain = {"a": "b", "c": [1, 2.5, None, True]}
    assert json_dumps(plain) == json.dumps(plain)
    assert json_dumps(plain, indent=2) == json.dumps(plain, indent=2)
