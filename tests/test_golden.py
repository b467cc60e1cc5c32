"""Golden results: ``scan`` on the examples, every fixture family and the benchmark corpora reports
exactly what ``tests/golden/`` recorded (``scripts/golden.py --update`` writes them anew after a
deliberate change of behaviour; a refactor must leave them untouched)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden.py")
assert _spec is not None and _spec.loader is not None
golden = importlib.util.module_from_spec(_spec)
sys.modules["golden"] = golden
_spec.loader.exec_module(golden)

CASES = list(golden.cases())


def test_every_case_has_a_golden_file() -> None:
    assert {c.name for c in CASES} <= {p.stem for p in golden.GOLDEN.glob("*.json")}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scan_matches_golden(case: object, tmp_path: Path) -> None:
    diff = golden.compare(case.name, golden.run(case, tmp_path))  # type: ignore[attr-defined]
    assert diff is None, f"differs from tests/golden (scripts/golden.py shows it):\n{diff}"
