"""HOST005 is retired: every place that names it maps to its successors HOST013 to HOST028
(``hullcheck.deprecations``), through the real command line on a fixture host
(``hostfixtures.weak_daemon_host``: all 16 daemon settings weak), and a baseline written by
hullcheck 0.1.0 (before the split) still matches."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostfixtures import weak_daemon_host

from hullcheck.cli import main
from hullcheck.deprecations import RETIRED, expand_overrides, retired_notes, span
from hullcheck.findings import Finding, Location, Report, Severity
from hullcheck.suppress import Policy, Suppression, apply, selector_matches, unknown_selectors

DATA = Path(__file__).parent / "data"
BASELINE_0_1_0 = DATA / "baseline-host005-0.1.0.json"
SUCCESSORS = [f"HOST{n:03d}" for n in range(13, 29)]
# what HOST005 carried (`hullcheck rules` of 0.1.0)
HOST005_TAGS = [f"cis-docker-1.6:2.{n}" for n in (2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15,
                                                  16, 17, 18)]
NOTE = ("HOST005 is retired; it now names its successors HOST013 to HOST028 "
        "(see 'hullcheck explain HOST005')")


@pytest.fixture(autouse=True)
def fixture_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    import hullcheck.inputs.docker_host as docker_host

    monkeypatch.setattr(docker_host, "collect", lambda options: weak_daemon_host())
    # IMG018 judges this variable (4.5); the baseline was written without it
    monkeypatch.delenv("DOCKER_CONTENT_TRUST", raising=False)
    monkeypatch.chdir(tmp_path)  # no .hullcheck.yaml of the checkout is discovered
    yield


def host(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[dict[str, Any], list[str]]:
    """``hullcheck host --format json ARGS`` (exit 0 asserted): the document and stderr lines."""
    code = main(["host", "--format", "json", "--fail-on", "never", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out), err.splitlines()


def rules_of(doc: dict[str, Any]) -> list[str]:
    return sorted(f["rule"] for f in doc["findings"])


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "hullcheck.yaml"
    path.write_text(text)
    return str(path)


# --- the table ----------------------------------------------------------------------------------


def test_table_maps_host005_to_one_rule_per_tag_it_carried() -> None:
    from hullcheck.rules import rules_by_id

    retired = RETIRED["HOST005"]
    assert list(retired.successor_ids) == SUCCESSORS
    rules = rules_by_id()
    assert "HOST005" not in rules  # retired ids are never reused
    assert not set(RETIRED) & set(rules)
    assert [t for s in SUCCESSORS for t in rules[s].references] == HOST005_TAGS
    assert [s.reference for s in retired.successors] == HOST005_TAGS


def test_selectors_name_the_successors() -> None:
    assert [r for r in [*SUCCESSORS, "HOST004", "HOST012", "HOST029", "DF005"]
            if selector_matches("HOST005", r, ())] == SUCCESSORS
    assert selector_matches(" HOST005 ", "HOST020", ())
    assert selector_matches("HOST", "HOST020", ())  # the family still covers them
    assert unknown_selectors(["HOST005", "HOST099", "HOST"], {"HOST013", "HOST004"}) == [
        "HOST099"]
    assert span(tuple(SUCCESSORS)) == "HOST013 to HOST028"
    assert span(("HOST013", "HOST020")) == "HOST013, HOST020"
    assert retired_notes(["HOST005", "DF001", "HOST005"], "here") == [f"here: {NOTE}"]


def test_severity_override_reaches_successors_without_their_own() -> None:
    got = expand_overrides({"HOST005": Severity.INFO, "HOST018": Severity.HIGH, "DF001": 1})
    assert got["HOST018"] == Severity.HIGH and got["DF001"] == 1
    assert {k for k, v in got.items() if v == Severity.INFO} == {"HOST005"} | (
        set(SUCCESSORS) - {"HOST018"})


def test_inline_ignore_of_host005_covers_a_successor_finding() -> None:
    f = Finding("HOST014", "t", Severity.LOW, "m", Location(path="/etc/docker/daemon.json",
                                                           setting="log-level"))
    sup = Suppression(["HOST005"], "inline", "/etc/docker/daemon.json", reason="known")
    report = Report(findings=[f], suppressions=[sup])
    shown, warnings = apply(report, Policy(), lambda path: [])
    assert shown == [] and warnings == [] and sup.used
    assert f.suppressed is not None and (f.suppressed.by, f.suppressed.reason) == (
        "inline", "known")


# --- the command line ---------------------------------------------------------------------------


def test_select_host005(capsys: pytest.CaptureFixture[str]) -> None:
    doc, err = host(capsys, "--select", "HOST005")
    assert rules_of(doc) == SUCCESSORS
    assert err == [f"hullcheck: warning: selection: {NOTE}"]


def test_ignore_host005(capsys: pytest.CaptureFixture[str]) -> None:
    doc, err = host(capsys, "--ignore", "HOST005")
    assert rules_of(doc) == ["HOST004", "IMG001", "IMG002", "IMG018"]
    assert err == [f"hullcheck: warning: selection: {NOTE}"]


def test_select_and_ignore_in_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = config(tmp_path, "select: [HOST005, HOST004]\nignore: [HOST005]\n")
    doc, err = host(capsys, "--config", cfg)
    assert rules_of(doc) == ["HOST004"]
    assert err == [f"hullcheck: warning: selection: {NOTE}"]


def test_per_path_ignore_in_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = config(tmp_path, 'per-path-ignores:\n  "/etc/docker/*": [HOST005]\n')
    doc, err = host(capsys, "--config", cfg, "--show-suppressed")
    suppressed = sorted((f["rule"], f["location"]["path"], f["suppressed"]["reason"])
                        for f in doc["findings"] if "suppressed" in f)
    # the settings that came from daemon.json are located there; the rest have no path
    assert suppressed == [(r, "/etc/docker/daemon.json", "per-path ignore HOST005")
                          for r in ("HOST014", "HOST015", "HOST020", "HOST021")]
    assert err == [f"hullcheck: warning: {cfg}: per-path-ignores '/etc/docker/*': {NOTE}"]


def test_severity_overrides_in_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = config(tmp_path, "severity-overrides:\n  HOST005: info\n  HOST018: high\n")
    doc, err = host(capsys, "--config", cfg, "--select", "HOST013,HOST014,HOST015,"
                          "HOST016,HOST017,HOST018,HOST019,HOST020,HOST021,HOST022,HOST023,"
                          "HOST024,HOST025,HOST026,HOST027,HOST028,HOST004")
    severities = {f["rule"]: f["severity"] for f in doc["findings"]}
    assert severities == {"HOST004": "medium", "HOST018": "high",
                          **{r: "info" for r in SUCCESSORS if r != "HOST018"}}
    assert err == [f"hullcheck: warning: {cfg}: severity-overrides: {NOTE}"]


def test_inline_ignore_in_a_dockerfile_is_known(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """No "unknown rule" warning for HOST005 in a comment: it is retired, not unknown."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\n# hullcheck: ignore=HOST005 not ours\n"
                          "HEALTHCHECK CMD true\nUSER 1000\n")
    code = main(["scan", str(dockerfile), "--format", "json"])
    err = capsys.readouterr().err.splitlines()
    assert code == 0
    assert err == [
        f"hullcheck: warning: {dockerfile}:2: {NOTE}",
        f"hullcheck: warning: {dockerfile}:2: unused suppression (HOST005): nothing it names "
        "is reported here",
    ]


