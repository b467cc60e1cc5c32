"""One normalised container, whatever described it.

A compose service, a Kubernetes container in its pod and a container from ``docker inspect`` all
become a ``ContainerSpec`` so that each container rule is written once (``rules/container``).

Every optional field keeps an explicit *unset* state (``None``): "the file says nothing" is not the
same as "the file says false", and each platform resolves unset fields to its own default through
the ``effective_*`` helpers (an unset seccomp profile is Docker's default profile under Docker and
compose, but Unconfined under Kubernetes unless the kubelet defaults it).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hullcheck.models.location import Location

if TYPE_CHECKING:
    from hullcheck.models.layers import BuildStage, ResolvedImage


class Platform(enum.StrEnum):
    COMPOSE = "compose"
    KUBERNETES = "kubernetes"
    DOCKER = "docker"  # a container on a live Docker host (docker inspect)


@dataclass(slots=True)
class Mount:
    source: str  # host path, volume name, or "" for anonymous / tmpfs
    target: str
    type: str = "bind"  # bind | volume | tmpfs | npipe | hostPath | other
    read_only: bool = False
    propagation: str | None = None  # shared, rshared, slave, ...
    line: int | None = None
    path: str | None = None  # file of ``line`` when not the container's own (merged compose files)
    # Where the propagation itself is written, when not on ``line`` (long syntax:
    # ``bind.propagation:``), and its file as ``path``.
    propagation_line: int | None = None
    propagation_path: str | None = None


@dataclass(slots=True)
class Port:
    container_port: str
    host_port: str | None = None  # None: not published on the host
    host_ip: str | None = None  # None or "" or 0.0.0.0 / :: = every interface
    protocol: str = "tcp"
    line: int | None = None
    path: str | None = None


@dataclass(slots=True)
class EnvVar:
    name: str
    value: str | None  # None: taken from elsewhere (valueFrom, host environment)
    line: int | None = None
    path: str | None = None


# containerd's WebAssembly shims (runwasi's and the Spin and WasmCloud ones), as Docker names
# them in ``runtime:`` / ``--runtime`` (``io.containerd.wasmedge.v1``).
_WASM_RUNTIME = re.compile(r"io\.containerd\.(wasmedge|wasmtime|wasmer|spin|slight|wws|"
                           r"lunatic)\.v\d+")


def is_wasm_runtime(runtime: str) -> bool:
    """Is ``runtime`` a containerd WebAssembly shim?"""
    return _WASM_RUNTIME.fullmatch(runtime.strip().lower()) is not None


@dataclass(slots=True)
class ContainerSpec:
    platform: Platform
    # Where the container is described. Rules attach per-field lines via ``loc(field)``.
    location: Location
    name: str
    image: str | None = None
    image_line: int | None = None

    # identity
    user: str | None = None  # "1000", "app", "0:0", "root"; None = unset (image default)
    run_as_user: int | None = None  # Kubernetes runAsUser (container, else pod)
    run_as_non_root: bool | None = None  # Kubernetes runAsNonRoot (container, else pod)
    run_as_group: int | None = None  # Kubernetes runAsGroup (container, else pod)
    # Supplementary groups as written: compose ``group_add``, ``--group-add``
    # (``HostConfig.GroupAdd``), Kubernetes ``supplementalGroups`` (pod level).
    group_add: list[str] = field(default_factory=list)
    # Kubernetes pod with ``hostUsers: false``: root in the container is not root on the node.
    user_namespace: bool | None = None

    # Why the container is a WebAssembly module rather than a Linux process (compose
    # ``runtime: io.containerd.wasmedge.v1``, ``platform: wasi/wasm``); None for Linux.
    wasm: str | None = None

    # privileges
    privileged: bool | None = None
    cap_add: list[str] = field(default_factory=list)  # upper case, no CAP_ prefix
    cap_drop: list[str] = field(default_factory=list)
    no_new_privileges: bool | None = None  # k8s: allowPrivilegeEscalation false => True
    seccomp: str | None = None  # "unconfined", "runtime/default", "localhost/<p>", a path
    apparmor: str | None = None  # "unconfined", "runtime/default", "localhost/<p>", profile
    selinux_disabled: bool | None = None  # label=disable / label:disable
    selinux_options: dict[str, str] | None = None

    # host namespaces
    host_network: bool | None = None
    host_pid: bool | None = None
    host_ipc: bool | None = None
    host_uts: bool | None = None
    userns_host: bool | None = None  # userns_mode: host

    # filesystem, devices, ports
    read_only_rootfs: bool | None = None
    mounts: list[Mount] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    # Device cgroup rules as written ("c *:* rwm"): compose ``device_cgroup_rules``,
    # ``--device-cgroup-rule`` (``HostConfig.DeviceCgroupRules``).
    device_cgroup_rules: list[str] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)

    # resources (bytes, CPUs, count); None = no limit set
    memory_limit: int | None = None
    cpu_limit: float | None = None
    pids_limit: int | None = None
    memory_request: int | None = None
    cpu_request: float | None = None

    # lifecycle
    restart_policy: str | None = None  # no, always, on-failure, unless-stopped
    restart_max_retries: int | None = None
    healthcheck: bool | None = None  # None = not said (image's own may apply); False = disabled
    cgroup_parent: str | None = None

    env: list[EnvVar] = field(default_factory=list)

    # Source lines of individual fields, keyed by the ContainerSpec field name
    # ("privileged", "cap_add", "memory_limit", ...). Missing => the container's own line.
    field_lines: dict[str, int] = field(default_factory=dict)
    # The file of a field's line when it is not ``location.path`` (compose files merged with
    # ``-f base -f override`` semantics put fields of one service in several files).
    field_paths: dict[str, str] = field(default_factory=dict)
    # Fields the platform does not let this container set (Kubernetes rejects resources on an
    # ephemeral container and readOnlyRootFilesystem in a Windows pod): a rule about such a
    # field being unset has nothing to ask for.
    unsettable: frozenset[str] = frozenset()
    # The layers under the container (docs/layers.md): the Dockerfile stage a compose service
    # builds, and the image config read with --resolve-images (for a service that builds, its
    # stage's base image: what the stage does not set, it inherits). None: not known.
    build: BuildStage | None = None
    resolved_image: ResolvedImage | None = None

    def loc(self, field_name: str | None = None, line: int | None = None,
            path: str | None = None) -> Location:
        """The location of a field, or of the container when the field is absent."""
        if line is None and field_name is not None:
            line = self.field_lines.get(field_name)
            path = path or self.field_paths.get(field_name)
        if line is None:
            return self.location
        located = self.location.with_line(line)
        if path and path != located.path:
            located = replace(located, path=path)
        return located

    # --- platform defaults -------------------------------------------------------------------

    @property
    def is_kubernetes(self) -> bool:
        return self.platform is Platform.KUBERNETES

    def effective_seccomp_unconfined(self) -> bool:
        """Docker applies its default profile when unset; Kubernetes runs Unconfined by default."""
        if self.seccomp is None:
            return self.is_kubernetes
        return self.seccomp.lower() == "unconfined"
