"""Rules of the kubernetes family."""

from __future__ import annotations

from hullcheck.rules.base import Rule

RULES: list[type[Rule]] = []
