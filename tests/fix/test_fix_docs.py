"""docs/fix.md's table of fixes is the fixes the rules declare (``Rule.autofixes``)."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, run_cli
from hullcheck.fix import PLATFORMS, Fix
from hullcheck.rules import FAMILIES, rules_for_kinds

DOC = (ROOT / "docs" / "fix.md").read_text()


def declared() -> set[tuple[str, str, str]]:
    kinds = {k for _, serves in FAMILIES for k in serves}
    return {(r.id, f.platform, "unsafe" if f.unsafe else "safe")
            for r in rules_for_kinds(kinds) for f in r.autofixes}


def test_the_table_lists_every_declared_fix() -> None:
    rows = set(re.findall(r"^\| ([A-Z0-9]+) \| (\w+) \| (safe|unsafe) \|", DOC, re.MULTILINE))
    assert rows == declared()
    assert len(rows) == 16


def test_every_fix_is_complete_and_importable() -> None:
    import importlib

    kinds = {k for _, serves in FAMILIES for k in serves}
    for rule in rules_for_kinds(kinds):
        for fix in rule.autofixes:
            assert isinstance(fix, Fix) and fix.platform in PLATFORMS
            assert fix.summary and fix.assumes, rule.id
            assert not fix.unsafe or fix.verify, rule.id
            module, _, name = fix.edit.partition(":")
            assert callable(getattr(importlib.import_module(module), name)), fix.edit
        # one fix per platform: the platform of a finding picks it
        platforms = [f.platform for f in rule.autofixes]
        assert len(platforms) == len(set(platforms)), rule.id


def test_explain_shows_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", "K8S017")
    assert code == 0
    assert out.endswith(
        "\n## hullcheck fix\n\n- kubernetes, safe: set securityContext.seccompProfile.type: "
        "RuntimeDefault where it is unset or invalid. Assumes the workload makes no system call "
        "the container runtime's default profile blocks (what Docker runs every container "
        "with).\n")
