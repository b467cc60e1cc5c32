"""Rules of the image family."""

from __future__ import annotations

from hullcheck.rules.base import Rule

RULES: list[type[Rule]] = []
