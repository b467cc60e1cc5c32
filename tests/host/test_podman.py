"""Podman's Docker-compatible API (``podman system service``, Debian podman 4.3.1): inspect data
captured from it, and what the audit does differently there."""

from __future__ import annotations

from hostfixtures import ctx, host_container, load

from hullcheck.deprecations import PREDECESSORS
from hullcheck.findings import CheckResult
from hullcheck.hostaudit.audit import audit
from hullcheck.inputs.docker_host import PODMAN_REASON, _processes
from hullcheck.inputs.docker_inspect import container_spec_from_inspect
from hullcheck.models.host import DockerHost
from hullcheck.rules.host import RULES


def podman_host() -> DockerHost:
    host = DockerHost(
        endpoint="unix:///tmp/podman.sock", local=False, local_reason=PODMAN_REASON,
        info=load("podman-info.json"), version=load("podman-version.json"), all_containers=True,
    )
    host.containers = [
        host_container(load(f"podman-inspect-{n}.json"), host)
        for n in ("hardened", "privileged", "sysadmin-pidhost")
    ]
    return host


def test_podman_inspect_to_spec() -> None:
    hardened = container_spec_from_inspect(load("podman-inspect-hardened.json"))
    # Podman expands --cap-drop ALL into the default set it drops
    assert "NET_RAW" in hardened.cap_drop and hardened.cap_add == []
    assert hardened.read_only_rootfs and hardened.no_new_privileges and hardened.user == "1000"
    assert [(p.host_ip, p.host_port) for p in hardened.ports] == [("127.0.0.1", "18089")]
    assert hardened.pids_limit == 50
    privileged = container_spec_from_inspect(load("podman-inspect-privileged.json"))
    assert privileged.privileged is True
    assert privileged.pids_limit == 2048  # Podman's default PID limit
    pidhost = container_spec_from_inspect(load("podman-inspect-sysadmin-pidhost.json"))
    assert pidhost.host_pid and pidhost.cap_add == ["SYS_ADMIN"]
    assert [p.host_port for p in pidhost.ports] == ["81"]


def test_podman_verdicts() -> None:
    host = podman_host()
    assert host.is_podman
    report = audit(host, ctx(), RULES)
    got = {c.id.split(":", 1)[1]: c for c in report.checks}
    assert got["1.2.2"].result is CheckResult.NOT_APPLICABLE  # not a Docker Engine version
    assert "Podman" in got["1.2.2"].reason
    for cid in ("1.1.3", "3.1", "3.23", "2.2", "2.15", "2.18"):
        assert got[cid].result is CheckResult.NOT_APPLICABLE, cid
    assert got["2.5"].result is CheckResult.PASS
    # neither the engine version (HOST004) nor a dockerd option (HOST013 to HOST028) fails here
    assert not [f for f in report.findings if f.rule == "HOST004" or f.rule in PREDECESSORS]


def test_podman_top_columns() -> None:
    top = {"Titles": ["PID", "COMMAND", "COMMAND"], "Processes": [["1", "sshd", "sshd: -D"]]}
    assert _processes(top) == ["[sshd] sshd: -D"]
