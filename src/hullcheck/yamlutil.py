"""YAML with line numbers, safe against hostile documents.

PyYAML's C parser composes the node graph (fast); we build plain Python values from it ourselves so
that every mapping remembers the line of each key and every list the line of each item. Aliased
nodes are built once and shared (a "billion laughs" document costs its size, not its expansion),
merge keys (``<<``) are applied, and duplicate keys are reported the way ``docker compose`` and
``kubectl`` reject them.

Rules and inputs that walk these values generically must themselves keep a visited set (shared
aliases make the value a DAG, not a tree): use ``walk`` below.
"""

from __future__ import annotations

import gc
import operator
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

# Defined with the models (Kubernetes models keep them), importable from here as before.
from hullcheck.models.lines import LineDict as LineDict
from hullcheck.models.lines import LineList as LineList

try:  # the C parser when libyaml is present, else pure Python (same results, slower)
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Nesting deeper than this is no configuration anyone writes; refuse it before recursion does.
MAX_DEPTH = 500
# Distinct nodes per file; bounds memory for generated monsters (a 64 MB file has fewer).
MAX_NODES = 5_000_000
# What a document may expand to through aliases. Building shares aliased nodes, but anything that
# later walks a value (a rule stringifying an annotation, say) would pay the expansion: refuse
# documents whose aliases multiply them, as kubectl and docker compose (Go's yaml.v3: "document
# contains excessive aliasing") do. Plain documents expand to their own size and always pass.
MAX_EXPANDED = 4_000_000
MAX_EXPANSION_RATIO = 10
# Keys copied by merge keys (``<<``), per file. Unlike an alias, a merge copies: chained merges
# (each anchor merging the one before) grow quadratically, 186 KB of YAML to 668 MB. Counted as
# they are copied, so a bomb stops before memory grows (a key costs about 60 bytes: at most
# ~60 MB); compose files merge a few hundred keys.
MAX_MERGED_KEYS = 1_000_000

_MERGE = "tag:yaml.org,2002:merge"
# Local tags that direct a merge (compose 2.24+) but leave the value itself as written.
VALUE_TAGS = frozenset({"!reset", "!override"})
_STR = "tag:yaml.org,2002:str"
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
# Mapping keys repeat across objects and files (``name``, ``image``, ``containers``...): one
# string each instead of one per occurrence.
_intern = sys.intern
_INTERNED = 64


class YamlError(ValueError):
    """One line: what is wrong and the line it is on."""


@dataclass(slots=True)
class Document:
    data: Any
    line: int  # first line of the document
    duplicate_keys: Sequence[tuple[int, str]] = ()  # (line, key)


class _Budget:
    """What every document of one file may spend together."""

    def __init__(self) -> None:
        self.merged = 0


class _FastLoader(_Loader):
    """The C parser with the resolver's per-node hooks made cheap.

    The C composer calls ``descend_resolver``/``ascend_resolver`` around every node and
    ``resolve`` for every node's tag, in Python. Path resolvers (the only users of the first
    two) are never registered on the safe loader, so those two are C builtins that do nothing
    (``operator.is_`` takes the two arguments, ``tuple`` none; builtins do not bind as methods).
    ``resolve`` is ``Resolver.resolve`` without path resolvers, remembering the tag of short
    plain scalars (the same keys and values recur in every file). Composing bench/'s 1x tree:
    0.51 s with CSafeLoader, 0.34 s with this (issue 19); the same tags."""

    descend_resolver = operator.is_  # type: ignore[assignment]
    ascend_resolver = tuple  # type: ignore[assignment]

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is _ScalarNode:
            if implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = _plain_tag(value)
                    if len(value) <= _INTERNED and len(_PLAIN_TAGS) < MAX_REMEMBERED_TAGS:
                        _PLAIN_TAGS[_intern(value)] = tag
                return tag
            return _STR
        return _SEQ if kind is _SequenceNode else _MAP


# Plain scalars whose tag resolve remembers, at most (each at most _INTERNED characters).
MAX_REMEMBERED_TAGS = 50_000
_PLAIN_TAGS: dict[str, str] = {}


def _plain_tag(value: str) -> str:
    """The tag of a plain scalar: the implicit resolvers of its first character, in order."""
    # value[:1] is "" for the empty scalar: the null resolver's key, as in Resolver
    for tag, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


