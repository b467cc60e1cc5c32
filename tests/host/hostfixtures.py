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
