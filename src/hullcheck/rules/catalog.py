"""Every rule's metadata without its code: what selectors, suppressions and SARIF's rule list
need, read from a generated table (``_catalog_data``, written by ``scripts/gen_rules_table.py``
from the rule classes; ``--check`` and ``tests/test_rule_catalog.py`` keep it equal to them).

A Kubernetes scan with an inline suppression or a ``--select`` validates the names against every
rule of every family; importing all 170 rule modules for that cost more than the scan of a small
manifest set. ``RuleInfo`` answers as the rule class would (``id``, ``all_references()``,
``documentation()``, ``doc_sections()`` ...), so the code that only reads metadata takes either.
"""

from __future__ import annotations

from functools import cache

from hullcheck.findings import Severity
from hullcheck.rules.base import split_doc


class RuleInfo:
    """One rule's metadata, as its class declares it (``hullcheck.rules.base.Rule``)."""

    __slots__ = ("doc", "extra_references", "family", "fix", "id", "inputs", "name",
                 "references", "severity", "title")

    def __init__(self, id: str, name: str, title: str, severity: Severity,
                 inputs: frozenset[str], references: tuple[str, ...],
                 extra_references: tuple[str, ...], fix: str, family: str, doc: str) -> None:
        self.id = id
        self.name = name
        self.title = title
        self.severity = severity
        self.inputs = inputs
        self.references = references
        self.extra_references = extra_references
        self.fix = fix
        self.family = family  # the ``rules.FAMILIES`` entry whose RULES hold the class
        self.doc = doc  # the docstring, as ``Rule.documentation()`` gives it

    def all_references(self) -> tuple[str, ...]:
        return (*self.references, *self.extra_references)

    def documentation(self) -> str:
        return self.doc

    def doc_sections(self) -> dict[str, str]:
        return split_doc(self.doc)

    def __repr__(self) -> str:
        return f"RuleInfo({self.id})"


@cache
def catalog() -> tuple[RuleInfo, ...]:
    """Every rule a selector may name, in registry order (``cli.catalogue()``'s)."""
    from hullcheck.rules._catalog_data import RULES

    return tuple(RuleInfo(rid, name, title, Severity(sev), frozenset(inputs), tuple(refs),
                          tuple(extra), fix, family, doc)
                 for rid, name, title, sev, inputs, refs, extra, fix, family, doc in RULES)


def check_tags() -> tuple[str, ...]:
    """The tags of the CIS Docker Benchmark's checks (``hostaudit.catalog.checks()``) and of the
    CIS Kubernetes Benchmark's node checks (``nodeaudit.checks()``), which selectors may name
    whether or not a rule judges them."""
    from hullcheck.rules._catalog_data import CHECK_TAGS

    return CHECK_TAGS
