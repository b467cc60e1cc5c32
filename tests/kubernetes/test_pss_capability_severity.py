"""K8S004 and K8S018 rate an added capability by what it grants (issue 24): IPC_LOCK (mlock,
charged to the container's cgroup) is not SYS_ADMIN."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: caps}
spec:
  containers:
  - name: cassandra
    image: cassandra:4.1
    securityContext: {capabilities: {add: [IPC_LOCK]}}
  - name: nice
    image: app:1.0
    securityContext: {capabilities: {add: [IPC_LOCK, SYS_NICE], drop: [ALL]}}
  - name: admin
    image: app:1.0
    securityContext: {capabilities: {add: [IPC_LOCK, SYS_ADMIN]}}
  - name: module
    image: app:1.0
    securityContext: {capabilities: {add: [SYS_MODULE], drop: [ALL]}}
"""


@pytest.mark.parametrize(("level", "rule"), [("baseline", "K8S004"), ("restricted", "K8S018")])
def test_rated_by_the_capability(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 level: str, rule: str) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    _, doc, _ = run_json(capsys, "scan", str(tmp_path / "pod.yaml"), "--pss-level", level,
                         "--select", rule, "--fail-on", "never")
    got = {f["location"]["container"]: f["severity"] for f in doc["findings"]}
    assert got == {"cassandra": "medium", "nice": "medium", "admin": "high", "module": "high"}
