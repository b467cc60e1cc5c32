"""KNS018 rates a wildcard by the verbs and groups it reaches (issue 24): reading the
read-only metrics groups is low, reading another group's everything medium, writes, every group
and the core group's everything (Secrets) high; * on * is KNS016's."""

from __future__ import annotations

import pytest

from conftest import ROOT, run_json

FIXTURE = ROOT / "tests" / "fixtures" / "cluster" / "rbac-wildcard-reach.yaml"


def test_severity_by_reach(capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(FIXTURE), "--select", "KNS", "--fail-on", "never")
    got = sorted((f["location"]["line"], f["rule"], f["severity"]) for f in doc["findings"]
                 if f["rule"] in ("KNS016", "KNS018"))
    assert got == [
        (9, "KNS018", "low"), (12, "KNS018", "low"),
        (23, "KNS018", "medium"), (26, "KNS018", "high"), (29, "KNS018", "high"),
        (32, "KNS018", "high"), (35, "KNS018", "medium"),
        (43, "KNS016", "critical"),
    ]
    low = next(f for f in doc["findings"] if f["location"]["line"] == 9)
    assert low["message"].endswith("'*' in resources (API groups that serve reads only).")
    # Named by id, KNS018 reports the * on * rule too (an explicit selection always reports).
    _, doc, _ = run_json(capsys, "scan", str(FIXTURE), "--select", "KNS016,KNS018",
                         "--fail-on", "never")
    assert ("KNS018", 43) in {(f["rule"], f["location"]["line"]) for f in doc["findings"]}
