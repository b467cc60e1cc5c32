"""docs/platforms.md is the documented truth about which CT rule runs where: keep it exact."""

from __future__ import annotations

import re

from conftest import ROOT
from hullcheck.rules.container import RULES

TAG = re.compile(r"`(pss:[a-z]+:\w+|cis-[a-z0-9.-]+:[\d.]+|conformance)`")


def _rows() -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for line in (ROOT / "docs" / "platforms.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and re.fullmatch(r"CT\d{3}", cells[0]):
            rows[cells[0]] = cells
    return rows


def test_every_rule_has_a_row_and_nothing_else() -> None:
    assert sorted(_rows()) == sorted(r.id for r in RULES)


def test_table_matches_rule_attributes() -> None:
    rows = _rows()
    for rule in RULES:
        _id, name, docker_tags, compose, docker, kubernetes, instead = rows[rule.id]
        assert name == rule.name
        assert set(TAG.findall(docker_tags)) == set(rule.docker_refs), rule.id
        runs = {p for p, cell in (("compose", compose), ("docker", docker),
                                  ("kubernetes", kubernetes)) if cell == "yes"}
        assert runs == set(rule.platforms), rule.id
        tags = set(TAG.findall(instead))
        if "kubernetes" in rule.platforms:
            assert tags == set(rule.k8s_refs), rule.id
        else:
            # the PSS controls named first (before any parenthesised note) are the rule's
            named = set(TAG.findall(instead.split("(")[0]))
            assert named == set(rule.k8s_covered_by), rule.id


def test_pss_controls_exist() -> None:
    """Every PSS control named is a real pod-security-admission check id at its level."""
    text = (ROOT.parent.parent / "shared" / "reference" / "pod-security-standards.md")
    known = set(re.findall(r"`(\w+)` \(check_", text.read_text())) if text.exists() else set()
    for rule in RULES:
        for tag in rule.k8s_covered_by:
            _pss, level, control = tag.split(":")
            assert level in ("baseline", "restricted")
            if known:
                assert control in known, tag
