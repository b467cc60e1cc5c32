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
    ("hullcheck.rules.image", frozenset({"image", "host"})),
    ("hullcheck.rules.node", frozenset({"node"})),
    # IMG017 and IMG019 also verify the images Dockerfiles, compose files and manifests name:
    # for those only their modules are imported, not the whole image family (a fifth of a
    # one-file scan's start-up). Listed after their family, so the registry order is the
    # family's.
    ("hullcheck.rules.image.signature:Signature",
     frozenset({"dockerfile", "compose", "kubernetes"})),
    ("hullcheck.rules.image.attestation:Attestation",
     frozenset({"dockerfile", "compose", "kubernetes"})),
)


@cache
def _family(entry: str) -> tuple[type[Rule], ...]:
    """A family package's ``RULES``, or the one rule a ``module:Class`` entry names."""
    module, _, attr = entry.partition(":")
    if attr:
        rule: type[Rule] = getattr(importlib.import_module(module), attr)
        return (rule,)
    rules: list[type[Rule]] = importlib.import_module(module).RULES
    return tuple(rules)


def rules_for_kinds(kinds: Iterable[str]) -> tuple[type[Rule], ...]:
    """The rules of every family that judges one of ``kinds``, in registry order."""
    wanted = set(kinds)
    return tuple(dict.fromkeys(rule for entry, serves in FAMILIES if serves & wanted
                               for rule in _family(entry)))


@cache
def all_rules() -> tuple[type[Rule], ...]:
    # Imported here, not at module level, so `hullcheck --version` never loads a rule.
    return tuple(dict.fromkeys(rule for entry, _ in FAMILIES for rule in _family(entry)))


def rules_by_id() -> dict[str, type[Rule]]:
    return {rule.id: rule for rule in all_rules()}
