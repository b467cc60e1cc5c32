"""KNS030 grades a writable sensitive hostPath above the same path mounted read-only: writing
/etc or the kubelet's state makes the pod root on its node (critical), reading it discloses
credentials and Secrets (high). Sockets, /proc and a writable mount by any container stay
critical."""

from __future__ import annotations

import pytest

from conftest import ROOT, run_json

FIXTURE = ROOT / "tests" / "fixtures" / "cluster" / "node-access-read-only.yaml"


def test_severity_by_mode(capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(FIXTURE), "--select", "KNS030",
                         "--fail-on", "never")
    got = {f["location"]["object"].split("/")[-1]: (f["severity"], f["location"]["line"])
           for f in doc["findings"]}
    assert got == {
        "etc-writable": ("critical", 13),
        "etc-read-only": ("high", 23),
        "kubelet-read-only": ("high", 35),
        "one-writer": ("critical", 46),  # one container writes it
        "socket-read-only": ("critical", 56),  # a read-only socket still connects
        "proc-read-only": ("critical", 66),
        "read-only-and-host-pid": ("critical", 72),
    }
    messages = {f["location"]["object"].split("/")[-1]: f["message"] for f in doc["findings"]}
    assert messages["etc-read-only"] == (
        "Pod/default/etc-read-only can read its node's secrets: hostPath volume etc mounts "
        "/etc (read-only: reads the node's credentials and secrets).")
    assert "is root on its node" in messages["etc-writable"]
