"""Reporters: SARIF validates against the 2.1.0 schema, JUnit parses, text and SARIF results are
snapshotted (set HULLCHECK_UPDATE_SNAPSHOTS=1 to rewrite them after an intended change)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

SNAPSHOTS = ROOT / "tests" / "snapshots"
SCHEMA_CANDIDATES = [
    ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json",
    ROOT / "tests" / "data" / "sarif-schema-2.1.0.json",
]
DOCKERFILE = (
    "FROM node:latest AS build\n"
    "RUN echo build\n"
    "\n"
    "# hullcheck: ignore=DF002 the base is mirrored\n"
    "FROM python\n"
    "USER root\n"
)


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("HULLCHECK_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; rerun with HULLCHECK_UPDATE_SNAPSHOTS=1"


@pytest.fixture
def dockerfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    return "Dockerfile"


def _sarif(capsys: pytest.CaptureFixture[str], path: str, *extra: str) -> dict[str, object]:
    code, out, _ = run_cli(capsys, "scan", path, "--format", "sarif", "--show-suppressed", *extra)
    assert code == 1
    doc: dict[str, object] = json.loads(out)
    return doc


def test_sarif_validates_against_schema(dockerfile: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = next((p for p in SCHEMA_CANDIDATES if p.exists()), None)
    assert schema_path is not None, "SARIF 2.1.0 schema not found"
    schema = json.loads(schema_path.read_text())
    doc = _sarif(capsys, dockerfile)
    jsonschema.validate(doc, schema)


def test_sarif_results_snapshot(dockerfile: str, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _sarif(capsys, dockerfile)
    run = doc["runs"][0]  # type: ignore[index]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        # ruleIndex points at the right descriptor, and each rule has help from its docstring
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert "## How to fix" in rules[result["ruleIndex"]]["help"]["markdown"]
        float(rules[result["ruleIndex"]]["properties"]["security-severity"])
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["DF002"]
    _snapshot("sarif-results.json", json.dumps(run["results"], indent=2) + "\n")


def test_text_snapshot(dockerfile: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "scan", dockerfile, "--select", "DF001,DF002,DF003",
                           "--show-suppressed", "--no-color")
    assert code == 1
    _snapshot("text.txt", out)


def test_junit_parses(dockerfile: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "scan", dockerfile, "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites"
    failures = root.findall(".//failure")
    assert failures and int(root.get("failures", "0")) == len(failures)


def test_output_file(dockerfile: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run_cli(capsys, "scan", dockerfile, "--format", "json", "-o", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["tool"] == "hullcheck"


def test_sarif_for_every_input_kind_validates(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Compose, Kubernetes (object + container logical locations) and an image (logical
    locations only) in SARIF that validates against the schema."""
    jsonschema = pytest.importorskip("jsonschema")
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "image"))
    from image_builders import M, image_blobs, layer_tar, write_oci_layout

    schema_path = next(p for p in SCHEMA_CANDIDATES if p.exists())
    schema = json.loads(schema_path.read_text())
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    privileged: true\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n")
    _, out, _ = run_cli(capsys, "scan", str(tmp_path), "--format", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    k8s = [r for r in results if r["ruleId"].startswith("K8S")]
    assert k8s and k8s[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == \
        "Pod/default/p"

    manifest, _cfg, blobs = image_blobs([layer_tar([M("root/.ssh/id_rsa", b"x")])],
                                        {"User": ""}, [{"created_by": "RUN x"}])
    layout = write_oci_layout(tmp_path / "oci", manifest, blobs)
    _, out, _ = run_cli(capsys, "image", str(layout), "--format", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, schema)
    image_results = doc["runs"][0]["results"]
    assert image_results
    assert all("physicalLocation" not in loc for r in image_results for loc in r["locations"])


POD_YAML = ("apiVersion: v1\nkind: Pod\nmetadata: {{name: p{n}, namespace: ns}}\n"
            "spec: {{containers: [{{name: c, image: 'nginx', securityContext: "
            "{{privileged: true}}}}]}}\n---\n")


@pytest.mark.parametrize("batch", [1, 2, 512])
def test_json_is_written_piece_by_piece_byte_for_byte(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        batch: int) -> None:
    """The JSON document is written as it is made (findings a batch at a time, never one
    string): the bytes are exactly ``render``'s, to a file and to stdout, for a scan, a diff and
    a merge, and with a file name that is not UTF-8 (a lone surrogate, written as U+FFFD)."""
    import hullcheck.reporters.json as json_reporter

    monkeypatch.setattr(json_reporter, "_BATCH", batch)
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pods.yaml").write_text("".join(POD_YAML.format(n=n) for n in range(5)))
    (tmp_path / "k8s" / os.fsdecode(b"odd-\xff.yaml")).write_text(POD_YAML.format(n=9))
    (tmp_path / "empty").mkdir()

    def both(name: str, *args: str) -> tuple[bytes, bytes, str]:
        """(streamed file, rendered file, streamed stdout) of one command."""
        streamed, rendered = tmp_path / f"{name}-s.json", tmp_path / f"{name}-r.json"
        run_cli(capsys, *args, "-f", "json", "-o", str(streamed))
        _, out, _ = run_cli(capsys, *args, "-f", "json")
        with monkeypatch.context() as m:
            m.delattr(json_reporter, "pieces")  # what `render` writes, in one string
            run_cli(capsys, *args, "-f", "json", "-o", str(rendered))
        return streamed.read_bytes(), rendered.read_bytes(), out

    scan, scan_rendered, scan_out = both("scan", "scan", str(tmp_path / "k8s"), "--fail-on",
                                         "never")
    assert scan == scan_rendered == scan_out.encode()
    doc = json.loads(scan)
    assert len(doc["findings"]) > 6 and b"odd-\\ufffd.yaml" in scan
    empty, empty_rendered, _ = both("empty", "scan", str(tmp_path / "empty"), "--fail-on",
                                    "never")
    assert empty == empty_rendered and json.loads(empty)["findings"] == []
    diff, diff_rendered, _ = both("diff", "diff", str(tmp_path / "empty-s.json"),
                                  str(tmp_path / "scan-s.json"), "--fail-on", "never")
    assert diff == diff_rendered and json.loads(diff)["findings"][0]["change"] == "appeared"
    merged, merged_rendered, _ = both("merge", "merge", str(tmp_path / "scan-s.json"),
                                      str(tmp_path / "scan-r.json"))
    assert merged == merged_rendered and "occurrences" in json.loads(merged)["findings"][0]
