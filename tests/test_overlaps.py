"""One problem, one finding (hullcheck.overlaps): precedence, selection, tags, severity,
baselines written before the dedup, and the docs table."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import run_json
from hullcheck.overlaps import OVERLAPS
from hullcheck.rules import rules_by_id

DATA = Path(__file__).parent / "data" / "overlaps"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The overlap fixtures (a Deployment, a Dockerfile, ``trust.require-digest``) in a scratch
    directory that is the working directory, as when ``baseline-before.json`` was written."""
    dest = tmp_path / "p"
    shutil.copytree(DATA, dest)
    monkeypatch.chdir(dest)
    return dest


def _at(doc: dict[str, Any]) -> list[tuple[str, int, str | None, str]]:
    return [(f["location"]["path"], f["location"]["line"], f["location"].get("container"),
             f["rule"]) for f in doc["findings"]]


def _one(doc: dict[str, Any], rule: str, container: str | None = None,
         line: int | None = None) -> dict[str, Any]:
    [f] = [f for f in doc["findings"] if f["rule"] == rule
           and (container is None or f["location"].get("container") == container)
           and (line is None or f["location"]["line"] == line)]
    return f


def test_kubernetes_container_without_limits_is_one_finding(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", ".")
    at = _at(doc)
    # "bare" sets nothing: KNS003 stands for CT017 and CT018 (the three on one line).
    assert [r for p, line, c, r in at if c == "bare" and r in ("CT017", "CT018", "KNS003")] \
        == ["KNS003"]
    bare = _one(doc, "KNS003", "bare")
    # The highest severity of the three (CT017 is medium, KNS003 low): --fail-on unchanged.
    assert bare["severity"] == "medium"
    # "cpu-only" misses the memory limit only: KNS003 stands for CT017; CT018 had nothing.
    assert [r for p, line, c, r in at if c == "cpu-only" and r in ("CT017", "CT018", "KNS003")] \
        == ["KNS003"]
    # "sized" sets everything: none of them.
    assert not [r for p, line, c, r in at if c == "sized" and r in ("CT017", "CT018", "KNS003")]
    # 31 before, less CT017 twice, CT018, DF002 and DF003
    assert doc["summary"]["findings"] == len(doc["findings"]) == 26


def test_reporter_carries_the_duplicates_tags(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", ".")
    assert [(f["location"]["line"], f["references"]) for f in doc["findings"]
            if f["location"]["path"] == "Dockerfile"] == [
        (1, ["cis-docker-1.6:4.2", "hadolint:DL3007"]),   # DF005 for DF003
        (2, ["cis-docker-1.6:4.2", "hadolint:DL3006"]),   # DF005 for DF002
        (3, ["cis-docker-1.6:4.2"]),                       # DF005 alone
    ]
    assert {f["rule"] for f in doc["findings"] if f["location"]["path"] == "Dockerfile"} \
        == {"DF005"}


@pytest.mark.parametrize(("select", "expected"), [
    # The reporter not selected: the next one reports, as before.
    ("CT017,CT018", [("bare", "CT017"), ("bare", "CT018"), ("cpu-only", "CT017")]),
    ("CT", None),
    # Only the reporter: it reports with its own severity (nothing stood for).
    ("KNS003", [("bare", "KNS003"), ("cpu-only", "KNS003")]),
    # Both selected by family: one finding.
    ("CT,KNS", [("bare", "KNS003"), ("cpu-only", "KNS003")]),
    ("cis-k8s-1.10,CT", None),
    # A rule named by its id always reports, even beside its reporter.
    ("CT017,KNS003", [("bare", "CT017"), ("bare", "KNS003"), ("cpu-only", "CT017"),
                      ("cpu-only", "KNS003")]),
])
def test_an_unselected_reporter_lets_the_next_report(
        project: Path, capsys: pytest.CaptureFixture[str], select: str,
        expected: list[tuple[str, str]] | None) -> None:
    _, doc, _ = run_json(capsys, "scan", "workload.yaml", "--select", select)
    got = [(f["location"]["container"], f["rule"]) for f in doc["findings"]
           if f["rule"] in ("CT017", "CT018", "KNS003")]
    assert got == (expected or [("bare", "CT017"), ("bare", "CT018"), ("cpu-only", "CT017")])
    if select == "KNS003":
        assert {f["severity"] for f in doc["findings"]} == {"low"}


def test_ignoring_the_reporter_lets_the_next_report(project: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", "Dockerfile", "--ignore", "DF005")
    assert [(f["location"]["line"], f["rule"]) for f in doc["findings"]] == [
        (1, "DF003"), (2, "DF002")]


def test_baseline_written_before_the_dedup_keeps_matching(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = json.loads((project / "baseline-before.json").read_text())
    assert len(before["findings"]) == 31  # written with the duplicates, before hullcheck.overlaps
    code, doc, err = run_json(capsys, "scan", ".", "--baseline", "baseline-before.json",
                              "--show-suppressed")
    assert code == 0 and err == ""
    assert doc["summary"]["findings"] == 0
    assert len(doc["findings"]) == 26
    assert {f["suppressed"]["by"] for f in doc["findings"]} == {"baseline"}
    # Every finding left is one the old baseline holds, under its old fingerprint.
    held = {(e["rule"], e["fingerprint"]) for e in before["findings"]}
    assert {(f["rule"], f["fingerprint"]) for f in doc["findings"]} <= held


def test_inline_ignore_of_the_reporter_hides_the_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".hullcheck.yaml").write_text("trust:\n  require-digest: true\n")
    df = tmp_path / "Dockerfile"
    df.write_text("# hullcheck: ignore=DF005 pinned by the release job\n"
                  "FROM node:latest\nUSER 1\nHEALTHCHECK CMD true\n")
    _, doc, err = run_json(capsys, "scan", str(df), "--config", str(tmp_path / ".hullcheck.yaml"),
                           "--show-suppressed")
    assert [(f["rule"], f["suppressed"]["by"]) for f in doc["findings"]] == [("DF005", "inline")]
    assert "unused" not in err


def test_every_overlap_names_real_rules_and_no_chains() -> None:
    ids = rules_by_id()
    reporters = {o.reporter for o in OVERLAPS}
    for o in OVERLAPS:
        assert o.reporter in ids and o.duplicate in ids and o.reporter != o.duplicate
        # A reporter is never someone else's duplicate: precedence is one step, not a chain.
        # Across layers, a duplicate is tied to its reporter by its one related location (the
        # Dockerfile line, or the image): a CT015 standing for DF001 (a service that builds)
        # and one reporting for IMG001 (a service whose image was read) are never one finding.
        if not o.across:
            assert o.duplicate not in reporters


def test_docs_table_lists_every_overlap() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    section = text.split("## Overlapping rules", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\S+) \| (\S+) \| (dedup|kept apart) \|", section, re.M)
    merged = {(r, d) for r, d, how in rows if how == "dedup"}
    assert merged == {(o.reporter, o.duplicate) for o in OVERLAPS}