# --- baselines ----------------------------------------------------------------------------------


def test_baseline_written_by_0_1_0_still_matches(capsys: pytest.CaptureFixture[str]) -> None:
    baseline = json.loads(BASELINE_0_1_0.read_text())
    assert baseline["version"] == "0.1.0"
    assert [e["rule"] for e in baseline["findings"]].count("HOST005") == 16
    doc, err = host(capsys, "--baseline", str(BASELINE_0_1_0), "--fail-on", "info",
                          "--show-suppressed")
    # exit 0 with --fail-on info: nothing counts
    assert rules_of(doc) == ["HOST004", *SUCCESSORS, "IMG001", "IMG002", "IMG018"]
    assert all(f["suppressed"]["by"] == "baseline" for f in doc["findings"])
    assert err == [
        "hullcheck: warning: baseline: 16 finding(s) of the successors of retired HOST005 "
        "matched its entries; write the baseline again (--write-baseline) to record their new "
        "ids"
    ]


def test_old_baseline_entries_match_once_and_only_their_finding(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A HOST005 entry matches the one successor finding it was written for, once."""
    baseline = json.loads(BASELINE_0_1_0.read_text())
    icc = next(e for e in baseline["findings"] if e["rule"] == "HOST005"
               and "default bridge" in e["message"])
    baseline["findings"] = [icc, icc]  # a duplicate entry still covers one finding
    path = tmp_path / "one.json"
    path.write_text(json.dumps(baseline))
    doc, err = host(capsys, "--baseline", str(path), "--select", "HOST005")
    assert rules_of(doc) == [r for r in SUCCESSORS if r != "HOST013"]
    assert "1 finding(s) of the successors of retired HOST005" in err[-1]


def test_rewritten_baseline_records_the_new_ids(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    assert main(["host", "--write-baseline", str(path)]) == 0
    capsys.readouterr()
    entries = json.loads(path.read_text())["findings"]
    assert "HOST005" not in {e["rule"] for e in entries}
    doc, err = host(capsys, "--baseline", str(path), "--fail-on", "info")
    assert (doc["findings"], err) == ([], [])


# --- rules, explain, SARIF ----------------------------------------------------------------------


def test_explain_host005(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "host005"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("HOST005 daemon-setting: Docker daemon option weakens the host\n"
                          "Retired after hullcheck 0.1.0:")
    listed = [line.split()[:2] for line in out.splitlines() if line.startswith("  HOST")]
    assert listed == [[r, t] for r, t in zip(SUCCESSORS, HOST005_TAGS, strict=True)]


def test_rules_lists_host005_as_retired(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("HOST00")]
    assert [line.split()[0] for line in lines][3:6] == ["HOST004", "HOST005", "HOST006"]
    assert lines[4] == ("HOST005  retired  Docker daemon option weakens the host: now HOST013 "
                        "to HOST028 (hullcheck explain HOST005)")


def test_rules_json_keeps_its_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    keys = {"id", "name", "title", "severity", "inputs", "references", "fix"}
    assert all(set(r) == keys for r in doc if r["id"] not in SUCCESSORS)
    assert all(set(r) == keys | {"replaces"} and r["replaces"] == ["HOST005"]
               for r in doc if r["id"] in SUCCESSORS)
    assert {r["severity"] for r in doc} <= {s.label for s in Severity}
    assert "HOST005" not in {r["id"] for r in doc}


def test_sarif_names_host005_as_deprecated_id(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code = main(["host", "--format", "sarif", "--fail-on", "never"])
    doc = json.loads(capsys.readouterr().out)
    root = Path(__file__).resolve().parents[2]
    schema = next(p for p in (root.parent / "shared" / "reference" / "sarif-schema-2.1.0.json",
                              root / "tests" / "data" / "sarif-schema-2.1.0.json") if p.exists())
    jsonschema.validate(doc, json.loads(schema.read_text()))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules if r.get("deprecatedIds") == ["HOST005"]} == set(SUCCESSORS)
    assert not [r for r in rules if r["id"] == "HOST005" or
                (r.get("deprecatedIds") and r["id"] not in SUCCESSORS)]
    assert code == 0 and {res["ruleId"] for res in run["results"]} >= set(SUCCESSORS)
