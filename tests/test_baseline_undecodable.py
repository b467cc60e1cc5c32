"""A baseline written for findings in a file whose name is not UTF-8 (os.fsdecode gives lone
surrogates, ``\\udcff``) is valid UTF-8 JSON without a lone surrogate, its readable fields
written as the JSON reporter writes them (U+FFFD), and it still suppresses those findings: entries
match by rule and fingerprint, and the fingerprint is computed from the exact name. A baseline
as the older version wrote it (``\\udcff`` escapes) keeps matching."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hullcheck.cli import main

NAME = b"app-\xff\xfe"  # not UTF-8


def _project(tmp_path: Path) -> Path:
    folder = os.path.join(os.fsencode(tmp_path), NAME)
    os.mkdir(folder)
    with open(os.path.join(folder, b"Dockerfile"), "wb") as fh:
        fh.write(b"FROM alpine:3.19\nRUN echo hi\n")  # DF001: runs as root
    return tmp_path


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["scan", *args, "--format", "json", "--select", "DF001"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _project(tmp_path)
    baseline = tmp_path / "baseline.json"
    _, report = _scan(capsys, str(root))
    findings = report["findings"]
    assert main(["scan", str(root), "--select", "DF001", "--write-baseline", str(baseline)]) == 0
    assert capsys.readouterr().err == f"hullcheck: wrote 1 finding(s) to {baseline}\n"
    assert isinstance(findings, list) and [f["rule"] for f in findings] == ["DF001"]
    raw = baseline.read_bytes()
    raw.decode("utf-8")  # valid UTF-8
    assert b"\\udc" not in raw.lower()  # no lone surrogate escaped
    doc = json.loads(raw)
    [entry] = doc["findings"]
    assert entry["path"] == f"{tmp_path}/app-\ufffd\ufffd/Dockerfile"
    assert entry["path"] == findings[0]["location"]["path"]  # as the JSON reporter says it
    assert entry["fingerprint"] == findings[0]["fingerprint"]

    code, report = _scan(capsys, str(root), "--baseline", str(baseline))
    assert code == 0
    assert report["findings"] == []


def test_a_baseline_written_before_still_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The older writer kept the surrogates, escaped (``"\\udcff"``): such a file still loads
    and suppresses the same finding."""
    root = _project(tmp_path)
    _, report = _scan(capsys, str(root))
    [finding] = report["findings"]  # type: ignore[misc]
    exact_path = os.fsdecode(os.path.join(os.fsencode(tmp_path), NAME, b"Dockerfile"))
    old = {"hullcheck-baseline": 1, "version": "0.9", "findings": [{
        "rule": "DF001", "fingerprint": finding["fingerprint"], "path": exact_path,
        "object": None, "container": None, "message": finding["message"]}]}
    text = json.dumps(old, indent=2, sort_keys=True)
    assert "\\udcff\\udcfe" in text  # what the older version wrote
    baseline = tmp_path / "old-baseline.json"
    baseline.write_text(text, encoding="utf-8")
    code, report = _scan(capsys, str(root), "--baseline", str(baseline))
    assert code == 0
    assert report["findings"] == []
