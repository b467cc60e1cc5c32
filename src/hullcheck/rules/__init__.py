"""The rule registry: one explicit list per family, no import-time discovery.

Each family package exposes ``RULES``, a list of rule classes sorted by id (a test enforces the
order and that ids are unique).
"""

from __future__ import annotations

from functools import cache

from hullcheck.rules.base import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    # Imported here, not at module level, so `hullcheck --version` never loads a rule.
    from hullcheck.rules import cluster, container, dockerfile, host, image, kubernetes

    families = (
        dockerfile.RULES,
        container.RULES,
        kubernetes.RULES,
        cluster.RULES,
        host.RULES,
        image.RULES,
    )
    return tuple(rule for family in families for rule in family)


def rules_by_id() -> dict[str, type[Rule]]:
    return {rule.id: rule for rule in all_rules()}
