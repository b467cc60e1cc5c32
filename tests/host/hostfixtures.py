"""Build DockerHost models from the inspect JSON captured on a real engine
(tests/fixtures/host, Docker 20.10.24 on Debian 12)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hullcheck.config import Config
from hullcheck.inputs.docker_inspect import container_spec_from_inspect
from hullcheck.models.host import DockerHost, HostContainer, HostImage
from hullcheck.rules.base import Context

FIXTURES = Path(__file__).resolve().parent / "data"
CONTAINERS = (
    "sysadmin-pidhost",
    "hostnet-ipc-uts-sock",
    "etc-seccomp-device",
    "root-netadmin-usr",
    "hardened",
    "privileged",
)


def load(name: str) -> Any:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


def inspect(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load(f"inspect-{name}.json")
    return data


def host_container(data: dict[str, Any], host: DockerHost) -> HostContainer:
    spec = container_spec_from_inspect(
        data, apparmor_enabled=host.apparmor_enabled, selinux_enabled=host.selinux_enabled
    )
    return HostContainer(spec=spec, inspect=data, processes=["sleep 3600"])


def make_host(*, containers: tuple[str, ...] = CONTAINERS, **overrides: Any) -> DockerHost:
    host = DockerHost(
        endpoint="unix:///var/run/docker.sock",
        local=False,
        info=load("info.json"),
        version=load("version.json"),
        networks=load("networks.json"),
        images=[
            HostImage(inspect=load("image-busybox.json"), history=load("history-busybox.json"))
        ],
        all_containers=True,
    )
    for key, value in overrides.items():
        setattr(host, key, value)
    host.containers = [host_container(inspect(n), host) for n in containers]
    return host


def ctx() -> Context:
    return Context(config=Config())


def weak_daemon_host() -> DockerHost:
    """A local host on which every daemon-setting check of CIS section 2 fails (2.2 to 2.18):
    the captured engine's defaults plus weak options from daemon.json, the dockerd command line
    and ``docker info``. ``tests/host/data/baseline-host005-0.1.0.json`` was written for it by
    hullcheck 0.1.0, when one rule (HOST005) carried all of them."""
    from hullcheck.models.host import Setting

    host = make_host(containers=())
    host.local = True
    daemon_json = "/etc/docker/daemon.json"
    for name, value, source in (
        ("log-level", "debug", daemon_json),
        ("iptables", False, daemon_json),
        ("hosts", ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"], "dockerd command line"),
        ("cgroup-parent", "/custom", daemon_json),
        ("storage-opts", ["dm.basesize=20G"], daemon_json),
    ):
        host.daemon.settings[name] = Setting(name, value, source)
    host.info["RegistryConfig"]["InsecureRegistryCIDRs"] = ["127.0.0.0/8", "10.0.0.0/8"]
    host.info["Driver"] = "aufs"
    host.info["SecurityOptions"] = ["name=seccomp,profile=unconfined"]
    host.info["ExperimentalBuild"] = True
    return host
