"""Mappings and sequences that remember the lines they came from.

What YAML inputs are loaded into (``hullcheck.yamlutil`` builds them and re-exports both names),
and what Kubernetes models keep so rules can point at the offending field.
"""

from __future__ import annotations

from typing import Any


class LineDict(dict[Any, Any]):
    """A mapping that knows its line and the line of each key, and the local tag (``!reset``,
    ``!override``, ``!Ref``...) of a value that carries one (``key_tags``, None when no value of
    this mapping is tagged: most mappings never need the dictionary)."""

    __slots__ = ("key_lines", "key_tags", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.key_tags: dict[Any, str] | None = None

    def tag_of(self, key: Any) -> str | None:
        """The local tag written on the value of ``key`` (``"!reset"``), if any."""
        return self.key_tags.get(key) if self.key_tags else None

    def set_tag(self, key: Any, tag: str) -> None:
        if self.key_tags is None:
            self.key_tags = {}
        self.key_tags[key] = tag

    def line_of(self, key: Any, default: int | None = None) -> int:
        return self.key_lines.get(key, default if default is not None else self.line)


class LineList(list[Any]):
    """A sequence that knows its line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line
