"""The host audit on the real engine, with the containers Docker Bench misjudges.

Created here, labelled ``hullcheck.test=<owner>``, removed afterwards (cgroup-parent folders too).
``--privileged`` containers cannot start on this machine: that one is only created and audited
with ``--all``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullcheck.config import Config
from hullcheck.findings import CheckResult, Report
from hullcheck.hostaudit.audit import audit
from hullcheck.inputs.docker_host import HostOptions, collect
from hullcheck.rules import all_rules
from hullcheck.rules.base import Context
from live.dockertest import LABELS, RUN_ID, TEST_LABEL, TEST_OWNER, remove_container

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "host"))
from fake_container_rules import FAKE_RULES

pytestmark = pytest.mark.live

CGROUP_PARENT = f"hullcheck-test-{TEST_OWNER}-{RUN_ID}.slice"
SSHD_SCRIPT = "printf '#!/bin/sh\\nsleep 3600\\n' > /tmp/sshd && chmod +x /tmp/sshd && /tmp/sshd"

# name -> (create kwargs, start?)
SPECS: dict[str, tuple[dict[str, Any], bool]] = {
    "sysadmin-pidhost": (dict(cap_add=["SYS_ADMIN"], pid_mode="host",
                              ports={"8081/tcp": 981}), True),
    "hostnet-ipc-uts-sock": (dict(network_mode="host", ipc_mode="host", uts_mode="host",
                                  volumes=["/var/run/docker.sock:/var/run/docker.sock"]), True),
    "etc-seccomp-device": (dict(volumes=["/etc:/host-etc"], security_opt=["seccomp=unconfined"],
                                devices=["/dev/null:/dev/xnull"],
                                restart_policy={"Name": "always"},
                                cgroup_parent=CGROUP_PARENT), True),
    "root-netadmin-usr": (dict(user="0", cap_add=["NET_ADMIN"],
                               restart_policy={"Name": "on-failure", "MaximumRetryCount": 10},
                               volumes=["/usr:/host-usr"]), True),
    "hardened": (dict(read_only=True, user="1000", cap_drop=["ALL"],
                      security_opt=["no-new-privileges"], mem_limit="64m", pids_limit=50,
                      nano_cpus=500_000_000, ports={"8080/tcp": ("127.0.0.1", 0)}), True),
    "privileged": (dict(privileged=True), False),
    "sshd": (dict(command=["sh", "-c", SSHD_SCRIPT]), True),
}


def cname(key: str) -> str:
    return f"hullcheck-{TEST_OWNER}-{RUN_ID}-{key}"


@pytest.fixture(scope="module")
def stack(docker_client: Any, busybox_image: str) -> Iterator[dict[str, Any]]:
    made: dict[str, Any] = {}
    try:
        for key, (kwargs, start) in SPECS.items():
            kwargs = dict(kwargs)
            command = kwargs.pop("command", ["sleep", "3600"])
            c = docker_client.containers.create(
                busybox_image, command, name=cname(key), labels=LABELS, **kwargs)
            made[key] = c
            if start:
                c.start()
            c.reload()
        yield made
    finally:
        for c in made.values():
            remove_container(c)


def run_audit(names: list[str], rules: Any = None, **kw: Any) -> Report:
    host = collect(HostOptions(all_containers=True, container_filters=names, **kw))
    return audit(host, Context(config=Config()), rules)


def results(report: Report) -> dict[str, Any]:
    return {c.id.split(":", 1)[1]: c for c in report.checks}


def test_specs_from_the_live_engine(stack: dict[str, Any]) -> None:
    host = collect(HostOptions(all_containers=True,
                               container_filters=[cname(k) for k in SPECS]))
    assert host.engine_error is None
    specs = {c.name: c.spec for c in host.containers}
    assert set(specs) == {cname(k) for k in SPECS}
    pidhost = specs[cname("sysadmin-pidhost")]
    assert pidhost.host_pid and pidhost.cap_add == ["SYS_ADMIN"]
    assert [(p.host_ip, p.host_port) for p in pidhost.ports] == [("0.0.0.0", "981")]
    assert pidhost.selinux_disabled is None  # Docker's own label=disable, host without SELinux
    hardened = specs[cname("hardened")]
    assert [p.host_ip for p in hardened.ports] == ["127.0.0.1"]
    restart = specs[cname("root-netadmin-usr")]
    assert (restart.restart_policy, restart.restart_max_retries) == ("on-failure", 10)
    always = specs[cname("etc-seccomp-device")]
    assert (always.restart_policy, always.restart_max_retries) == ("always", 0)
    assert specs[cname("privileged")].privileged is True
    # processes come from top, nothing runs inside
    sshd = next(c for c in host.containers if c.name == cname("sshd"))
    assert sshd.processes and any(p.startswith("[sshd]") for p in sshd.processes)


def test_host_level_verdicts_on_the_live_engine(stack: dict[str, Any]) -> None:
    report = run_audit([cname(k) for k in SPECS], FAKE_RULES + list(all_rules()))
    got = results(report)
    assert len(report.checks) == 117
    info = stack["hardened"].client.info()
    opts = " ".join(info.get("SecurityOptions") or [])
    if "apparmor" not in opts:
        assert got["5.2"].result is CheckResult.NOT_APPLICABLE
        assert "AppArmor is not enabled" in got["5.2"].reason
    if "selinux" not in opts:
        assert got["5.3"].result is CheckResult.NOT_APPLICABLE
    # 1.2.2: an old engine is never a pass
    if info["ServerVersion"].startswith("20.10"):
        assert got["1.2.2"].result is CheckResult.FAIL
        assert "dated" in got["1.2.2"].evidence
    # 3.23/3.24: containerd's real socket
    if Path("/var/run/docker/containerd/containerd.sock").exists() and not Path(
            "/run/containerd/containerd.sock").exists():
        assert "/var/run/docker/containerd/containerd.sock" in got["3.23"].reason + \
            got["3.23"].evidence
    # 5.7 from top, 5.5 from the created-only privileged container
    assert got["5.7"].result is CheckResult.FAIL and cname("sshd") in got["5.7"].evidence
    assert got["5.5"].result is CheckResult.FAIL
    # every finding about a container names it and its id
    for f in report.findings:
        if f.location.container:
            assert f.location.container_id


def test_fake_rule_mapping_on_live_containers(stack: dict[str, Any]) -> None:
    """5.14 / 5.15 semantics with the test-double container rules (mapping only)."""
    report = run_audit([cname(k) for k in SPECS], FAKE_RULES)
    by_rule: dict[str, set[str]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, set()).add(str(f.location.container))
    assert by_rule["CT915"] == {cname("etc-seccomp-device"), cname("root-netadmin-usr")}
    assert by_rule["CT914"] == {cname("sysadmin-pidhost")}  # not the 127.0.0.1 port
    assert by_rule["CT932"] == {cname("hostnet-ipc-uts-sock")}


def registered(tag: str) -> bool:
    return any(tag in r.references and r.implements("check_container") for r in all_rules())


@pytest.mark.parametrize(
    ("check", "bad", "good"),
    [
        ("5.4", {"sysadmin-pidhost", "root-netadmin-usr"}, {"hardened"}),
        ("5.5", {"privileged"}, {"hardened", "sysadmin-pidhost"}),
        ("5.6", {"etc-seccomp-device", "root-netadmin-usr"}, {"hardened"}),
        ("5.8", {"sysadmin-pidhost"}, {"hardened"}),
        ("5.10", {"hostnet-ipc-uts-sock"}, {"hardened"}),
        ("5.14", {"sysadmin-pidhost"}, {"hardened"}),
        ("5.15", {"etc-seccomp-device", "root-netadmin-usr"}, {"hardened"}),
        ("5.16", {"sysadmin-pidhost"}, {"hardened"}),
        ("5.17", {"hostnet-ipc-uts-sock"}, {"hardened"}),
        ("5.21", {"hostnet-ipc-uts-sock"}, {"hardened"}),
        ("5.22", {"etc-seccomp-device"}, {"hardened"}),
        ("5.25", {"etc-seccomp-device"}, {"hardened"}),
        ("5.32", {"hostnet-ipc-uts-sock"}, {"hardened"}),
        ("5.11", {"sysadmin-pidhost"}, {"hardened"}),
        ("5.13", {"sysadmin-pidhost"}, {"hardened"}),
        ("5.26", {"sysadmin-pidhost"}, {"hardened"}),
        ("5.29", {"sysadmin-pidhost"}, {"hardened"}),
    ],
)
def test_container_rules_on_live_containers(
    stack: dict[str, Any], check: str, bad: set[str], good: set[str]
) -> None:
    """With the real container rules (issue 3): who is flagged for each check."""
    tag = f"cis-docker-1.6:{check}"
    report = run_audit([cname(k) for k in SPECS])
    if not registered(tag):
        # Until the container rules (issue 3) are registered, the check must say so: an error
        # with the reason, never a pass.
        assert results(report)[check].result is CheckResult.ERROR
        assert "no registered container rule" in results(report)[check].reason
        return
    flagged = {str(f.location.container) for f in report.findings if tag in f.references}
    assert {cname(b) for b in bad} <= flagged
    assert not ({cname(g) for g in good} & flagged)
    assert results(report)[check].result is CheckResult.FAIL


def test_running_only_without_all(stack: dict[str, Any]) -> None:
    host = collect(HostOptions(container_filters=[cname(k) for k in SPECS]))
    assert cname("privileged") not in {c.name for c in host.containers}


def snapshot(client: Any) -> dict[str, Any]:
    """Everything an audit could change, minus other test runs' own objects (other helpers
    share this engine) and counters that move on their own."""
    api = client.api

    def foreign(labels: dict[str, str] | None) -> bool:
        owner = (labels or {}).get(TEST_LABEL)
        return owner is not None and owner != TEST_OWNER

    containers = {}
    for c in api.containers(all=True):
        if foreign(c.get("Labels")):
            continue
        data = api.inspect_container(c["Id"])
        containers[c["Id"]] = {
            "State": {k: data["State"].get(k) for k in
                      ("Status", "StartedAt", "FinishedAt", "Pid", "Paused", "Restarting")},
            "RestartCount": data.get("RestartCount"),
            "ExecIDs": data.get("ExecIDs"),
            "Config": data["Config"],
            "HostConfig": data["HostConfig"],
            "Mounts": data["Mounts"],
        }
    images = {i["Id"]: sorted(i.get("RepoTags") or []) for i in api.images(all=True)
              if not foreign(i.get("Labels"))}
    networks = {n["Id"]: (n["Name"], n.get("Options"), sorted(n.get("Containers") or {}))
                for n in api.networks() if not foreign(n.get("Labels"))}
    volumes = sorted(v["Name"] for v in (api.volumes().get("Volumes") or [])
                     if not foreign(v.get("Labels")))
    info = api.info()
    daemon = {k: info.get(k) for k in ("Driver", "LoggingDriver", "SecurityOptions",
                                        "RegistryConfig", "LiveRestoreEnabled", "ServerVersion",
                                        "Swarm")}
    files = {}
    for path in ("/etc/docker/daemon.json", "/etc/docker"):
        p = Path(path)
        if p.exists():
            st = p.stat()
            files[path] = (st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns,
                           p.read_bytes() if p.is_file() else None)
    return {"containers": containers, "images": images, "networks": networks,
            "volumes": volumes, "daemon": daemon, "files": files}


def test_audit_is_read_only(stack: dict[str, Any], docker_client: Any,
                            capsys: pytest.CaptureFixture[str]) -> None:
    from hullcheck.cli import main

    before = snapshot(docker_client)
    code = main(["host", "--all", "--format", "json", "--fail-on", "never"])
    out = capsys.readouterr().out
    after = snapshot(docker_client)
    assert code == 0
    assert len(json.loads(out)["checks"]) == 117
    for key in before:
        assert before[key] == after[key], key
    # no exec ever ran in our containers
    for key, c in stack.items():
        c.reload()
        assert not c.attrs.get("ExecIDs"), key


def test_docker_bench_json_format(stack: dict[str, Any],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    from hullcheck.cli import main

    code = main(["host", "--all", "--container", cname("privileged"), "--format",
                 "docker-bench-json", "--fail-on", "never"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["checks"] == 117 and isinstance(doc["score"], int)
    assert doc["start"] <= doc["end"]
    entries = {r["id"]: r for t in doc["tests"] for r in t["results"]}
    assert {"1.1.1", "7.9"} <= set(entries)
    assert entries["5.5"]["result"] in ("WARN", "INFO")  # INFO until container rules land
