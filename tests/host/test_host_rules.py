"""Host rules (HOST0xx) on hosts built from captured engine data: each fires and near-misses."""

from __future__ import annotations

import re
from typing import Any

from hostfixtures import ctx, make_host

from hullcheck.findings import Finding
from hullcheck.hostaudit.releases import parse_version, release_table
from hullcheck.models.host import AuditRules, DockerHost, HostFile, Setting
from hullcheck.rules.base import Rule
from hullcheck.rules.host import DAEMON_RULES, RULES
from hullcheck.rules.host.host006_file_permissions import DaemonFilePermissions

BY_ID = {r.id: r for r in RULES}


def run(rule: type[Rule], host: DockerHost) -> list[Finding]:
    return list(rule().check_host(ctx(), host))


def run_daemon(host: DockerHost) -> list[Finding]:
    """Every daemon-setting rule (HOST013 to HOST028, HOST005's successors) on ``host``."""
    return [f for rule in DAEMON_RULES for f in run(rule, host)]


def tags(findings: list[Finding]) -> list[str]:
    return sorted(r for f in findings for r in f.references)


def local_host(**kw: Any) -> DockerHost:
    host = make_host(containers=(), **kw)
    host.local = True
    return host


def set_config(host: DockerHost, **settings: Any) -> None:
    for key, value in settings.items():
        name = key.replace("_", "-")
        host.daemon.settings[name] = Setting(name, value, "/etc/docker/daemon.json")


def test_rule_ids_sorted_and_unique() -> None:
    ids = [r.id for r in RULES]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_engine_outdated_never_passes_old_engine() -> None:
    table = release_table()
    host = make_host(containers=())
    (f,) = run(BY_ID["HOST004"], host)
    assert "20.10.24+dfsg1" in f.message and f"dated {table.date}" in f.message
    assert f"older than {table.newest['latest']}," in f.message
    assert "its 20.10 series was last patched in 20.10.27 (2023-10-27)" in f.message
    assert f.references == ("cis-docker-1.6:1.2.2",)
    host.version["Version"] = "99.0.0"
    assert run(BY_ID["HOST004"], host) == []
    host.version["Version"] = table.newest["latest"]
    assert run(BY_ID["HOST004"], host) == []


def test_engine_outdated_series_detail_only_when_the_table_knows_a_newer_patch() -> None:
    table = release_table()
    newest = table.newest
    host = make_host(containers=())
    first = newest["first"]
    if first != newest["latest"]:  # in the newest series: "older than <newest>" says it all
        host.version["Version"] = first
        (f,) = run(BY_ID["HOST004"], host)
        assert f"older than {newest['latest']}," in f.message and "series was last" not in f.message
    # past a series' last known patch (an entry may stop short): no contradicting detail
    host.version["Version"] = "28.5.2"
    (f,) = run(BY_ID["HOST004"], host)
    assert "28.5.2" in f.message and "series was last" not in f.message


def test_release_table_is_ordered_and_dated() -> None:
    table = release_table()
    dates = [d for r in table.releases for d in (r["first_date"], r["latest_date"])]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in [*dates, table.date])
    assert table.date == max(dates)  # the table is dated by its newest entry
    versions = [parse_version(r["first"]) for r in table.releases]
    assert versions == sorted(versions)  # type: ignore[type-var]
    for r in table.releases:
        first, latest = parse_version(r["first"]), parse_version(r["latest"])
        assert first is not None and latest is not None and first <= latest
        assert r["series"] == ".".join(r["first"].split(".")[:2])
        assert r["first_date"] <= r["latest_date"]
    assert table.newest is table.releases[-1]


def test_daemon_settings_on_the_captured_engine() -> None:
    """Debian docker.io 20.10 defaults: what fails and what does not."""
    host = local_host()
    got = {f.location.setting: f for f in run_daemon(host)}
    assert sorted(got) == [
        "authorization-plugins", "icc", "live-restore", "log-driver", "no-new-privileges",
        "userland-proxy", "userns-remap",
    ]
    assert got["icc"].references == ("cis-docker-1.6:2.2",)


def test_daemon_settings_hardened() -> None:
    host = local_host()
    for net in host.networks:
        if net["Name"] == "bridge":
            net["Options"]["com.docker.network.bridge.enable_icc"] = "false"
    set_config(host, no_new_privileges=True, userland_proxy=False, live_restore=True)
    host.info["LiveRestoreEnabled"] = True
    host.info["LoggingDriver"] = "syslog"
    host.info["SecurityOptions"].append("name=userns")
    host.info["Plugins"]["Authorization"] = ["authz-broker"]
    assert run_daemon(host) == []


