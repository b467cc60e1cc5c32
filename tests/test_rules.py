"""Every fixture, every rule: the exact set of (rule, line) pairs must match the labels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_json
from labels import read_labels

FIXTURE_FILES = sorted(
    p for p in FIXTURES.rglob("*")
    if p.is_file() and not p.name.endswith(".expect") and not p.name.startswith(".")
    and "_support" not in p.parts and not p.name.endswith(".md")
)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    labels = read_labels(path)
    # Run from the fixture's directory so its .hullcheck.yaml (if any) applies, and report
    # the path relative to it.
    monkeypatch.chdir(path.parent)
    _code, doc, _err = run_json(capsys, "scan", path.name, "--fail-on", "never", *labels.args)
    assert not doc["errors"], doc["errors"]
    got = {(f["rule"], f["location"].get("line")) for f in doc["findings"]
           if f["rule"] not in labels.ignore}
    missing = labels.expect - got
    unexpected = got - labels.expect
    assert not missing and not unexpected, (
        f"\nmissing (should fire): {sorted(missing)}\n"
        f"unexpected (false positives): {sorted(unexpected)}"
    )
    contradictions = labels.expect & labels.ok
    assert not contradictions, f"labelled both expect and ok: {contradictions}"


def test_fixtures_exist_for_every_rule() -> None:
    """Every rule has at least one fixture that fires and one near miss labelled ``ok``,
    unless it judges only live inputs (host, image), whose tests live elsewhere."""
    from hullcheck.rules import all_rules

    fired: set[str] = set()
    near: set[str] = set()
    for path in FIXTURE_FILES:
        labels = read_labels(path)
        fired |= {r for r, _ in labels.expect}
        near |= {r for r, _ in labels.ok}
    # Rules that also judge images or a host need live components; their labelled cases are the
    # live tests (tests/live), not static fixtures.
    static = [r for r in all_rules() if r.inputs & {"dockerfile", "compose", "kubernetes"}
              and not r.inputs & {"image", "host"}]
    assert not [r.id for r in static if r.id not in fired], "rules without a firing fixture"
    assert not [r.id for r in static if r.id not in near], "rules without a near-miss fixture"
    assert os.path.isdir(ROOT / "examples")
