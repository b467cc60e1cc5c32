"""Round-trip YAML editing for ``hullcheck fix`` (ruamel.yaml, imported only here).

A file is edited only if ruamel.yaml writes it back byte for byte before any edit (comments,
key order, quoting, anchors, indentation, document markers): with the indentation that does so
found, the edits touch only the nodes they change. A file that does not round-trip exactly is
refused with a line saying so, never reformatted.

Shared nodes are never edited in place: a mapping or sequence that carries an anchor (its
aliases would change too), or a value reached through a merge key (``<<: *base``), belongs to
more than the finding's object, and the edit reports that instead.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from hullcheck.fix import EditRefused, Refused

# The largest YAML file ``fix`` edits (bytes): ruamel.yaml is pure Python (a 400 KB stream of
# 1,359 Deployments, every one edited, takes about 10 s of CPU: loaded, dumped, spliced, read
# back); scanning reads far larger files.
MAX_FIX_YAML_BYTES = 1024 * 1024
# How many indentation settings are tried before a file is refused as not round-tripping.
INDENT_TRIES = 6
_WIDTH = 1 << 30  # never re-wrap a long scalar
# The share of lines ruamel.yaml's dump of an unedited file must reproduce (difflib's ratio) for
# the file to be edited at all: below it, the indentation was not understood.
MIN_LAYOUT_MATCH = 0.9
# How far ahead (lines, on each side) the line alignment looks for the two texts to agree again
# after a difference: an edit inserting more lines than this at one place is refused.
RESYNC_WINDOW = 64

_KEY_LINE = re.compile(r"^( *)(?:- +)?[^\s#-][^#]*:\s*(?:#.*)?$")


def _indent_guesses(text: str) -> list[tuple[int, int, int]]:
    """(mapping, sequence, offset) settings to try, the one the text suggests first."""
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    mapping = seq = off = None
    for a, b in itertools.pairwise(lines):
        m = _KEY_LINE.match(a)
        if not m or a.rstrip().endswith(("|", ">", "-")):
            continue
        base = len(m.group(1)) + (len(a) - len(a.lstrip(" -")) - len(m.group(1)))
        ind = len(b) - len(b.lstrip(" "))
        if ind <= base:
            continue
        if b.lstrip(" ").startswith("- "):
            if off is None:
                off = ind - base
                seq = off + 2
        elif mapping is None:
            mapping = ind - base
        if mapping is not None and off is not None:
            break
    guesses: list[tuple[int, int, int]] = []
    if mapping or off is not None:
        mp = mapping or 2
        guesses.append((mp, seq if seq is not None else mp, off or 0))
    guesses += [(2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (3, 3, 0)]
    return list(dict.fromkeys(guesses))[:INDENT_TRIES]


def _yaml(indent: tuple[int, int, int], explicit_start: bool) -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = _WIDTH
    y.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    y.explicit_start = explicit_start
    # [{port: 80}] stays as written (ruamel.yaml's default writes the compact [port: 80])
    y.brace_single_entry_mapping_in_flow_sequence = True
    return y


@dataclass
class YamlFile:
    """One YAML file open for editing: its documents as ruamel round-trip nodes."""

    path: str
    original: str  # the text as read (after the BOM, line endings as they were)
    docs: list[Any] = field(default_factory=list)
    crlf: bool = False
    bom: bool = False
    _yaml: Any = None
    base_text: str = ""  # ruamel.yaml's dump of the unedited documents
    norm: str = ""  # the original with "\n" line endings
    # id(mapping) -> (mapping, first key added to it): where trailing comments move on render
    added: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # per-file indexes the edits build once

    @classmethod
    def parse(cls, path: str, data: bytes) -> YamlFile:
        if len(data) > MAX_FIX_YAML_BYTES:
            raise Refused(f"too large to edit ({len(data)} bytes; fix edits YAML files of at "
                          f"most {MAX_FIX_YAML_BYTES})")
        bom = data.startswith(b"\xef\xbb\xbf")
        try:
            text = data[3 if bom else 0:].decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("not UTF-8") from None
        crlf = "\r\n" in text
        norm = text.replace("\r\n", "\n")
        if "\r" in norm or (crlf and text.count("\n") != text.count("\r\n")):
            raise Refused("mixed line endings; fix would have to change them")
        first = next((ln for ln in norm.split("\n") if ln.strip() and not ln.startswith("#")),
                     "")
        explicit = first.startswith("---")
        best: tuple[float, Any, str] | None = None
        try:
            docs = list(_yaml(_indent_guesses(norm)[0], explicit).load_all(norm))
            for indent in _indent_guesses(norm):
                y = _yaml(indent, explicit)
                base = _dump(y, docs)
                if base == norm:
                    best = (1.0, y, base)
                    break
                ratio = _match_ratio(base.split("\n"), norm.split("\n"))
                if best is None or ratio > best[0]:
                    best = (ratio, y, base)
        except RecursionError:
            raise Refused("nested too deeply to edit") from None
        except Exception as exc:  # ruamel's errors: one line, the file is left alone
            msg = str(exc).strip().splitlines()
            raise Refused(f"cannot parse for editing: {msg[0] if msg else type(exc).__name__}"
                          ) from None
        assert best is not None
        if best[0] < MIN_LAYOUT_MATCH:
            raise Refused("its layout does not survive a YAML round trip (indentation "
                          "ruamel.yaml cannot reproduce); fix it by hand")
        return cls(path, text, docs, crlf, bom, best[1], base_text=best[2], norm=norm)

    def render(self) -> str:
        """The original text with the edited lines spliced in: ruamel.yaml's dump before and
        after the edits are compared, and only the lines that differ are carried over to the
        original, where their surroundings read the same; the rest stays byte for byte."""
        for parent, key in self.added.values():
            _move_trailing(parent, key)
        self.added.clear()
        new = _dump(self._yaml, self.docs)
        if new == self.base_text:
            return self.original
        spliced = _splice(self.norm.split("\n"), self.base_text.split("\n"), new.split("\n"))
        if spliced is None:
            raise Refused("an edit falls where ruamel.yaml cannot reproduce the file's layout; "
                          "fix it by hand")
        text = "\n".join(spliced)
        # What was written must read back as exactly the edited documents.
        try:
            check = _dump(self._yaml, list(self._yaml.load_all(text)))
        except Exception:
            check = None
        if check != new:
            raise Refused("the edited file would not read back as edited; fix it by hand")
        return text.replace("\n", "\r\n") if self.crlf else text

    def encode(self, text: str) -> bytes:
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


def _dump(y: Any, docs: list[Any]) -> str:
    out = io.StringIO()
    y.dump_all(docs, out)
    return out.getvalue()


def _blocks(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Matching blocks (i, j, size) of two line lists that differ in few, local places (a file
    and ruamel.yaml's dump of it, a dump before and after edits), ending with (len a, len b, 0).

    Linear where they agree: equal runs are walked in step, and after a difference the nearest
    place where both agree again on two lines in a row, at most RESYNC_WINDOW lines ahead on
    each side, is taken (difflib's matcher is quadratic on the repeated lines of a manifest
    stream). Past a difference with no such place, the rest is left unmatched."""
    n, m = len(a), len(b)
    i = j = 0
    blocks: list[tuple[int, int, int]] = []
    while i < n and j < m:
        if a[i] == b[j]:
            si, sj = i, j
            while i < n and j < m and a[i] == b[j]:
                i += 1
                j += 1
            blocks.append((si, sj, i - si))
            continue
        found = None
        for d in range(1, 2 * RESYNC_WINDOW + 1):
            for di in range(max(0, d - RESYNC_WINDOW), min(d, RESYNC_WINDOW) + 1):
                ii, jj = i + di, j + d - di
                if ii < n and jj < m and a[ii] == b[jj] and (
                        ii + 1 >= n or jj + 1 >= m or a[ii + 1] == b[jj + 1]):
                    found = (ii, jj)
                    break
            if found is not None:
                break
        if found is None:
            break
        i, j = found
    blocks.append((n, m, 0))
    return blocks


