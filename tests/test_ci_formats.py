"""``--format github`` and ``--format gitlab`` against the shapes the platforms document.

GitHub: workflow commands (https://docs.github.com/actions/reference/workflows-and-actions/
workflow-commands), escaped as the Actions toolkit escapes them (``@actions/core``
``command.ts``: ``escapeData`` and ``escapeProperty``), and parsed back here the way the runner
parses them (``actions/runner`` ``ActionCommand.TryParseV2``: the command ends at the first
``::``, properties split on ``,`` and ``=``, then ``%0D``, ``%0A``, ``%3A``, ``%2C`` and ``%25``
decoded, ``%25`` last). At most 10 annotations of each kind per step are shown.

GitLab: Code Quality JSON, validated against ``tests/data/gitlab-codequality.schema.json``, which
writes down the fields GitLab's documentation requires (GitLab publishes no schema).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from hullcheck.findings import (
    Finding,
    ImageRef,
    InputError,
    Location,
    Report,
    Severity,
    Suppressed,
    UnitRef,
)
from hullcheck.reporters import Output, render
from hullcheck.reporters.github import ANNOTATIONS_PER_KIND, escape_data, escape_property

GITLAB_SCHEMA = json.loads((ROOT / "tests" / "data" / "gitlab-codequality.schema.json")
                           .read_text())
COMMAND = re.compile(r"::(?P<kind>[a-z]+)(?: (?P<props>.*?))?::(?P<data>.*)")


def _unescape(text: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for token, char in [*pairs, ("%25", "%")]:
        text = text.replace(token, char)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str] | None:
    """A workflow command as the runner reads it, or None for a plain log line."""
    if not line.lstrip().startswith("::"):
        return None
    m = COMMAND.fullmatch(line.lstrip())
    assert m is not None, line
    props: dict[str, str] = {}
    for pair in filter(None, (m["props"] or "").split(",")):
        name, _, value = pair.partition("=")
        props[name] = _unescape(value, prop=True)
    return m["kind"], props, _unescape(m["data"], prop=False)


def _output(findings: list[Finding], errors: list[InputError] | None = None) -> Output:
    report = Report(findings=findings, errors=errors or [])
    counted = [f for f in findings if f.suppressed is None]
    return Output(report=report, shown=findings, counted=counted)


def _finding(rule: str, severity: Severity, line: int, path: str = "Dockerfile",
             message: str = "m", **loc: object) -> Finding:
    return Finding(rule, f"title of {rule}", severity, message,
                   Location(path=path, line=line, **loc),  # type: ignore[arg-type]
                   references=("cis-docker-1.6:4.1",), remediation="do x", evidence=str(line))


# --- GitHub ---------------------------------------------------------------------------------


def test_escaping_is_the_toolkits() -> None:
    assert escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert escape_property("100% a\r\nb: c, d") == "100%25 a%0D%0Ab%3A c%2C d"
    # already-escaped-looking text survives the round trip: %0A in a value is not a newline
    assert _unescape(escape_data("%0A"), prop=False) == "%0A"


def test_a_finding_becomes_an_annotation_at_its_place() -> None:
    f = Finding("K8S003", "Privileged container", Severity.CRITICAL,
                'Container "a,b" sets privileged: true; 100%\nreally',
                Location(path="deploy/we:ird,name.yaml", line=14, end_line=16,
                         object="Deployment/prod/web", container="web"),
                references=("pss:baseline:privileged", "cis-k8s-1.10:5.2.2"),
                remediation="Remove `privileged: true`.")
    lines = render("github", _output([f])).splitlines()
    assert len(lines) == 2
    kind, props, data = parse(lines[0]) or ("", {}, "")
    assert kind == "error"
    assert props == {"file": "deploy/we:ird,name.yaml", "line": "14", "endLine": "16",
                     "col": "1", "title": "CRITICAL K8S003 Privileged container"}
    # the message's newline is terminal-quoted (as in the text output); ours separate the lines
    assert data.split("\n") == [
        '"Container \\"a,b\\" sets privileged: true; 100%\\nreally" '
        "(Deployment/prod/web, container web)",
        "fix: Remove `privileged: true`.",
        "refs: pss:baseline:privileged, cis-k8s-1.10:5.2.2"]
    assert lines[0].startswith("::error file=deploy/we%3Aird%2Cname.yaml,line=14,endLine=16,"
                               "col=1,title=CRITICAL K8S003 Privileged container::")
    assert "%0Afix: " in lines[0] and "100%25" in lines[0]
    assert parse(lines[1]) == ("notice", {"title": "hullcheck"},
                               "1 finding (1 critical); failed: 1 finding at high or above")


def test_most_severe_first_and_the_budget_per_kind() -> None:
    """25 high, 12 medium and 15 low findings: 10 errors, 10 warnings, 9 notices annotated (the
    10th notice is the summary); the other 23 are plain log lines, and the summary says so."""
    findings = ([_finding("DF013", Severity.LOW, n) for n in range(1, 16)]
                + [_finding("DF011", Severity.MEDIUM, n) for n in range(1, 13)]
                + [_finding("DF001", Severity.HIGH, n) for n in range(1, 25)]
                + [_finding("CT001", Severity.CRITICAL, 99)])
    lines = render("github", _output(findings)).splitlines()
    assert len(lines) == len(findings) + 1
    parsed = [parse(line) for line in lines]
    kinds = [p[0] if p else "log" for p in parsed]
    assert kinds == (["error"] * 10 + ["log"] * 15 + ["warning"] * 10 + ["log"] * 2
                     + ["notice"] * 9 + ["log"] * 6 + ["notice"])
    assert parsed[0] and parsed[0][1]["title"].startswith("CRITICAL CT001")
    for line, kind in zip(lines, kinds, strict=True):
        if kind == "log":
            assert line.startswith("hullcheck: Dockerfile:")
    assert lines[10] == "hullcheck: Dockerfile:10:1: HIGH DF001 m"
    summary = parsed[-1]
    assert summary is not None and summary[2] == (
        "52 findings (1 critical, 24 high, 12 medium, 15 low); failed: 25 findings at high or "
        "above 23 findings are only in this log, not annotated: GitHub shows at most 10 "
        "annotations of each kind per step.")
    assert ANNOTATIONS_PER_KIND == 10


def test_hostile_names_never_reach_the_log_raw() -> None:
    evil = "a\nb::error::forged\x1b[2J\u202e"
    findings = [
        _finding("DF001", Severity.HIGH, 3, path=f"{evil}/Dockerfile", message=f"x {evil}"),
        Finding("IMG001", "Secret", Severity.MEDIUM, "key", Location(
            image=ImageRef(f"reg/{evil}", None), path=f"/etc/{evil}", layer="sha256:" + "1" * 64)),
        Finding("CT001", "Priv", Severity.LOW, "priv", Location(container=evil)),
    ]
    out = _output(findings, [InputError(f"{evil}.yaml", f"bad {evil}")])
    lines = render("github", out).splitlines()
    assert len(lines) == 5
    for line in lines:
        assert "\x1b" not in line and "\u202e" not in line and "\r" not in line
        assert line.startswith("::")  # every line is a command: nothing forged a new one
    parsed = [parse(line) for line in lines]
    assert [p[0] for p in parsed if p] == ["error", "error", "warning", "notice", "notice"]
    q = '"a\\nb::error::forged\\x1b[2J\\u202e'
    assert parsed[0] == ("error", {"title": "hullcheck: input error"},
                         f'{q}.yaml": "bad {q[1:]}"')
    # a path that needs quoting is no file= property: it leads the message, quoted
    assert parsed[1] is not None and "file" not in parsed[1][1]
    assert parsed[1][2].startswith(f'{q}/Dockerfile":3:1: "x {q[1:]}"\nfix: do x')
    assert parsed[2] is not None and parsed[2][2].startswith(
        f'image "reg/{q[1:]}": key ("/etc/{q[1:]}", layer sha256:111111111111)')
    assert parsed[3] is not None and parsed[3][2].startswith(f'container {q}": priv')


def test_suppressed_findings_are_log_lines() -> None:
    f = _finding("DF001", Severity.HIGH, 2)
    f.suppressed = Suppressed("inline", "accepted")
    out = Output(report=Report(findings=[f]), shown=[f], counted=[])
    assert render("github", out).splitlines() == [
        "hullcheck: Dockerfile:2:1: HIGH DF001 m (suppressed by inline)",
        "::notice title=hullcheck::0 findings, 1 suppressed; passed: nothing at high or above"]


def test_cli_github_on_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "scan", str(ROOT / "examples"), "--format", "github")
    assert code == 1 and err == ""
    lines = out.splitlines()
    parsed = [parse(line) for line in lines]
    assert sum(1 for p in parsed if p and p[0] == "error") == 10
    assert all(p is None or p[1].get("file", "x").startswith(str(ROOT / "examples"))
               for p in parsed[:-1])
    assert parsed[-1] is not None and parsed[-1][0] == "notice"


# --- GitLab ---------------------------------------------------------------------------------


def _gitlab(out: Output) -> list[dict[str, object]]:
    jsonschema = pytest.importorskip("jsonschema")
    doc: list[dict[str, object]] = json.loads(render("gitlab", out))
    jsonschema.validate(doc, GITLAB_SCHEMA)
    return doc


def test_gitlab_shape_and_severities() -> None:
    findings = [_finding(f"DF00{n}", sev, n) for n, sev in enumerate(Severity, start=1)]
    doc = _gitlab(_output(findings))
    assert [(i["check_name"], i["severity"]) for i in doc] == [
        ("DF001", "info"), ("DF002", "minor"), ("DF003", "major"), ("DF004", "critical"),
        ("DF005", "blocker")]
    assert doc[0] == {
        "type": "issue", "check_name": "DF001", "categories": ["Security"],
        "description": "DF001: m Fix: do x", "severity": "info",
        "fingerprint": doc[0]["fingerprint"],
        "location": {"path": "Dockerfile", "lines": {"begin": 1}}}
    assert re.fullmatch("[0-9a-f]{32}", str(doc[0]["fingerprint"]))


def test_gitlab_fingerprint_unique_per_occurrence_and_stable() -> None:
    """The same finding twice (one evidence, two lines; one object in two kustomize units) is
    two issues with two fingerprints; moving lines changes none of them."""
    same = [_finding("DF001", Severity.HIGH, 3), _finding("DF001", Severity.HIGH, 9)]
    same[1].evidence = same[0].evidence
    same[1].fingerprint = same[0].fingerprint
    units = [_finding("KNS005", Severity.MEDIUM, 1, path="base/ns.yaml",
                      unit=UnitRef("kustomize", p)) for p in ("overlays/a", "overlays/b")]
    for f in units[1:]:
        f.fingerprint = units[0].fingerprint
    doc = _gitlab(_output(same + units))
    prints = [i["fingerprint"] for i in doc]
    assert len(set(prints)) == 4
    moved = [_finding("DF001", Severity.HIGH, 5), _finding("DF001", Severity.HIGH, 12)]
    for f in moved:
        f.fingerprint = same[0].fingerprint
    assert [i["fingerprint"] for i in _gitlab(_output(moved))] == prints[:2]


def test_gitlab_leaves_out_suppressed_and_reports_input_errors() -> None:
    f = _finding("DF001", Severity.HIGH, 2)
    f.suppressed = Suppressed("baseline")
    doc = _gitlab(_output([f], [InputError("k8s/bad.yaml", "not YAML: line 3")]))
    assert [(i["check_name"], i["location"]) for i in doc] == [
        ("input-error", {"path": "k8s/bad.yaml", "lines": {"begin": 1}})]


def test_gitlab_image_and_host_findings_name_their_place() -> None:
    findings = [
        Finding("IMG001", "Secret", Severity.HIGH, "key", Location(
            image=ImageRef("reg/app:1", None), path="/etc/key", layer="sha256:ab")),
        Finding("CT001", "Priv", Severity.CRITICAL, "priv", Location(container="web")),
        Finding("HOST014", "Log", Severity.LOW, "log", Location(setting="log-level")),
    ]
    doc = _gitlab(_output(findings))
    assert [i["location"]["path"] for i in doc] == [  # type: ignore[index]
        "image reg/app:1:/etc/key", "container web", "docker daemon"]
    assert doc[0]["description"] == "IMG001: key (layer sha256:ab)"


def test_cli_gitlab_on_examples(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    report = tmp_path / "gl-code-quality-report.json"
    code, out, err = run_cli(capsys, "scan", str(ROOT / "examples"), "--format", "gitlab",
                             "--output", str(report))
    assert code == 1 and out == "" and err == ""
    doc = json.loads(report.read_text())
    jsonschema.validate(doc, GITLAB_SCHEMA)
    code, js, _ = run_cli(capsys, "scan", str(ROOT / "examples"), "--format", "json")
    assert len(doc) == len(json.loads(js)["findings"]) > 20
    assert len({i["fingerprint"] for i in doc}) == len(doc)
