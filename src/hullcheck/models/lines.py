"""Mappings and sequences that remember the lines they came from.

What YAML inputs are loaded into (``hullcheck.yamlutil`` builds them and re-exports both names),
and what Kubernetes models keep so rules can point at the offending field.

Lines are read only when something is reported, but every mapping and list of every file carries
them, so they are stored compactly (issue 19: a second dictionary per mapping was a fifth of a
Kubernetes scan's memory). A value the YAML loader built keeps a *shape*: the keys in insertion
order and each key's (item's) line as an offset from the container's own line, shared by every
container that looks the same (``Deployment.spec.template.metadata`` of a thousand files is one
shape). ``key_lines`` / ``item_lines`` turn a container's shape into a plain dictionary (list) of
its own the first time code asks for them, so the inputs that edit lines (compose's merging) keep
working unchanged.
"""

from __future__ import annotations

from typing import Any

# Shapes handed out so far: equal shapes are one object. Bounded: past this many distinct shapes
# (only a hostile or truly huge input gets there) new ones are simply not shared.
MAX_SHARED_SHAPES = 200_000
_shapes: dict[Any, Any] = {}


def share(shape: Any) -> Any:
    """The one stored copy of ``shape`` (a hashable tuple), stored now if new and room is left."""
    found = _shapes.get(shape)
    if found is not None:
        return found
    if len(_shapes) < MAX_SHARED_SHAPES:
        _shapes[shape] = shape
    return shape


def forget_shapes() -> None:
    """Drop the table of shared shapes (the values that use them keep theirs)."""
    _shapes.clear()


def packed(offs: list[int]) -> bytes | tuple[int, ...]:
    """Line offsets as bytes when every one fits in a byte (nearly always: keys and items
    follow their container within 255 lines), else as a tuple of ints."""
    try:
        return bytes(offs)
    except ValueError:  # an offset below 0 (a merged key) or past 255
        return tuple(offs)


class LineDict(dict[Any, Any]):
    """A mapping that knows its line and the line of each key, and the local tag (``!reset``,
    ``!override``, ``!Ref``...) of a value that carries one (``key_tags``, None when no value of
    this mapping is tagged: most mappings never need the dictionary).

    ``_lines`` is None (no key lines recorded), a shared shape ``(keys, offsets)`` set by the
    YAML loader (``set_shape``), or this mapping's own ``{key: line}`` once ``key_lines`` has
    been asked for."""

    __slots__ = ("_lines", "key_tags", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self._lines: Any = None
        self.key_tags: dict[Any, str] | None = None

    def set_shape(self, offs: list[int], shared: bool = True) -> None:
        """Record the line of each key as its offset from ``line``, in insertion order (the
        loader's call, once every key is in). ``shared`` False keeps the shape to this mapping:
        keys that are not all strings (``1`` and ``True`` are equal keys of a shared table)."""
        shape = (tuple(self), packed(offs))
        self._lines = share(shape) if shared else shape

    @property
    def key_lines(self) -> dict[Any, int]:
        """The line of each key, as a dictionary this mapping owns (editable)."""
        lines = self._lines
        if type(lines) is dict:
            return lines
        own: dict[Any, int] = {}
        if lines is not None:
            keys, offs = lines
            base = self.line
            own = {k: base + o for k, o in zip(keys, offs, strict=True)}
        self._lines = own
        return own

    def __reduce_ex__(self, protocol: Any) -> Any:
        # Values parsed in a child process come back pickled (``sources.parse_ahead``): a plain
        # constructor call and the items, twice as fast as pickle's way for a dict subclass
        # with slots. Subclasses (compose's TrackedDict) keep pickle's own way.
        if type(self) is not LineDict:
            return super().__reduce_ex__(protocol)
        return (_line_dict, (self.line, self._lines, self.key_tags), None, None,
                iter(dict.items(self)))

    def tag_of(self, key: Any) -> str | None:
        """The local tag written on the value of ``key`` (``"!reset"``), if any."""
        return self.key_tags.get(key) if self.key_tags else None

    def set_tag(self, key: Any, tag: str) -> None:
        if self.key_tags is None:
            self.key_tags = {}
        self.key_tags[key] = tag

    def has_line(self, key: Any) -> bool:
        """Whether the line of ``key`` is known (it was written, not added later)."""
        lines = self._lines
        if lines is None:
            return False
        if type(lines) is dict:
            return key in lines
        return key in lines[0]

    def line_of(self, key: Any, default: int | None = None) -> int:
        lines = self._lines
        if lines is not None:
            if type(lines) is dict:
                if key in lines:
                    return int(lines[key])
            else:
                keys, offs = lines
                for i, k in enumerate(keys):
                    if k == key:
                        return self.line + offs[i]
        return default if default is not None else self.line


class LineList(list[Any]):
    """A sequence that knows its line and the line of each item.

    ``_lines`` is None (no item lines recorded), shared offsets from ``line`` (bytes or a
    tuple, set by the YAML loader) or this list's own list of lines once ``item_lines`` has
    been asked for."""

    __slots__ = ("_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self._lines: Any = None

    def __reduce_ex__(self, protocol: Any) -> Any:
        if type(self) is not LineList:  # see LineDict.__reduce_ex__
            return super().__reduce_ex__(protocol)
        return (_line_list, (self.line, self._lines), None, iter(list.__iter__(self)))

    def set_item_lines(self, offs: list[int]) -> None:
        """Record the line of each item as its offset from ``line`` (the loader's call)."""
        self._lines = share(packed(offs))

    @property
    def item_lines(self) -> list[int]:
        """The line of each item, as a list this sequence owns (editable)."""
        lines = self._lines
        if type(lines) is list:
            return lines
        base = self.line
        own = [base + o for o in lines] if lines is not None else []
        self._lines = own
        return own

    def line_of(self, index: int) -> int:
        lines = self._lines
        if lines is not None and 0 <= index < len(lines):
            if type(lines) is list:
                return int(lines[index])
            return self.line + lines[index]
        return self.line


def _line_dict(line: int, lines: Any, tags: dict[Any, str] | None) -> LineDict:
    """A LineDict as pickled (its items follow)."""
    value = LineDict.__new__(LineDict)
    value.line, value._lines, value.key_tags = line, lines, tags
    return value


def _line_list(line: int, lines: Any) -> LineList:
    """A LineList as pickled (its items follow)."""
    value = LineList.__new__(LineList)
    value.line, value._lines = line, lines
    return value
