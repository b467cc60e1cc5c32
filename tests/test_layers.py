"""Across layers (issue 18, docs/layers.md): a compose service judged with the Dockerfile stage
it builds; where both layers have the same problem, one finding at the Dockerfile with the
service as a related location."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, ROOT, run_cli, run_json

BUILD = FIXTURES / "compose" / "layers"


def _pairs(doc: dict[str, Any], rules: set[str]) -> set[tuple[Any, ...]]:
    return {(f["rule"], f["severity"], f["location"]["path"], f["location"]["line"],
             tuple((r["path"], r["line"]) for r in f.get("related_locations", ())))
            for f in doc["findings"] if f["rule"] in rules}


LAYERED = {"DF001", "DF018", "CT015", "CT029"}


def test_scanned_together_one_finding_at_the_dockerfile(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BUILD)
    _, doc, err = run_json(capsys, "scan", ".", "--fail-on", "never")
    assert doc["errors"] == [] and err == ""
    assert _pairs(doc, LAYERED) == {
        # rootapp: the Dockerfile's missing USER and HEALTHCHECK, reported there once, with the
        # services building it (rootapp, hostnet; overridden sets user: and healthcheck:)
        ("DF001", "high", "rootapp/Dockerfile", 2, (("compose.yaml", 17), ("compose.yaml", 63))),
        ("DF018", "low", "rootapp/Dockerfile", 2, (("compose.yaml", 17), ("compose.yaml", 63))),
        # target: build, a stage DF001/DF018 do not judge: the service reports, the stage related
        ("CT015", "high", "compose.yaml", 21, (("multi/Dockerfile", 3),)),
        ("CT029", "low", "compose.yaml", 21, (("multi/Dockerfile", 1),)),
        # args: UID=0 wins over ARG UID=1001: root for this service only (DF001 is silent)
        ("CT015", "high", "compose.yaml", 37, (("args/app.Dockerfile", 5),)),
        # user: root in compose: the fix belongs in compose
        ("CT015", "high", "compose.yaml", 52, ()),
        # no Dockerfile at ./nowhere: unknown, as before
        ("CT015", "low", "compose.yaml", 60, ()),
        ("CT029", "low", "compose.yaml", 60, ()),
    }
    df001 = next(f for f in doc["findings"] if f["rule"] == "DF001")
    df018 = next(f for f in doc["findings"] if f["rule"] == "DF018")
    ct004 = next(f for f in doc["findings"] if f["rule"] == "CT004")
    assert ct004["message"].endswith(
        "; rootapp/Dockerfile exposes 8080/tcp, 53/udp, which it then serves on every "
        "interface of the host.")
    # both rules' tags on the one finding
    assert df001["references"] == ["cis-docker-1.6:4.1"]
    assert df018["references"] == ["cis-docker-1.6:4.6", "cis-docker-1.6:5.27", "conformance"]
    ct015 = next(f for f in doc["findings"] if f["rule"] == "CT015"
                 and f["location"]["line"] == 37)
    assert ct015["message"] == ("arg-root: no `user:` is set and args/app.Dockerfile ends with "
                                "USER ${UID} (= 0): the container runs as root.")


@pytest.mark.parametrize("args", [["--ignore", "DF001,DF018"], ["--select", "CT015,CT029"]])
def test_when_the_dockerfile_rule_is_not_selected_the_service_reports(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        args: list[str]) -> None:
    monkeypatch.chdir(BUILD)
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", *args)
    got = _pairs(doc, LAYERED)
    assert ("CT015", "high", "compose.yaml", 17, (("rootapp/Dockerfile", 2),)) in got
    assert ("CT029", "low", "compose.yaml", 17, (("rootapp/Dockerfile", 2),)) in got
    assert not {g for g in got if g[0].startswith("DF")}


def test_sarif_related_locations(capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BUILD)
    _, out, _ = run_cli(capsys, "scan", ".", "--fail-on", "never", "--format", "sarif")
    doc = json.loads(out)
    jsonschema = pytest.importorskip("jsonschema")
    schema = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
    jsonschema.validate(doc, json.loads(schema.read_text()))
    results = doc["runs"][0]["results"]
    df001 = next(r for r in results if r["ruleId"] == "DF001")
    assert df001["relatedLocations"][:1] == [{
        "id": 0,
        "physicalLocation": {"artifactLocation": {"uri": "compose.yaml",
                                                  "uriBaseId": "%SRCROOT%"},
                             "region": {"startLine": 17}},
        "logicalLocations": [{"name": "rootapp", "fullyQualifiedName": "container/rootapp",
                              "kind": "object"}],
    }]


def _project(tmp: Path, build: str, dockerfile: str = "FROM alpine:3.20\nUSER 1001\n",
             where: str = "app") -> Path:
    proj = tmp / "proj"
    (proj / where).mkdir(parents=True, exist_ok=True)
    (proj / where / "Dockerfile").write_text(dockerfile)
    (proj / "compose.yaml").write_text(f"services:\n  app:\n    build: {build}\n")
    return proj


def _ct015(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(f["severity"], f.get("related_locations")) for f in doc["findings"]
            if f["rule"] == "CT015"]


def test_a_context_outside_the_tree_is_never_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A context whose link leads out of the scanned directory, and a ../ context: not read
    (a Dockerfile that would make the service non-root out there changes nothing)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1001\n")
    proj = tmp_path / "proj"
    proj.mkdir()
    os.symlink(outside, proj / "linked")
    for build in ("./linked", "../outside"):
        (proj / "compose.yaml").write_text(f"services:\n  app:\n    build: {build}\n")
        _, doc, err = run_json(capsys, "scan", str(proj), "--fail-on", "never")
        assert _ct015(doc) == [("low", None)]
        assert err.splitlines() == [
            f"hullcheck: warning: {proj}/compose.yaml: line 3: service app: {build}/Dockerfile "
            "is outside the scanned tree: not read; its image's user and health check stay unknown"
        ]


def test_a_compose_file_named_alone_reads_its_own_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, "./app")
    _, doc, err = run_json(capsys, "scan", str(proj / "compose.yaml"), "--fail-on", "never")
    assert _ct015(doc) == [] and err == ""


@pytest.mark.parametrize("build", ["https://github.com/x/y.git#main",
                                   "{context: ., dockerfile_inline: 'FROM alpine'}"])
def test_remote_and_inline_builds_stay_unknown(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], build: str) -> None:
    proj = _project(tmp_path, build, where=".")
    _, doc, err = run_json(capsys, "scan", str(proj / "compose.yaml"), "--fail-on", "never")
    assert _ct015(doc) == [("low", None)]
    assert "service app:" in err and "stay unknown" in err


def test_unknown_build_target_and_unresolvable_user(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proj = _project(tmp_path, "{context: ./app, target: nope}")
    _, doc, err = run_json(capsys, "scan", str(proj / "compose.yaml"), "--fail-on", "never")
    assert _ct015(doc) == [("low", None)]
    assert "the build target 'nope' is not a stage of" in err
    proj = _project(tmp_path, "./app", "FROM alpine:3.20\nARG UID\nUSER $UID\n")
    _, doc, err = run_json(capsys, "scan", str(proj / "compose.yaml"), "--fail-on", "never")
    [finding] = [f for f in doc["findings"] if f["rule"] == "CT015"]
    assert finding["severity"] == "low"
    assert "app/Dockerfile: ends with USER $UID, which depends on a build argument" in \
        finding["message"]


def test_build_dockerfiles_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    from hullcheck.inputs.compose_build import MAX_BUILD_DOCKERFILES

    proj = tmp_path / "proj"
    lines = ["services:"]
    for i in range(MAX_BUILD_DOCKERFILES + 1):
        (proj / f"s{i}").mkdir(parents=True)
        (proj / f"s{i}" / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1001\n")
        lines += [f"  s{i}:", f"    build: ./s{i}"]
    (proj / "compose.yaml").write_text("\n".join(lines) + "\n")
    _, doc, err = run_json(capsys, "scan", str(proj / "compose.yaml"), "--fail-on", "never")
    # every service up to the bound is judged with its Dockerfile; the one past it is unknown
    assert _ct015(doc) == [("low", None)]
    assert f"more than {MAX_BUILD_DOCKERFILES} Dockerfiles" in err


def test_the_example_stack(capsys: pytest.CaptureFixture[str],
                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """examples/: web builds web/Dockerfile (no USER): DF001 there, the service related."""
    shutil.copytree(FIXTURES.parent.parent / "examples", tmp_path / "ex")
    monkeypatch.chdir(tmp_path / "ex")
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never")
    df001 = [(f["location"]["path"], f.get("related_locations")) for f in doc["findings"]
             if f["rule"] == "DF001"]
    assert ("web/Dockerfile", [{"path": "compose.yaml", "line": 8, "container": "web"}]) in df001


def test_text_names_the_related_places(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BUILD)
    # (CT015 selected by its family: it folds into DF001; named by id it would report too)
    _, out, _ = run_cli(capsys, "scan", ".", "--fail-on", "never", "--select", "DF001,CT")
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if " DF001 " in line)
    assert lines[start:start + 4] == [
        "rootapp/Dockerfile:2:1: HIGH DF001 The final stage sets no USER, so the container runs "
        "as root.",
        "    fix: Add `USER <non-root uid>` at the end of the final stage.",
        "    refs: cis-docker-1.6:4.1",
        "    also: compose.yaml:17:1 (container rootapp), compose.yaml:63:1 (container hostnet)",
    ]


@pytest.mark.parametrize("build", ['"./app\\0x"', "[a, b]", "{context: [a]}", "null",
                                   "{dockerfile: {x: 1}}"])
def test_hostile_build_values_read_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           build: str) -> None:
    """A NUL byte, a list or a mapping where a path goes: nothing read, no traceback."""
    proj = _project(tmp_path, build)
    code, doc, err = run_json(capsys, "scan", str(proj / "compose.yaml"), "--fail-on", "never")
    assert code == 0 and doc["errors"] == []
    assert _ct015(doc) == [("low", None)]  # unknown, as without a build
    nul = "a build path with a NUL byte is not read" in err
    assert err == "" or (nul and "\\0" in build), err


def test_the_service_finding_keeps_its_fingerprint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown (no Dockerfile) and known (a Dockerfile without USER) are one finding to a
    baseline: CT015's evidence is the service's unset user either way."""
    proj = _project(tmp_path, "./app", "FROM alpine:3.20\n")
    args = ("--fail-on", "never", "--ignore", "DF001")
    _, known, _ = run_json(capsys, "scan", str(proj / "compose.yaml"), *args)
    (proj / "app" / "Dockerfile").unlink()
    _, unknown, _ = run_json(capsys, "scan", str(proj / "compose.yaml"), *args)
    [a] = [f for f in known["findings"] if f["rule"] == "CT015"]
    [b] = [f for f in unknown["findings"] if f["rule"] == "CT015"]
    assert (a["severity"], b["severity"]) == ("high", "low")
    assert a["fingerprint"] == b["fingerprint"]