def test_insecure_registries_ignore_loopback_default() -> None:
    host = local_host()
    host.info["RegistryConfig"]["InsecureRegistryCIDRs"] = ["127.0.0.0/8", "10.0.0.0/8"]
    host.info["RegistryConfig"]["IndexConfigs"]["reg.local:5000"] = {"Secure": False}
    (f,) = [f for f in run_daemon(host) if f.location.setting == "insecure-registries"]
    assert "10.0.0.0/8" in f.message and "reg.local:5000" in f.message
    assert "127.0.0.0/8" not in f.message


def test_tcp_without_tlsverify_is_critical() -> None:
    host = local_host()
    set_config(host, hosts=["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"])
    (f,) = [f for f in run_daemon(host) if f.location.setting == "hosts"]
    assert f.severity.label == "critical" and f.location.path == "/etc/docker/daemon.json"
    set_config(host, tlsverify=True, tlscacert="/ca", tlscert="/c", tlskey="/k")
    assert not [f for f in run_daemon(host) if f.location.setting == "hosts"]


def test_config_settings_not_judged_on_remote_engine() -> None:
    host = make_host(containers=())  # local=False
    settings = {f.location.setting for f in run_daemon(host)}
    assert "userland-proxy" not in settings and "icc" in settings


def test_file_permissions() -> None:
    host = local_host()
    host.files = {
        "daemon.json": HostFile("/etc/docker/daemon.json", True, 0, 0, 0o666, "root", "root"),
        "docker.sock": HostFile("/var/run/docker.sock", True, 0, 998, 0o660, "root", "docker",
                                is_socket=True),
        "containerd.sock": HostFile("/var/run/docker/containerd/containerd.sock", True, 1000,
                                    0, 0o660, "app", "root", is_socket=True),
        "tlskey": HostFile("/etc/docker/key.pem", True, 0, 0, 0o400, "root", "root"),
        "/etc/docker": HostFile("/etc/docker", False),
    }
    found = run(DaemonFilePermissions, host)
    assert tags(found) == ["cis-docker-1.6:3.18", "cis-docker-1.6:3.23"]
    assert {f.location.path for f in found} == {
        "/etc/docker/daemon.json", "/var/run/docker/containerd/containerd.sock"}


def test_audit_rules_only_for_existing_paths() -> None:
    host = local_host()
    host.audit = AuditRules(source="auditctl -l", lines=["-w /usr/bin/dockerd -p rwxa -k docker"])
    host.audit_paths = {"1.1.3": "/usr/bin/dockerd", "1.1.6": "/etc/docker",
                        "1.1.13": "/etc/sysconfig/docker"}
    host.present_paths = {"/usr/bin/dockerd", "/etc/docker"}
    found = run(BY_ID["HOST003"], host)
    assert [(f.location.path, f.references) for f in found] == [
        ("/etc/docker", ("cis-docker-1.6:1.1.6",))]


def test_docker_group_and_trusted_users() -> None:
    host = local_host(docker_group=["alice", "root"], trusted_users=[])
    assert [f.evidence for f in run(BY_ID["HOST002"], host)] == ["docker:alice"]
    host.trusted_users = ["alice"]
    assert run(BY_ID["HOST002"], host) == []


def test_sshd_from_top_processes() -> None:
    host = make_host(containers=("hardened", "sysadmin-pidhost"))
    host.containers[0].processes = ["/usr/sbin/sshd -D", "sleep 1"]
    host.containers[1].processes = ["[sleep] sleep 3600", "[grep] grep sshd", "[sh] sh sshd"]
    found = run(BY_ID["HOST008"], host)
    assert [f.location.container for f in found] == [host.containers[0].name]
    host.containers[1].processes = ["[sshd] /bin/sh /tmp/sshd"]
    host.containers[0].processes = ["[sshd] sshd: /usr/sbin/sshd -D [listener] 0 of 10-100"]
    assert len(run(BY_ID["HOST008"], host)) == 2


def test_exec_privileged_and_root() -> None:
    host = make_host(containers=("hardened",))
    host.containers[0].execs = [
        {"Privileged": True, "ProcessConfig": {"entrypoint": "sh", "arguments": [], "user": ""}},
        {"Privileged": False, "ProcessConfig": {"entrypoint": "id", "arguments": [],
                                                 "user": "root"}},
        {"Privileged": False, "ProcessConfig": {"entrypoint": "id", "arguments": [],
                                                 "user": "1000"}},
    ]
    assert tags(run(BY_ID["HOST009"], host)) == ["cis-docker-1.6:5.23", "cis-docker-1.6:5.24"]


def swarm_manager(host: DockerHost) -> None:
    host.info["Swarm"] = {
        "LocalNodeState": "active", "ControlAvailable": True, "Managers": 2, "Nodes": 3,
        "Cluster": {"Spec": {"EncryptionConfig": {"AutoLockManagers": False}}},
    }
    host.networks = [*host.networks, {"Name": "ingress", "Driver": "overlay", "Options": {}},
                     {"Name": "secure", "Driver": "overlay", "Options": {"encrypted": ""}}]
    host.listening = [("0.0.0.0", 2377)]


