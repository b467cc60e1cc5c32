"""docker inspect -> ContainerSpec, on inspect JSON captured from a real engine."""

from __future__ import annotations

from hostfixtures import inspect

from hullcheck.inputs.docker_inspect import container_spec_from_inspect
from hullcheck.models.container import Platform


def spec(name: str, **kw: bool):  # type: ignore[no-untyped-def]
    return container_spec_from_inspect(inspect(name), **kw)


def test_sysadmin_pidhost_port_on_every_interface() -> None:
    s = spec("sysadmin-pidhost")
    assert s.platform is Platform.DOCKER
    assert s.location.container == s.name == "hullcheck-host-capture-sysadmin-pidhost"
    assert s.location.container_id and len(s.location.container_id) == 64
    assert s.cap_add == ["SYS_ADMIN"] and s.cap_drop == []
    assert s.host_pid and not s.host_network and not s.host_ipc and not s.host_uts
    # running: the live bindings 0.0.0.0 and :: are one "every interface" binding
    assert [(p.host_ip, p.host_port, p.container_port) for p in s.ports] == [
        ("0.0.0.0", "81", "8081")
    ]
    # Docker added label=disable for --pid=host; no SELinux on the host: nothing said
    assert s.selinux_disabled is None and s.selinux_options is None
    assert s.apparmor is None
    assert s.seccomp is None and not s.effective_seccomp_unconfined()
    assert s.privileged is False and s.user is None
    assert s.healthcheck is None  # neither image nor container has one (False = explicit NONE)
    assert s.restart_policy == "no"


def test_host_namespaces_and_socket() -> None:
    s = spec("hostnet-ipc-uts-sock")
    assert s.host_network and s.host_ipc and s.host_uts and not s.host_pid
    assert [(m.source, m.target, m.read_only, m.type) for m in s.mounts] == [
        ("/var/run/docker.sock", "/var/run/docker.sock", False, "bind")
    ]
    assert s.ports == []


def test_etc_seccomp_device_restart_cgroup() -> None:
    s = spec("etc-seccomp-device")
    assert s.seccomp == "unconfined" and s.effective_seccomp_unconfined()
    assert s.devices == ["/dev/null:/dev/xnull"]
    assert s.restart_policy == "always" and s.restart_max_retries == 0
    assert s.cgroup_parent == "hullcheck-test-host.slice"
    assert [(m.source, m.target, m.read_only, m.propagation) for m in s.mounts] == [
        ("/etc", "/host-etc", False, "rprivate")
    ]


def test_root_netadmin_on_failure_10() -> None:
    s = spec("root-netadmin-usr")
    assert s.user == "0"
    assert s.cap_add == ["NET_ADMIN"]
    assert s.restart_policy == "on-failure" and s.restart_max_retries == 10
    assert s.mounts[0].source == "/usr" and not s.mounts[0].read_only


def test_hardened() -> None:
    s = spec("hardened")
    assert s.read_only_rootfs and s.user == "1000"
    assert s.cap_drop == ["ALL"] and s.cap_add == []
    assert s.no_new_privileges is True
    assert s.memory_limit == 64 * 1024 * 1024
    assert s.pids_limit == 50
    assert s.cpu_limit == 0.5
    assert [(p.host_ip, p.host_port) for p in s.ports] == [("127.0.0.1", "18080")]


def test_privileged_created_not_started_uses_port_bindings() -> None:
    s = spec("privileged")
    assert s.privileged is True
    data = inspect("sysadmin-pidhost")
    data["State"]["Running"] = False
    data["NetworkSettings"]["Ports"] = {}
    s2 = container_spec_from_inspect(data)
    # HostConfig.PortBindings: an empty HostIp is every interface too
    assert [(p.host_ip, p.host_port) for p in s2.ports] == [(None, "81")]


def test_apparmor_branch() -> None:
    data = inspect("hardened")
    data["AppArmorProfile"] = "docker-default"
    assert container_spec_from_inspect(data, apparmor_enabled=True).apparmor == "docker-default"
    data["AppArmorProfile"] = ""
    assert container_spec_from_inspect(data, apparmor_enabled=True).apparmor == "unconfined"
    data["AppArmorProfile"] = "unconfined"
    assert container_spec_from_inspect(data, apparmor_enabled=True).apparmor == "unconfined"
    assert container_spec_from_inspect(data, apparmor_enabled=False).apparmor is None


