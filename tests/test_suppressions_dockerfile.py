from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_json


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "Dockerfile"
    p.write_text(text)
    return p


def test_inline_ignore_above_instruction(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "# hullcheck: ignore=DF003 pinned by the release job\n"
                         "FROM node:latest\nHEALTHCHECK CMD true\nUSER 1000\n")
    code, doc, err = run_json(capsys, "scan", str(p), "--show-suppressed")
    [f] = doc["findings"]
    assert f["rule"] == "DF003"
    assert f["suppressed"] == {"by": "inline", "reason": "pinned by the release job"}
    assert doc["summary"]["findings"] == 0
    assert code == 0 and "unused" not in err
    _, doc, _ = run_json(capsys, "scan", str(p))
    assert doc["findings"] == []


def test_inline_ignore_hides_only_what_it_names(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "# hullcheck: ignore=DF003\nFROM node:latest\nHEALTHCHECK CMD true\n")
    _, doc, _ = run_json(capsys, "scan", str(p))
    assert [f["rule"] for f in doc["findings"]] == ["DF001"]


def test_suppression_that_stops_matching_warns(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # An edit inserted a line between the comment and the instruction it meant.
    p = _write(tmp_path, "FROM alpine:3.20\nHEALTHCHECK CMD true\nUSER 1000\n"
                         "# hullcheck: ignore=DF003\nRUN echo moved\n")
    _, _, err = run_json(capsys, "scan", str(p))
    assert "unused suppression (DF003)" in err and "Dockerfile:4" in err


@pytest.mark.parametrize("comment", ["# hullcheck: ignor=DF003", "# hullcheck: ignore DF003",
                                     "# hullcheck: ignore="])
def test_malformed_suppression_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     comment: str) -> None:
    # A typo in a suppression hides nothing: say so, as in YAML, rather than stay silent.
    p = _write(tmp_path, f"{comment}\nFROM node:latest\nHEALTHCHECK CMD true\nUSER 1000\n")
    _, doc, err = run_json(capsys, "scan", str(p))
    assert [f["rule"] for f in doc["findings"]] == ["DF003"]
    assert "Dockerfile:1: malformed suppression" in err


@pytest.mark.parametrize("selection", [["--select", "DF001"], ["--select", "hadolint:DL3006"],
                                       ["--ignore", "DF003"], ["--ignore", "hadolint:DL3007"]])
def test_suppression_of_a_deselected_finding_is_not_unused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], selection: list[str]) -> None:
    # `--select DF001` on a repository with suppressions must not call every other one stale.
    p = _write(tmp_path, "# hullcheck: ignore=DF003 pinned by the release job\n"
                         "FROM node:latest\nHEALTHCHECK CMD true\n"
                         "# hullcheck: ignore=DF004 stale\nRUN echo moved\n")
    _, _, err = run_json(capsys, "scan", str(p), *selection)
    assert "unused suppression (DF003)" not in err
    # The stale DF004 comment is still reported, unless DF004 did not run at all.
    stale_reported = "Dockerfile:4: unused suppression (DF004)" in err
    assert stale_reported == (selection != ["--select", "DF001"])


def test_file_wide_ignore_by_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "FROM node:latest AS a\n# hullcheck: ignore-file=hadolint:DL3007\n"
                         "FROM node:latest\nHEALTHCHECK CMD true\nUSER 1000\n")
    _, doc, err = run_json(capsys, "scan", str(p))
    assert doc["findings"] == [] and "unused" not in err


def test_baseline_survives_line_moves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "FROM node:latest\nHEALTHCHECK CMD true\n")
    base = tmp_path / "baseline.json"
    code, _, _ = run_cli(capsys, "scan", str(p), "--write-baseline", str(base))
    assert code == 0 and base.exists()
    p.write_text("# a comment\n\nFROM node:latest\nHEALTHCHECK CMD true\n")
    code, doc, _ = run_json(capsys, "scan", str(p), "--baseline", str(base))
    assert code == 0 and doc["findings"] == []
    # A new finding is not covered by the baseline.
    p.write_text("FROM node:latest\nHEALTHCHECK CMD true\nFROM python\nHEALTHCHECK CMD true\n")
    code, doc, _ = run_json(capsys, "scan", str(p), "--baseline", str(base))
    assert {f["rule"] for f in doc["findings"]} == {"DF002"}  # DF001 is the same finding
    code, doc, _ = run_json(capsys, "scan", str(p), "--baseline", str(base), "--show-suppressed")
    assert {f["suppressed"]["by"] for f in doc["findings"] if "suppressed" in f} == {"baseline"}


def test_bad_baseline_is_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _write(tmp_path, "FROM alpine:3.20\n")
    bad = tmp_path / "b.json"
    bad.write_text("{nope")
    code, _, err = run_cli(capsys, "scan", str(p), "--baseline", str(bad))
    assert code == 2 and "baseline" in err


def test_config_per_path_ignore_and_severity(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "Dockerfile").write_text("FROM node:latest\nHEALTHCHECK CMD true\n")
    (tmp_path / "Dockerfile").write_text("FROM node:latest\nHEALTHCHECK CMD true\n")
    (tmp_path / ".hullcheck.yaml").write_text(
        "per-path-ignores: {'legacy/**': [DF001]}\nseverity-overrides: {DF001: low}\n"
    )
    monkeypatch.chdir(tmp_path)
    code, doc, _ = run_json(capsys, "scan", ".", "--show-suppressed")
    got = {(f["location"]["path"], f["rule"], f["severity"], f.get("suppressed", {}).get("by"))
           for f in doc["findings"]}
    assert ("legacy/Dockerfile", "DF001", "low", "config") in got
    assert ("Dockerfile", "DF001", "low", None) in got
    assert code == 0  # DF001 overridden to low, DF003 medium: below the default threshold
