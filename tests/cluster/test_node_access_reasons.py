"""The reason KNS030 gives for a hostPath names a runtime socket as such; each finding is
tagged with the CIS items of its reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json
from hullcheck.rules.cluster.node_access import sensitive_host_path


@pytest.mark.parametrize("path", ["/var/run/docker.sock", "/run/containerd/containerd.sock",
                                  "/var/run/crio/crio.sock", "/run/podman/podman.sock",
                                  "/run/k3s/containerd/containerd.sock",
                                  "/var/run/cri-dockerd.sock"])
def test_runtime_socket_named(path: str) -> None:
    assert sensitive_host_path(path) == f"{path}, a container runtime socket"


@pytest.mark.parametrize(("path", "why"), [
    ("/var/log", "/var/log"),
    ("/var", "/var, which holds /var/run"),
    ("/var/lib/kubelet/pki", "/var/lib/kubelet/pki, inside /var/lib/kubelet"),
    ("/srv/data", None),
    # /run and /var/run are node access as a whole, not every path inside them.
    ("/var/run", "/var/run"),
    ("/run/", "/run"),
    ("/run/containerd", "/run/containerd, which holds /run/containerd/containerd.sock"),
    ("/var/run/agent.sock", None),
    ("/run/xtables.lock", None),
    ("/var/run/datadog", None),
])
def test_other_paths(path: str, why: str | None) -> None:
    assert sensitive_host_path(path) == why


NODE_ACCESS = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: ops}
spec:
  template:
    spec:
      containers:
      - name: shipper
        image: shipper:1
        volumeMounts: [{name: state, mountPath: /state}]
      volumes:
      - {name: state, hostPath: {path: /var/lib/kubelet}}
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: ops}
spec:
  hostIPC: true
  containers:
  - name: debug
    image: debug:1
    securityContext: {capabilities: {add: [SYS_ADMIN]}}
"""


def test_references_are_those_of_the_reasons(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "agents.yaml").write_text(NODE_ACCESS)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "agents.yaml"),
                                "--select", "KNS030", "--fail-on", "never")
    refs = {f["location"]["object"]: f["references"] for f in doc["findings"]}
    assert refs == {"DaemonSet/ops/shipper": ["cis-k8s-1.10:5.2.12"],
                    "Pod/ops/debug": ["cis-k8s-1.10:5.2.4", "cis-k8s-1.10:5.2.9"]}
    # Ignoring the privileged-container item no longer hides a hostPath finding.
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "agents.yaml"), "--select",
                                "KNS030", "--ignore", "cis-k8s-1.10:5.2.2", "--fail-on", "never")
    assert len(doc["findings"]) == 2
