"""The dated table of Docker Engine releases shipped as package data (for CIS 1.2.2)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``20.10.24+dfsg1`` -> (20, 10, 24); distribution suffixes are ignored."""
    m = _VERSION.match(text.strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


@dataclass(frozen=True, slots=True)
class ReleaseTable:
    date: str
    releases: tuple[dict[str, Any], ...]

    @property
    def newest(self) -> dict[str, Any]:
        return max(self.releases, key=lambda r: parse_version(r["latest"]) or (0, 0, 0))

    def series_of(self, version: tuple[int, int, int]) -> dict[str, Any] | None:
        for r in self.releases:
            if parse_version(r["first"])[:2] == version[:2]:  # type: ignore[index]
                return r
        return None


@cache
def release_table() -> ReleaseTable:
    raw = resources.files("hullcheck").joinpath("data", "docker-engine-releases.json")
    data = json.loads(raw.read_text("utf-8"))
    return ReleaseTable(date=str(data["date"]), releases=tuple(data["releases"]))
