"""KNS030 judges what a host path is (issue 24): read-only CA certificates, the syslog and
journald sockets and read-only kernel modules are not root on the node; writable kernel modules
and SYS_MODULE are. A workload whose only reason is privileged containers is K8S003's."""

from __future__ import annotations

import pytest

from conftest import ROOT, run_json

FIXTURES = ROOT / "tests" / "fixtures" / "cluster"


def test_severity_and_reason_by_path(capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(FIXTURES / "node-access-paths.yaml"),
                         "--select", "KNS030", "--fail-on", "never")
    got = {f["location"]["object"].split("/")[-1]: (f["severity"], f["location"]["line"],
                                                     f["message"].split(": ", 1)[1])
           for f in doc["findings"]}
    assert got == {
        "ca-bundle-writable": ("critical", 34, "hostPath volume certs mounts /etc/ssl/certs, "
                                               "inside /etc."),
        "ssl-private-read-only": ("high", 44, "hostPath volume k mounts /etc/ssl/private, inside "
                                              "/etc (read-only: reads the node's credentials and "
                                              "secrets)."),
        "dev-writable": ("critical", 67, "hostPath volume dev mounts /dev."),
        "modules-writable": ("critical", 90, "hostPath volume m mounts /lib/modules."),
        "sys-module": ("critical", 101, "container c adds SYS_MODULE."),
    }


def _kns030(capsys: pytest.CaptureFixture[str], *select: str) -> list[tuple[str, int]]:
    _, doc, _ = run_json(capsys, "scan", str(FIXTURES / "node-access-privileged-only.yaml"),
                         *select, "--fail-on", "never")
    return sorted((f["rule"], f["location"]["line"]) for f in doc["findings"]
                  if f["rule"] in ("KNS030", "K8S003"))


def test_privileged_only_is_k8s003s(capsys: pytest.CaptureFixture[str]) -> None:
    # By default: K8S003 on each privileged container, KNS030 only where hostNetwork adds to it.
    # (KNS030 on line 47: CAP_SYS_ADMIN, which K8S003 does not report.)
    assert _kns030(capsys) == [("K8S003", 17), ("K8S003", 21), ("K8S003", 33),
                               ("KNS030", 28), ("KNS030", 47)]
    # KNS030 named by id always reports; without K8S003 selected it reports too.
    assert _kns030(capsys, "--select", "KNS030") == [("KNS030", 17), ("KNS030", 28),
                                                      ("KNS030", 47)]
    assert _kns030(capsys, "--ignore", "K8S003") == [("KNS030", 17), ("KNS030", 28),
                                                      ("KNS030", 47)]


def test_reporter_carries_the_duplicates_tags(capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(FIXTURES / "node-access-privileged-only.yaml"),
                         "--fail-on", "never")
    k8s003 = [f for f in doc["findings"] if f["rule"] == "K8S003"
              and f["location"]["line"] == 17]
    assert len(k8s003) == 1 and k8s003[0]["severity"] == "critical"
    assert "cis-k8s-1.10:5.2.2" in k8s003[0]["references"]