def test_selinux_branch() -> None:
    labelled = inspect("hardened")
    labelled["ProcessLabel"] = "system_u:system_r:container_t:s0:c1,c2"
    s = container_spec_from_inspect(labelled, selinux_enabled=True)
    assert s.selinux_disabled is False
    labelled["HostConfig"]["SecurityOpt"] = ["label=type:svirt_apache_t", "no-new-privileges"]
    s = container_spec_from_inspect(labelled, selinux_enabled=True)
    assert s.selinux_disabled is False and s.selinux_options == {"type": "svirt_apache_t"}
    # label=disable that Docker adds for --pid=host really disables labelling
    pidhost = inspect("sysadmin-pidhost")
    s = container_spec_from_inspect(pidhost, selinux_enabled=True)
    assert s.selinux_disabled is True
    # seccomp=unconfined is not an SELinux option
    seccomp = inspect("etc-seccomp-device")
    seccomp["ProcessLabel"] = "system_u:system_r:container_t:s0:c3,c4"
    s = container_spec_from_inspect(seccomp, selinux_enabled=True)
    assert s.selinux_disabled is False and s.selinux_options is None


def test_missing_fields_do_not_crash() -> None:
    s = container_spec_from_inspect({"Id": "abc123", "Name": "/x"})
    assert s.name == "x" and s.ports == [] and s.mounts == []


def test_device_cgroup_rules_judged_like_compose() -> None:
    """``--device-cgroup-rule`` (inspect captured from Docker 20.10: a list of the rules as
    given) reaches the same CT022 judgement as compose's ``device_cgroup_rules``."""
    from hullcheck.rules.container.host_devices import HostDeviceExposed

    data = inspect("hardened")
    assert data["HostConfig"].get("DeviceCgroupRules") is None  # not set: null
    assert spec("hardened").device_cgroup_rules == []
    data["HostConfig"]["DeviceCgroupRules"] = ["c *:* rmw", "c 1:3 r"]
    s = container_spec_from_inspect(data)
    assert s.device_cgroup_rules == ["c *:* rmw", "c 1:3 r"]
    (f,) = HostDeviceExposed().check_container(None, s)
    assert f.location.container == s.name
    assert f.severity.label == "high"
    assert "--device-cgroup-rule 'c *:* rmw'" in f.message
    assert f.references == ("cis-docker-1.6:5.18",)


def test_credential_directories_of_live_containers() -> None:
    """A live bind mount of a home's credentials (inspect shows the absolute host path) is
    judged by CT010 as the compose form ``~/.ssh`` is."""
    from hullcheck.rules.container.sensitive_mount import SensitiveHostPathMounted

    data = inspect("root-netadmin-usr")
    data["Mounts"] = [
        {"Type": "bind", "Source": "/home/dev/.ssh", "Destination": "/root/.ssh",
         "Mode": "ro", "RW": False, "Propagation": "rprivate"},
        {"Type": "bind", "Source": "/root/.aws", "Destination": "/root/.aws",
         "Mode": "", "RW": True, "Propagation": "rprivate"},
        {"Type": "volume", "Name": "ssh", "Source": "/var/lib/docker/volumes/ssh/_data",
         "Destination": "/ssh", "Mode": "z", "RW": True},
    ]
    s = container_spec_from_inspect(data)
    found = list(SensitiveHostPathMounted().check_container(None, s))
    assert [(f.severity.label, f.location.container) for f in found] == [
        ("medium", s.name), ("high", s.name)]
    assert "SSH keys (.ssh), /home/dev/.ssh (read-only)" in found[0].message
    assert "AWS credentials (.aws), /root/.aws (writable)" in found[1].message


def test_group_add_and_root_group_ct031() -> None:
    """``HostConfig.GroupAdd`` becomes ``group_add``; CT031 judges it and ``User`` uid:0."""
    from hullcheck.rules.container.root_group import RootGroup

    data = inspect("hardened")
    data["Config"]["User"] = "1000:0"
    data["HostConfig"]["GroupAdd"] = ["0", "44"]
    s = container_spec_from_inspect(data)
    assert s.group_add == ["0", "44"]
    found = [f.evidence.rsplit("|", 1)[-1] for f in RootGroup().check_container(None, s)]
    assert found == ["group=0", "group_add=0"]
    data["Config"]["User"] = "1000:1000"
    data["HostConfig"]["GroupAdd"] = ["44"]
    assert list(RootGroup().check_container(None, container_spec_from_inspect(data))) == []


def test_wasm_runtime_marks_the_spec() -> None:
    """A container on a containerd Wasm shim: the Linux-only rules do not judge it (issue 24,
    tests/compose/test_wasm.py)."""
    import copy

    data = copy.deepcopy(inspect("sysadmin-pidhost"))
    assert container_spec_from_inspect(data).wasm is None
    data["HostConfig"]["Runtime"] = "io.containerd.wasmedge.v1"
    assert container_spec_from_inspect(data).wasm == "runtime: io.containerd.wasmedge.v1"
