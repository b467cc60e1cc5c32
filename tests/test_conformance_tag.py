"""Benchmark-conformance checks are tagged ``conformance`` (issue 24): they say so in the
message, are rated low or info, and ``--ignore conformance`` keeps them out of a risk view."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json
from hullcheck.rules import all_rules

COMPOSE = """\
services:
  web:
    image: nginx:1.27
    ports: ["80:8080"]
    restart: always
"""
POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: c:1.0}]
"""
CONFORMANCE = {"CT020": "low", "CT025": "info", "CT029": "low", "KNS001": "low"}


def test_the_tagged_rules_and_their_defaults() -> None:
    tagged = {r.id: r.severity.label for r in all_rules() if "conformance" in r.references}
    assert tagged == CONFORMANCE


def _scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict]:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / "pod.yaml").write_text(POD)
    code, doc, err = run_json(capsys, "scan", str(tmp_path / "compose.yaml"),
                              str(tmp_path / "pod.yaml"), "--fail-on", "never", *args)
    assert code == 0 and err == ""
    return {f["rule"]: f for f in doc["findings"]}


def test_messages_say_conformance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = _scan(tmp_path, capsys, "--select", "conformance")
    assert {r: f["severity"] for r, f in got.items()} == CONFORMANCE
    assert got["CT020"]["message"] == (
        "web: publishes container port 8080 on privileged host port 80 (CIS Docker 5.8 "
        "conformance: the daemon binds it, the container gains no privilege).")
    assert got["CT025"]["message"] == (
        "web: restart policy always restarts more than 5 times (CIS Docker 5.15 conformance; "
        "Docker backs off between restarts).")
    assert got["CT029"]["message"].endswith("(CIS Docker 5.27 conformance).")
    assert got["KNS001"]["message"].endswith("; CIS Kubernetes 5.7.4 conformance).")
    assert all("conformance" in f["references"] for f in got.values())


def test_ignore_conformance_leaves_the_risks(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    everything = _scan(tmp_path, capsys)
    risks = _scan(tmp_path, capsys, "--ignore", "conformance")
    assert set(everything) - set(risks) == set(CONFORMANCE)
    assert "CT021" in risks  # the exposure (every interface) stays
