"""Rules of the dockerfile family."""

from __future__ import annotations

from hullcheck.rules.base import Rule

RULES: list[type[Rule]] = []
