"""The rule registry: one explicit list per family, no import-time discovery.

Each family package exposes ``RULES``, a list of rule classes sorted by id (a test enforces the
order and that ids are unique). ``FAMILIES`` says which input kinds each family judges, so a
scan of Dockerfiles imports only the families that can speak about Dockerfiles.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from hullcheck.rules.base import Rule

# family package -> the input kinds whose analysis may call the family's hooks
FAMILIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("hullcheck.rules.dockerfile", frozenset({"dockerfile"})),
    ("hullcheck.rules.container", frozenset({"compose", "kubernetes", "host"})),
    ("hullcheck.rules.kubernetes", frozenset({"kubernetes"})),
    ("hullcheck.rules.cluster", frozenset({"kubernetes"})),
    ("hullcheck.rules.host", frozenset({"host"})),
    # IMG017 also verifies the images Dockerfiles, compose files and manifests name.
    ("hullcheck.rules.image",
     frozenset({"image", "host", "dockerfile", "compose", "kubernetes"})),
)


@cache
def _family(module: str) -> tuple[type[Rule], ...]:
    rules: list[type[Rule]] = importlib.import_module(module).RULES
    return tuple(rules)


def rules_for_kinds(kinds: Iterable[str]) -> tuple[type[Rule], ...]:
    """The rules of every family that judges one of ``kinds``, in registry order."""
    wanted = set(kinds)
    return tuple(rule for module, serves in FAMILIES if serves & wanted
                 for rule in _family(module))


@cache
def all_rules() -> tuple[type[Rule], ...]:
    # Imported here, not at module level, so `hullcheck --version` never loads a rule.
    return tuple(rule for module, _ in FAMILIES for rule in _family(module))


def rules_by_id() -> dict[str, type[Rule]]:
    return {rule.id: rule for rule in all_rules()}
