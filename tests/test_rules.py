"""Every fixture, every rule: the exact set of (rule, line) pairs must match the labels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_json
from labels import read_labels

_CANDIDATES = sorted(
    p for p in FIXTURES.rglob("*")
    if p.is_file() and not p.name.endswith(".expect") and not p.name.startswith(".")
    and "_support" not in p.parts and not p.name.endswith(".md")
)
# Companions (``# fixture-also:``) belong to their fixture and are not fixtures on their own.
_COMPANIONS = {
    (p.parent / also).resolve()
    for p in _CANDIDATES if not p.name.endswith(".env")
    for also in read_labels(p).also
}
FIXTURE_FILES = [p for p in _CANDIDATES if p.resolve() not in _COMPANIONS]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    labels = read_labels(path)
    # Run from the fixture's directory so its .hullcheck.yaml (if any) applies, and report
    # the path relative to it.
    monkeypatch.chdir(path.parent)
    targets = [a for a in labels.also if a.endswith((".yaml", ".yml"))]
    _code, doc, _err = run_json(capsys, "scan", path.name, *targets, "--fail-on", "never",
                                *labels.args)
    assert not doc["errors"], doc["errors"]
    # (rule, file, line): the fixture's own findings and its companions'.
    expect = {(r, path.name, n) for r, n in labels.expect}
    ok = {(r, path.name, n) for r, n in labels.ok}
    for also in labels.also:
        more = read_labels(path.parent / also)
        expect |= {(r, also, n) for r, n in more.expect}
        ok |= {(r, also, n) for r, n in more.ok}
    got = {(f["rule"], f["location"].get("path", path.name), f["location"].get("line"))
           for f in doc["findings"] if f["rule"] not in labels.ignore}
    missing = expect - got
    unexpected = got - expect
    assert not missing and not unexpected, (
        f"\nmissing (should fire): {sorted(missing)}\n"
        f"unexpected (false positives): {sorted(unexpected)}"
    )
    contradictions = expect & ok
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
