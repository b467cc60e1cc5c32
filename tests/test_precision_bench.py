"""bench/precision/measure.py (issue 24): the judged sample parses, and the figures count what
its docstring says (precision over judged findings, changed rows apart from gone ones)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _measure() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "precision_measure", ROOT / "bench" / "precision" / "measure.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_parses_and_is_large_enough() -> None:
    m = _measure()
    sample = m.load_sample()
    assert len(sample) >= 150
    assert {v for v, _ in sample.values()} <= set(m.VERDICTS)
    assert all(reason.strip() for _, reason in sample.values())


def test_figures(tmp_path: Path) -> None:
    m = _measure()
    data = m.DATA / "a.yaml"

    def finding(line: int, sev: str, msg: str) -> dict:
        return {"rule": "CT001", "severity": sev, "message": msg,
                "location": {"path": str(data), "line": line, "container": "c"}}

    sha = m.message_sha
    sample = {
        ("data/a.yaml", 1, "CT001", "high", "c", sha("one")): ("true", "r"),
        ("data/a.yaml", 2, "CT001", "high", "c", sha("two")): ("false", "r"),
        ("data/a.yaml", 3, "CT001", "low", "c", sha("three")): ("context", "r"),
        ("data/a.yaml", 4, "CT001", "high", "c", sha("four")): ("misleading", "r"),
    }
    report = {"findings": [finding(1, "high", "one"), finding(3, "low", "three"),
                           finding(4, "low", "four, re-rated"), finding(5, "low", "new")],
              "summary": {"by_severity": {}}, "skipped": []}
    got = m.measure(report, sample, None)
    assert got["all"]["judged"] == 2 and got["all"]["strict"] == 0.5
    assert got["all"]["with_context"] == 1.0
    assert got["critical_high"]["judged"] == 1 and got["critical_high"]["strict"] == 1.0
    assert got["no_longer_reported"]["fixed_false_positives"] == 1  # line 2 left
    assert got["no_longer_reported"]["lost_true_positives"] == 0
    assert got["changed"] == {"count": 1, "verdicts_before": {"misleading": 1}}  # line 4
    assert got["unjudged"]["count"] == 2  # the re-rated line 4 and the new line 5
    # One input group here (data/): its figures are the overall ones, over its 4 findings.
    assert list(got["by_group"]) == ["data"]
    assert got["by_group"]["data"]["findings"] == 4
    assert got["by_group"]["data"]["all"] == got["all"]
    assert got["by_group"]["data"]["critical_high"] == got["critical_high"]
