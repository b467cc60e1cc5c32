from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_json


def test_generated_corpus_scans_cleanly(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from compose_corpus import generate
    finally:
        sys.path.pop(0)
    files = generate(tmp_path, projects=20, seed=7)
    assert files >= 20
    code, doc, err = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert code == 0 and not doc["errors"], err
    assert doc["findings"]
