"""A restricted control that replaces a baseline one keeps the baseline severity for what
baseline itself forbids: judging at restricted never makes an escape primitive less severe."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: caps, namespace: shop}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: sysadmin
    image: app:1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL], add: [SYS_ADMIN]}
  - name: netraw
    image: app:1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {add: [NET_RAW]}
  - name: chown
    image: app:1
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL], add: [CHOWN]}
  - name: no-drop
    image: app:1
    securityContext:
      allowPrivilegeEscalation: false
"""


@pytest.mark.parametrize(("level", "rule"), [("baseline", "K8S004"), ("restricted", "K8S018")])
def test_capability_severity_by_level(level: str, rule: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "pod.yaml"), "--select", "K8S",
                                "--pss-level", level, "--fail-on", "never")
    got = {f["location"]["container"]: f["severity"] for f in doc["findings"]
           if f["rule"] == rule}
    if level == "baseline":
        assert got == {"sysadmin": "high", "netraw": "high"}
    else:
        assert got == {"sysadmin": "high", "netraw": "high", "chown": "medium",
                       "no-drop": "medium"}
