"""End to end: stdin dumps, messages with chains, JSON locations, unused annotations."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import run_json

DUMP = """apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec:
    template:
      metadata: {labels: {app: web}}
      spec: {containers: [{name: web, image: web:1}]}
"""


def test_kubectl_dump_on_stdin(capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(DUMP.encode())))
    _code, doc, _err = run_json(capsys, "scan", "-", "--stdin-name", "cluster.yaml",
                                "--select", "KNS014", "--fail-on", "never")
    (f,) = doc["findings"]
    assert f["location"] == {"path": "cluster.yaml", "line": 7, "object": "Service/shop/web",
                             "unit": {"kind": "stdin", "path": "cluster.yaml"}}
    assert "Deployment/shop/web" in f["message"]


def test_namespace_option_moves_unnamespaced_objects(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: c, image: x}]}\n")
    monkeypatch.chdir(tmp_path)
    _c, doc, _e = run_json(capsys, "scan", "pod.yaml", "--select", "KNS001", "--fail-on", "never")
    assert [f["location"]["object"] for f in doc["findings"]] == ["Pod/default/p"]
    _c, doc, _e = run_json(capsys, "scan", "pod.yaml", "--select", "KNS001", "--namespace",
                           "prod", "--fail-on", "never")
    assert doc["findings"] == []


def test_rbac_message_carries_the_chain(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "cluster"
    monkeypatch.chdir(fixtures)
    _c, doc, _e = run_json(capsys, "scan", "rbac.yaml", "--select", "KNS026",
                           "--fail-on", "never")
    (f,) = doc["findings"]
    assert f["message"].startswith("Group platform can reach the kubelet API (get nodes/proxy)")
    assert "ClusterRoleBinding/platform-team -> ClusterRole/platform -> " \
           "ClusterRole/platform-nodes rule 1" in f["message"]
    assert f["references"] == ["cis-k8s-1.10:5.1.10"]
