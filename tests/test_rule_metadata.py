"""Every rule carries complete metadata and documentation; the registry is explicit and sorted."""

from __future__ import annotations

import re

import pytest

from hullcheck.findings import Severity
from hullcheck.rules import (
    all_rules,
    cluster,
    container,
    dockerfile,
    host,
    image,
    kubernetes,
    node,
)
from hullcheck.rules.base import DOC_HEADINGS, HOOKS, RULE_ID, Rule

FAMILIES = {
    "DF": dockerfile.RULES,
    "CT": container.RULES,
    "K8S": kubernetes.RULES,
    "KNS": cluster.RULES,
    "HOST": host.RULES,
    "IMG": image.RULES,
    "NODE": node.RULES,
}
INPUT_KINDS = {"dockerfile", "compose", "kubernetes", "host", "image", "node"}
TAG = re.compile(
    r"^(cis-docker-1\.6:\d+(\.\d+)*|cis-k8s-1\.10:\d+(\.\d+)*|pss:(baseline|restricted):\w+"
    r"|hadolint:DL\d{4}|dockle:[A-Z]+-[A-Z]+-\d{4}|conformance)$"
)


def test_ids_unique_and_families_sorted() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for prefix, rules in FAMILIES.items():
        family_ids = [r.id for r in rules]
        assert family_ids == sorted(family_ids), f"{prefix} registry is not sorted by id"
        for rid in family_ids:
            assert re.fullmatch(prefix + r"\d{3}", rid), f"{rid} is not in family {prefix}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_metadata_complete(rule: type[Rule]) -> None:
    assert RULE_ID.match(rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
    assert rule.title and not rule.title.endswith(".")
    assert isinstance(rule.severity, Severity)
    assert rule.inputs and rule.inputs <= INPUT_KINDS
    assert rule.fix, "a one-line fix is required"
    for ref in rule.references:
        assert TAG.match(ref), f"bad reference tag {ref!r}"
    sections = rule.doc_sections()
    for heading in DOC_HEADINGS:
        assert sections.get(heading), f"{rule.id}: docstring lacks '## {heading}'"
    assert "Before" in sections["How to fix"] or "before" in sections["How to fix"], (
        f"{rule.id}: 'How to fix' needs a before/after example"
    )
    hooks = [h for h in HOOKS if rule.implements(h)]
    assert hooks, f"{rule.id} implements no hook"


def test_readme_rules_table_is_current() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, str(root / "scripts" / "gen_rules_table.py"),
                           "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_one_rule_per_module() -> None:
    """Every public module of a rule family defines exactly one registered rule, and every rule
    lives in such a module: what rules share goes into the family's ``_*.py`` helpers."""
    import importlib
    import pkgutil

    import hullcheck.rules

    registered = set(all_rules())
    seen: dict[str, list[str]] = {}
    for family in pkgutil.iter_modules(hullcheck.rules.__path__):
        if not family.ispkg:
            continue
        package = importlib.import_module(f"hullcheck.rules.{family.name}")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            seen[module.__name__] = sorted(
                obj.id for obj in vars(module).values()
                if isinstance(obj, type) and obj in registered and obj.__module__ == module.__name__
            )
    assert {name: ids for name, ids in seen.items() if len(ids) != 1} == {}
    assert {rule.__module__ for rule in registered} <= set(seen)
    assert len(seen) == len(registered)
