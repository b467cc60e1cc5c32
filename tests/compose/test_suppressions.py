"""Suppressions and baselines on compose files, including each way peers get them wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from compose_helpers import HARD

from conftest import run_json

N = HARD.count("\n") + 1  # the "services:" line; body line k is N + k


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    return run_json(capsys, "scan", *args)


def active(doc: dict[str, Any]) -> set[tuple[str, int]]:
    return {(f["rule"], f["location"]["line"]) for f in doc["findings"] if "suppressed" not in f}


def write(tmp_path: Path, body: str, name: str = "compose.yaml") -> Path:
    f = tmp_path / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(HARD + "services:\n" + body)
    return f


def test_trailing_and_preceding_comments_hide_only_their_line_and_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path, (
        "  app:\n"
        "    <<: *hardened\n"
        "    privileged: true  # hullcheck: ignore=CT001 lab machine\n"
        "    # hullcheck: ignore=CT020 reverse proxy terminates here\n"
        "    ports: ['80:80']\n"
        "  other:\n"
        "    <<: *hardened\n"
        "    privileged: true\n"))
    code, doc, err = scan(capsys, str(f))
    # CT021 on the ports line is not named: still reported. CT001 of `other` too.
    assert active(doc) == {("CT021", N + 5), ("CT001", N + 8)}
    assert code == 1 and "unused" not in err
    code, doc, _ = scan(capsys, str(f), "--show-suppressed")
    sup = {(x["rule"], x["suppressed"]["by"], x["suppressed"]["reason"])
           for x in doc["findings"] if "suppressed" in x}
    assert sup == {("CT001", "inline", "lab machine"),
                   ("CT020", "inline", "reverse proxy terminates here")}


def test_service_key_reaches_the_whole_service_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text(
        "x-base: &base\n"
        "  privileged: true\n"          # line 2: inherited by both services
        "services:\n"
        "  app:  # hullcheck: ignore=CT001,CT015, CT017 legacy box\n"
        "    <<: *base\n"
        "    image: nginx:1.27\n"
        "  db:\n"
        "    <<: *base\n"
        "    image: postgres:16\n")
    _, doc, _ = scan(capsys, str(f), "--select", "CT001,CT002,CT015,CT017")
    got = {(x["rule"], x["location"]["container"]) for x in doc["findings"]}
    assert got == {("CT001", "db"), ("CT015", "db"), ("CT017", "db")}


def test_an_ignore_hides_no_more_than_it_names(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path, (
        "  app:\n"
        "    <<: *hardened\n"
        "    # hullcheck: ignore=CT002\n"
        "    cap_add: [SYS_ADMIN]\n"
        "    ports: ['80:80']  # hullcheck: ignore=CT02 typo of a family\n"
        "    pid: host  # hullcheck: ignore=CT0 not a family either\n"))
    _, doc, err = scan(capsys, str(f))
    assert active(doc) == {("CT020", N + 5), ("CT021", N + 5), ("CT005", N + 6)}
    assert "unknown rule, family or tag 'CT02'" in err
    assert "unknown rule, family or tag 'CT0'" in err


def test_unknown_rule_id_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path,
              "  app:\n    <<: *hardened\n    privileged: true  # hullcheck: ignore=CT999\n")
    _, doc, err = scan(capsys, str(f))
    assert ("CT001", N + 3) in active(doc)
    assert f"{f}:{N + 3}: suppression: unknown rule, family or tag 'CT999'" in err


def test_malformed_suppression_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path,
              "  app:\n    <<: *hardened\n    privileged: true  # hullcheck: ignore CT001\n")
    _, doc, err = scan(capsys, str(f))
    assert ("CT001", N + 3) in active(doc)
    assert "malformed suppression" in err


def test_edit_above_keeps_or_visibly_breaks_a_suppression(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = ("  app:\n"
            "    <<: *hardened\n"
            "    # hullcheck: ignore=CT005 needs host pids\n"
            "    pid: host\n")
    f = write(tmp_path, body)
    _, doc, err = scan(capsys, str(f))
    assert active(doc) == set() and "unused" not in err
    # Lines added above the comment: it moves with its line, still suppressing.
    f = write(tmp_path, "  first:\n    <<: *hardened\n" + body)
    _, doc, err = scan(capsys, str(f))
    assert active(doc) == set() and "unused" not in err
    # A line slipped between comment and target: the finding comes back AND the now-useless
    # comment is reported, instead of silently hiding nothing (or something else).
    f = write(tmp_path, body.replace("    pid: host\n", "    ipc: private\n    pid: host\n"))
    _, doc, err = scan(capsys, str(f))
    assert active(doc) == {("CT005", N + 5)}
    assert f"{f}:{N + 3}: unused suppression (CT005)" in err


def test_ignore_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path, "  app:\n    <<: *hardened\n    privileged: true\n"
                        "# hullcheck: ignore-file=CT001 test fixture\n")
    _, doc, _ = scan(capsys, str(f))
    assert active(doc) == set()


def test_config_per_path_ignores_and_severity_overrides(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    svc = "  app:\n    <<: *hardened\n    privileged: true\n    pid: host\n"
    write(tmp_path, svc, "legacy/compose.yaml")
    write(tmp_path, svc, "new/compose.yaml")
    (tmp_path / ".hullcheck.yaml").write_text(
        "per-path-ignores:\n  'legacy/**': [CT001]\nseverity-overrides:\n  CT005: low\n")
    code, doc, _ = scan(capsys, "legacy", "new", "--show-suppressed")
    rows = {(x["location"]["path"], x["rule"], x["severity"], (x.get("suppressed") or {})
             .get("by")) for x in doc["findings"]}
    assert rows == {
        ("legacy/compose.yaml", "CT001", "critical", "config"),
        ("legacy/compose.yaml", "CT005", "low", None),
        ("new/compose.yaml", "CT001", "critical", None),
        ("new/compose.yaml", "CT005", "low", None),
    }
    assert code == 1  # new/ CT001 still counts
    code, _, _ = scan(capsys, "legacy")
    assert code == 0  # suppressed CT001 doesn't count, CT005 is now low
    # an unknown id in per-path-ignores warns too
    (tmp_path / ".hullcheck.yaml").write_text("per-path-ignores:\n  'legacy/**': [CT9999]\n")
    _, _, err = scan(capsys, "legacy")
    assert "unknown rule, family or tag 'CT9999'" in err


def test_baseline_survives_moved_lines_and_catches_new_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc = "  app:\n    <<: *hardened\n    privileged: true\n    ports: ['80:80']\n"
    f = write(tmp_path, svc)
    baseline = tmp_path / "baseline.json"
    code, _, err = run_json_err(capsys, str(f), "--write-baseline", str(baseline))
    assert code == 0 and "wrote 3 finding(s)" in err
    assert len(json.loads(baseline.read_text())["findings"]) == 3
    # Lines move (a service added above): everything is still baselined.
    f = write(tmp_path, "  first:\n    <<: *hardened\n" + svc)
    code, doc, _ = scan(capsys, str(f), "--baseline", str(baseline))
    assert code == 0 and active(doc) == set() and doc["findings"] == []
    # A new finding counts; the old ones show as baselined with --show-suppressed.
    f = write(tmp_path, "  first:\n    <<: *hardened\n" + svc + "    pid: host\n")
    code, doc, _ = scan(capsys, str(f), "--baseline", str(baseline), "--show-suppressed")
    assert code == 1
    assert active(doc) == {("CT005", N + 7)}
    assert sorted(x["suppressed"]["by"] for x in doc["findings"] if "suppressed" in x) == \
        ["baseline"] * 3


def test_bad_baseline_is_a_usage_error(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path, "  app:\n    <<: *hardened\n")
    bad = tmp_path / "b.json"
    bad.write_text("{nope")
    code, _, err = run_json_err(capsys, str(f), "--baseline", str(bad))
    assert code == 2 and "baseline is not valid JSON" in err


def run_json_err(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from conftest import run_cli

    return run_cli(capsys, "scan", *args)