_IMPLICIT: dict[Any, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Resolver.resolve also consults wildcard (None) resolvers and path resolvers; the safe loader
# has neither, and _FastLoader relies on that staying true.
assert None not in _IMPLICIT and not _Loader.yaml_path_resolvers
# Stateless for the scalars built here (ints, floats, bools read from the node alone).
_SCALARS = yaml.constructor.SafeConstructor()


class _Builder:
    def __init__(self, budget: _Budget | None = None) -> None:
        self.budget = budget or _Budget()
        self.memo: dict[int, Any] = {}
        self.nodes = 0
        self.expanded: dict[int, int] = {}  # id(node) -> its size with aliases expanded
        self.duplicates: list[tuple[int, str]] = []

    def build_plain(self, node: yaml.Node, depth: int = 0) -> Any:
        """``build`` for a text without anchors and merge keys (nearly every file): nothing
        is shared, so no memo, no expansion sizes and no merges; the caller bounds the node
        count by the text's size. Scalars are built inline (no call per scalar)."""
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise YamlError(f"line {line}: nesting deeper than {MAX_DEPTH}")
        kind = type(node)
        if kind is _MappingNode:
            mapping = LineDict(line)
            offs: list[int] = []
            strings = True
            for k_node, v_node in node.value:
                if type(k_node) is _ScalarNode and k_node.tag == _STR:
                    k = _intern(k_node.value)
                else:
                    k = self.build_plain(k_node, depth + 1)
                    if type(k) is str:
                        k = _intern(k)
                    else:
                        strings = False
                        if isinstance(k, (dict, list)):
                            k = str(k_node.start_mark.line + 1)  # unhashable: addressable
                k_line = k_node.start_mark.line + 1
                if k in mapping:
                    self.duplicates.append((k_line, str(k)))
                    offs[list(mapping).index(k)] = k_line - line
                else:
                    offs.append(k_line - line)
                if type(v_node) is _ScalarNode:
                    tag = v_node.tag
                    if tag == _STR:
                        value = v_node.value
                        mapping[k] = _intern(value) if len(value) <= _INTERNED else value
                        continue
                    mapping[k] = self._scalar_value(v_node)
                else:
                    mapping[k] = self.build_plain(v_node, depth + 1)
                    tag = v_node.tag
                if tag[0] == "!" and not tag.startswith("!!"):
                    mapping.set_tag(k, tag)  # local tags: compose's !reset, !override
            mapping.set_shape(offs, shared=strings)
            return mapping
        if kind is _SequenceNode:
            seq = LineList(line)
            offs = []
            for item in node.value:
                if type(item) is _ScalarNode and item.tag == _STR:
                    value = item.value
                    seq.append(_intern(value) if len(value) <= _INTERNED else value)
                else:
                    seq.append(self.build_plain(item, depth + 1))
                offs.append(item.start_mark.line - line + 1)
            seq.set_item_lines(offs)
            return seq
        if kind is _ScalarNode:
            if node.tag == _STR:
                value = node.value
                return _intern(value) if len(value) <= _INTERNED else value
            return self._scalar_value(node)  # type: ignore[arg-type]
        raise YamlError(f"line {line}: unsupported YAML node")  # pragma: no cover

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        # The hot loop of every YAML input (half a million nodes in bench/'s 2,161-file
        # Kubernetes tree): exact type tests, a scalar's tag read once, and a mapping's or
        # sequence's expanded size summed as its children are built. Scalars are not memoised
        # (an aliased scalar is rebuilt, as cheap as looking it up) and count 1 when expanded.
        kind = type(node)
        if kind is _ScalarNode:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise YamlError(f"more than {MAX_NODES} YAML nodes; refusing to continue")
            if depth > MAX_DEPTH:
                raise YamlError(
                    f"line {node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH}")
            if node.tag == _STR:
                value = node.value
                return _intern(value) if len(value) <= _INTERNED else value
            return self._scalar_value(node)  # type: ignore[arg-type]
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if depth > MAX_DEPTH:
            raise YamlError(f"line {node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH}")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes; refusing to continue")
        line = node.start_mark.line + 1
        expanded = self.expanded
        if kind is _SequenceNode:
            seq = LineList(line)
            self.memo[key] = seq
            size = 1
            offs = []
            for item in node.value:
                seq.append(self.build(item, depth + 1))
                offs.append(item.start_mark.line - line + 1)
                size += expanded.get(id(item), 1)
            seq.set_item_lines(offs)
            self._expansion(node, size)
            return seq
        if kind is _MappingNode:
            mapping = LineDict(line)
            self.memo[key] = mapping
            merges: list[LineDict] = []
            key_lines: dict[Any, int] = {}  # packed into the mapping's shape at the end
            size = 1
            for k_node, v_node in node.value:
                size += expanded.get(id(k_node), 1) + 1  # the value's own size once built
                if k_node.tag == _MERGE:
                    merged = self.build(v_node, depth + 1)
                    size += expanded.get(id(v_node), 1) - 1
                    if isinstance(merged, LineDict):
                        merges.append(merged)
                    elif isinstance(merged, list):
                        merges.extend(m for m in merged if isinstance(m, LineDict))
                    continue
                k = self.build(k_node, depth + 1)
                if type(k) is str:
                    k = _intern(k)
                elif isinstance(k, (dict, list)):
                    k = str(k_node.start_mark.line + 1)  # unhashable key: keep it addressable
                k_line = k_node.start_mark.line + 1
                if k in key_lines:
                    self.duplicates.append((k_line, str(k)))
                mapping[k] = self.build(v_node, depth + 1)
                size += expanded.get(id(v_node), 1) - 1
                key_lines[k] = k_line
                tag = v_node.tag
                if tag.startswith("!") and not tag.startswith("!!"):
                    mapping.set_tag(k, tag)  # local tags: compose's !reset, !override
            # Explicit keys win over merged ones; earlier merges win over later ones.
            for source in merges:
                self._charge_merge(node, source)
                # The source's own line table, made once: line_of on a shape looks a key up
                # by a walk, which a merge of many keys would repeat for every key.
                source_lines = source.key_lines
                for k, v in source.items():
                    if k not in mapping:
                        mapping[k] = v
                        key_lines[k] = source_lines.get(k, source.line)
                        tag = source.tag_of(k)
                        if tag is not None:
                            mapping.set_tag(k, tag)
            mapping.set_shape([key_lines[k] - line for k in mapping],
                              shared=all(type(k) is str for k in key_lines))
            self._expansion(node, size)
            return mapping
        raise YamlError(f"line {line}: unsupported YAML node")  # pragma: no cover

    def _charge_merge(self, node: yaml.Node, source: LineDict) -> None:
        """Count a merge's keys before copying them (one more for the merge itself, so merging
        empty mappings again and again is not free either)."""
        self.budget.merged += 1 + len(source)
        if self.budget.merged > MAX_MERGED_KEYS:
            raise YamlError(
                f"line {node.start_mark.line + 1}: merge keys (<<) copy more than "
                f"{MAX_MERGED_KEYS:,} keys (a merge-key bomb?)"
            )

    def _expansion(self, node: yaml.Node, size: int) -> None:
        self.expanded[id(node)] = size
        if size > MAX_EXPANDED and size > MAX_EXPANSION_RATIO * self.nodes:
            raise YamlError(
                f"line {node.start_mark.line + 1}: excessive aliasing: the document expands to "
                f"more than {MAX_EXPANDED:,} values through aliases (an alias bomb?)"
            )

    def _scalar_value(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in VALUE_TAGS and not node.style:  # plain (None, or "" from the C parser)
            # ``!override 8080``: the tag says how to merge, the value reads as if untagged.
            tag = _plain_tag(node.value)
        if tag == _STR or node.style in ("'", '"', "|", ">"):
            return node.value
        # YAML 1.1 reads ``22:22`` as a base-60 integer (1342); compose and kubectl (Go YAML
        # libraries) read it as the string it looks like. Port mappings depend on this.
        if ":" in node.value and tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return node.value
        try:
            if tag == "tag:yaml.org,2002:int":
                return _SCALARS.construct_yaml_int(node)
            if tag == "tag:yaml.org,2002:float":
                return _SCALARS.construct_yaml_float(node)
            if tag == "tag:yaml.org,2002:bool":
                return _SCALARS.construct_yaml_bool(node)
            if tag == "tag:yaml.org,2002:null":
                return None
        except (ValueError, yaml.YAMLError):
            return node.value
        # timestamps, binary and custom tags (!Ref ...) stay as their text
        return node.value


def load_documents(text: str) -> list[Document]:
    """Every document of a YAML stream; raises YamlError with the line of the problem.

    A file becomes many small containers that live until its scan ends: the cyclic garbage
    collector would rescan them again and again and find nothing to free (a third of the time
    on a 10,000-object Kubernetes tree). It is paused while a file is built, and the result is
    moved out of its sight (``gc.freeze``) until ``engine.scan`` ends (``gc.unfreeze``);
    reference counting still frees everything as usual.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_documents(text)
    finally:
        if paused:
            gc.freeze()
            gc.enable()


def _load_documents(text: str) -> list[Document]:
    docs: list[Document] = []
    budget = _Budget()
    # Without anchors nothing is shared and nothing merged (an alias needs an anchor, ``<<``
    # needs its two characters), and a node takes at least half a character of text: the plain
    # builder needs no memo, no expansion count and no node count.
    plain = "&" not in text and "<<" not in text and len(text) < MAX_NODES // 2
    builder: _Builder | None = None
    try:
        loader = _FastLoader(text)
        try:
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                if plain:  # one builder for the file: it keeps nothing between documents
                    builder = builder or _Builder(budget)
                    data = builder.build_plain(node)
                else:
                    builder = _Builder(budget)
                    data = builder.build(node)
                duplicates: Sequence[tuple[int, str]] = builder.duplicates or ()
                if duplicates:
                    builder.duplicates = []
                docs.append(Document(data, node.start_mark.line + 1, duplicates))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"{where}{problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise YamlError(f"nesting deeper than {MAX_DEPTH}") from None
    return docs


def walk(value: Any) -> Iterator[Any]:
    """Every container value reachable from ``value``, each once (aliases are shared)."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        v = stack.pop()
        if not isinstance(v, (dict, list)) or id(v) in seen:
            continue
        seen.add(id(v))
        yield v
        stack.extend(v.values() if isinstance(v, dict) else v)


def comment_lines(text: str) -> dict[int, str]:
    """Line number -> the comment on it (whole-line or trailing), for inline suppressions.

    A ``#`` inside quotes is not a comment; this scanner tracks quotes per line, which is what
    suppression comments need (they are never inside multi-line scalars we care about).
    """
    out: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line:
            continue
        quote: str | None = None
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in ("'", '"'):
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                out[number] = line[i:]
                break
    return out