def _opcodes(blocks: list[tuple[int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes from matching blocks."""
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for ai, bj, size in blocks:
        if i < ai or j < bj:
            tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert"
            ops.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            ops.append(("equal", ai, i, bj, j))
    return ops


def _match_ratio(a: list[str], b: list[str]) -> float:
    if a == b:
        return 1.0
    matched = sum(size for _, _, size in _blocks(a, b))
    return 2.0 * matched / max(1, len(a) + len(b))


def _splice(orig: list[str], base: list[str], new: list[str]) -> list[str] | None:
    """``orig`` with the changes from ``base`` to ``new`` applied, where every changed line of
    ``base`` (and the lines around an insertion) is also a line of ``orig``; else None."""
    where: dict[int, int] = {}
    if base == orig:
        where = {k: k for k in range(len(base))}
    else:
        for a, b, size in _blocks(base, orig):
            for k in range(size):
                where[a + k] = b + k
    out: list[str] = []
    pos = 0
    for tag, i1, i2, j1, j2 in _opcodes(_blocks(base, new)):
        if tag == "equal":
            continue
        if i1 < i2:
            if any(k not in where for k in range(i1, i2)):
                return None
            start, end = where[i1], where[i2 - 1] + 1
            if end - start != i2 - i1:
                return None
        else:  # an insertion: both neighbours must be where they were
            before = where.get(i1 - 1) if i1 > 0 else -1
            after = where.get(i1) if i1 < len(base) else len(orig)
            if before is None or after is None or after != before + 1:
                return None
            start = end = before + 1
        if start < pos:
            return None
        out += orig[pos:start] + new[j1:j2]
        pos = end
    return out + orig[pos:]


# --- navigation that knows what is shared ---------------------------------------------------

@dataclass
class Node:
    """A mapping or sequence reached from a document, and whether it is shared with other
    places (an anchor on it or on the way to it, or a value that came through a merge key)."""

    value: Any
    shared: bool = False
    where: str = ""
    added: dict[int, tuple[Any, Any]] | None = None  # YamlFile.added, shared by every node

    def child(self, key: Any) -> Node | None:
        v = self.value
        if isinstance(v, CommentedMap):
            if key not in v:
                return None
            merged = bool(getattr(v, "merge", None)) and key not in _own_keys(v)
            return Node(v[key], self.shared or merged or _anchored(v[key]), f"{self.where}.{key}",
                        self.added)
        if isinstance(v, CommentedSeq) and isinstance(key, int) and 0 <= key < len(v):
            return Node(v[key], self.shared or _anchored(v[key]), f"{self.where}[{key}]",
                        self.added)
        return None

    def path(self, *keys: Any) -> Node | None:
        node: Node | None = self
        for k in keys:
            node = node.child(k) if node is not None else None
        return node

    def writable(self) -> Any:
        if self.shared:
            raise EditRefused(f"{self.where.lstrip('.') or 'the document'} is shared through a "
                              "YAML anchor or merge key; fix it by hand")
        return self.value

    def mapping(self, key: str) -> Node:
        """The mapping under ``key``, created (empty, at the end) when absent."""
        parent = self.writable()
        if not isinstance(parent, CommentedMap):
            raise EditRefused(f"{self.where.lstrip('.')} is not a mapping")
        found = self.child(key)
        if found is None:
            self._insert(parent, key, CommentedMap())
            found = self.child(key)
            assert found is not None
        elif not isinstance(found.value, CommentedMap):
            raise EditRefused(f"{found.where.lstrip('.')} is not a mapping")
        return found

    def set(self, key: str, value: Any) -> None:
        parent = self.writable()
        if not isinstance(parent, CommentedMap):
            raise EditRefused(f"{self.where.lstrip('.')} is not a mapping")
        if key in parent:
            parent[key] = value  # in place: position and comments stay
        else:
            self._insert(parent, key, value)

    def _insert(self, parent: CommentedMap, key: str, value: Any) -> None:
        parent[key] = value  # at the end of the mapping
        if self.added is not None and id(parent) not in self.added:
            self.added[id(parent)] = (parent, key)  # the first key added to it

    def line(self) -> int | None:
        lc = getattr(self.value, "lc", None)
        return lc.line + 1 if lc is not None and lc.line is not None else None


def _own_keys(m: CommentedMap) -> set[Any]:
    ok = getattr(m, "_ok", None)
    return set(ok) if ok is not None else set(m.keys())


def _anchored(value: Any) -> bool:
    anchor = getattr(value, "anchor", None)
    return bool(anchor is not None and getattr(anchor, "value", None))


def flow_seq(*items: Any) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def like(original: Any, text: str) -> Any:
    """``text`` as a scalar quoted the way ``original`` was."""
    if isinstance(original, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(text)
    if isinstance(original, SingleQuotedScalarString):
        return SingleQuotedScalarString(text)
    return text


def documents(f: YamlFile) -> Iterator[Node]:
    for d in f.docs:
        yield Node(d, _anchored(d), "", f.added)


def _block(v: Any) -> bool:
    return isinstance(v, (CommentedMap, CommentedSeq)) and len(v) > 0 and not v.fa.flow_style()


def _trailing_slot(node: Any, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel.yaml keeps the comment that follows ``node[key]``'s last line: the deepest
    last entry of a block value, else the entry itself (slot 2 in a mapping, 0 in a sequence)."""
    while _block(node[key]):
        node = node[key]
        key = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
    return node, key, 2 if isinstance(node, CommentedMap) else 0


def _move_trailing(parent: CommentedMap, first_new: Any) -> None:
    """Keys appended to ``parent`` go before what trailed its old last entry (blank lines and
    comments that introduce whatever comes next), not after it."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    # Only the mapping's own entries: keys a merge (``<<: *base``) brings belong to the anchor.
    own = _own_keys(parent)
    keys = [k for k in parent if k in own]
    i = keys.index(first_new)
    if i == 0:
        return
    node, key, slot = _trailing_slot(parent, keys[i - 1])
    tokens = node.ca.items.get(key)
    token = tokens[slot] if tokens and len(tokens) > slot else None
    if token is None or not isinstance(token.value, str):
        return
    head, newline, rest = token.value.partition("\n")
    if not newline or not rest:
        return
    token.value = head + newline
    dnode, dkey, dslot = _trailing_slot(parent, keys[-1])
    slots = dnode.ca.items.setdefault(dkey, [None, None, None, None])
    if slots[dslot] is None:
        slots[dslot] = CommentToken("\n" + rest, CommentMark(0), None)