def test_swarm_rules() -> None:
    host = make_host(containers=())
    assert run(BY_ID["HOST007"], host) == [] and run(BY_ID["HOST010"], host) == []
    swarm_manager(host)
    assert tags(run(BY_ID["HOST007"], host)) == ["cis-docker-1.6:5.1"]
    assert tags(run(BY_ID["HOST010"], host)) == [
        "cis-docker-1.6:7.1", "cis-docker-1.6:7.2", "cis-docker-1.6:7.3", "cis-docker-1.6:7.5"]


def test_kubernetes_node_rules() -> None:
    host = make_host(containers=(), listening=[("0.0.0.0", 22)])
    assert run(BY_ID["HOST011"], host) == [] and run(BY_ID["HOST012"], host) == []
    host.kubelet_config = {"authentication": {"anonymous": {"enabled": False}}}
    assert len(run(BY_ID["HOST011"], host)) == 1
    assert run(BY_ID["HOST012"], host) == []
    host.kubelet_args = ["kubelet", "--anonymous-auth=true"]
    assert len(run(BY_ID["HOST012"], host)) == 1
    host.listening = [("127.0.0.1", 22)]
    assert run(BY_ID["HOST011"], host) == []


def test_daemon_no_new_privileges_default_reaches_containers() -> None:
    from hullcheck.inputs.docker_host import _apply_daemon_defaults

    host = make_host()
    assert any(hc.spec.no_new_privileges is None for hc in host.containers)
    set_config(host, no_new_privileges=True)
    _apply_daemon_defaults(host)
    assert all(hc.spec.no_new_privileges is not None for hc in host.containers)
    explicit = [hc for hc in host.containers
                if "no-new-privileges" in str(hc.inspect["HostConfig"].get("SecurityOpt"))]
    assert all(hc.spec.no_new_privileges for hc in host.containers if hc not in explicit)


def test_daemon_seccomp_and_userns_defaults_from_docker_info() -> None:
    """Newer engines accept ``"seccomp-profile": "unconfined"`` and say it in ``docker info``
    (also for a remote engine); ``name=userns`` says userns-remap is on."""
    from hullcheck.inputs.docker_host import _apply_daemon_defaults
    from hullcheck.rules.container.root_user import RunsAsRoot
    from hullcheck.rules.container.seccomp_unconfined import SeccompUnconfined

    host = make_host()
    host.info["SecurityOptions"] = ["name=seccomp,profile=unconfined", "name=userns"]
    plain = [hc for hc in host.containers if hc.spec.seccomp is None and not hc.spec.privileged]
    assert plain
    _apply_daemon_defaults(host)
    assert all(hc.spec.seccomp == "unconfined" for hc in plain)
    assert all(hc.spec.seccomp is None for hc in host.containers if hc.spec.privileged)
    spec = plain[0].spec
    assert list(SeccompUnconfined().check_container(ctx(), spec))
    spec.user = "0"
    assert spec.user_namespace is True
    (finding,) = RunsAsRoot().check_container(ctx(), spec)
    assert "userns-remap maps it to an unprivileged host uid" in finding.message
    assert finding.severity.name == "MEDIUM"


def test_daemon_default_bind_address_for_stopped_containers() -> None:
    from hullcheck.inputs.docker_host import _apply_daemon_defaults
    from hullcheck.inputs.host_system import parse_dockerd_args
    from hullcheck.models.container import Port

    assert parse_dockerd_args(["dockerd", "--ip", "127.0.0.1"])["ip"] == "127.0.0.1"
    host = make_host()
    stopped = next(hc for hc in host.containers if not hc.running)
    stopped.spec.ports = [Port("80", host_port="8080"), Port("81", "8081", "10.0.0.1")]
    set_config(host, ip="127.0.0.1")
    _apply_daemon_defaults(host)
    assert [p.host_ip for p in stopped.spec.ports] == ["127.0.0.1", "10.0.0.1"]


def test_unset_read_only_and_missing_audit_rules_are_worded_as_such() -> None:
    from hullcheck.rules.container.writable_rootfs import WritableRootFilesystem

    host = make_host()
    plain = next(hc for hc in host.containers if not hc.inspect["HostConfig"]["ReadonlyRootfs"])
    assert plain.spec.read_only_rootfs is None  # Docker's default, not a choice
    (finding,) = WritableRootFilesystem().check_container(ctx(), plain.spec)
    assert "is not set" in finding.message and "is false" not in finding.message
    host = local_host()
    host.audit = AuditRules(source="", lines=[], available=False)
    host.audit_paths = {"1.1.6": "/etc/docker"}
    host.present_paths = {"/etc/docker"}
    (audit_finding,) = run(BY_ID["HOST003"], host)
    assert audit_finding.message == (
        "no auditd rule watches /etc/docker (there is no auditctl and no audit rules file "
        "on this host)")
