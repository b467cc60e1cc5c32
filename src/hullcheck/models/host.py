"""A live Docker host, as the host audit sees it.

Built once by ``inputs/docker_host.py`` (Engine API through the ``docker`` SDK, plus files and
``/proc`` of this machine when the engine runs here) and judged by the host rules
(``rules/host``) and, container by container, by the container rules (``rules/container``).
Nothing here talks to the engine or the file system: it is plain data, so tests build it from
captured JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hullcheck.models.container import ContainerSpec
from hullcheck.models.location import ImageRef, Location


@dataclass(slots=True)
class HostFile:
    """Owner and mode of a file the benchmark cares about (``exists`` False when absent)."""

    path: str
    exists: bool
    uid: int | None = None
    gid: int | None = None
    mode: int | None = None  # permission bits incl. setuid/setgid/sticky (st_mode & 0o7777)
    owner: str | None = None  # user name (uid as text when unknown)
    group: str | None = None
    is_socket: bool = False
    error: str | None = None  # could not stat it (permission...)

    @property
    def mode_text(self) -> str:
        return f"{self.mode:o}" if self.mode is not None else "?"


@dataclass(slots=True)
class Setting:
    """One daemon option and where its value came from."""

    name: str  # daemon.json key, e.g. "icc", "log-level", "insecure-registries"
    value: Any
    source: str  # a daemon.json path, or "dockerd command line"


@dataclass(slots=True)
class DaemonConfig:
    """What the daemon was started with: daemon.json merged with the dockerd command line."""

    settings: dict[str, Setting] = field(default_factory=dict)
    daemon_json_path: str | None = None
    daemon_json_error: str | None = None  # unreadable / invalid JSON
    dockerd_pid: int | None = None
    dockerd_args: list[str] | None = None  # None: no dockerd process visible here
    dockerd_exe: str | None = None

    def get(self, name: str, default: Any = None) -> Any:
        s = self.settings.get(name)
        return s.value if s is not None else default

    def source(self, name: str) -> str | None:
        s = self.settings.get(name)
        return s.source if s is not None else None


@dataclass(slots=True)
class AuditRules:
    """auditd rules of the host: from ``auditctl -l`` when available, else the rules files."""

    source: str  # "auditctl -l" or the files read, or "" when none were found
    lines: list[str] = field(default_factory=list)
    available: bool = True  # False: no auditctl and no rules file

    def watches(self, path: str) -> bool:
        """True when a rule watches ``path`` (``-w path`` or ``-F path=``/``dir=``)."""
        for line in self.lines:
            tokens = line.split()
            for i, token in enumerate(tokens):
                if token == "-w" and i + 1 < len(tokens) and tokens[i + 1] == path:
                    return True
                if token in (f"path={path}", f"dir={path}"):
                    return True
        return False


@dataclass(slots=True)
class HostContainer:
    """A container on the host: its normalised spec plus what only a live host has."""

    spec: ContainerSpec
    inspect: dict[str, Any]
    # Command lines of its processes (from the API's ``top``); None: not running / not read.
    processes: list[str] | None = None
    # Exec instances the daemon still remembers (``ExecIDs`` inspected): Privileged, User...
    execs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.inspect.get("Id", ""))

    @property
    def name(self) -> str:
        return str(self.inspect.get("Name", "")).lstrip("/")

    @property
    def running(self) -> bool:
        return bool((self.inspect.get("State") or {}).get("Running"))

    @property
    def location(self) -> Location:
        return self.spec.location


@dataclass(slots=True)
class HostImage:
    """An image on the host: its inspect data and full, untruncated history (newest first)."""

    inspect: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.inspect.get("Id", ""))

    @property
    def ref(self) -> str:
        tags = self.inspect.get("RepoTags") or []
        return str(tags[0]) if tags else self.id

    @property
    def config(self) -> dict[str, Any]:
        return self.inspect.get("Config") or {}

    @property
    def location(self) -> Location:
        digests = self.inspect.get("RepoDigests") or []
        digest = str(digests[0]).partition("@")[2] if digests else None
        return Location(image=ImageRef(ref=self.ref, digest=digest or self.id))


@dataclass(slots=True)
class DockerHost:
    endpoint: str  # what the client talks to: unix:///var/run/docker.sock, tcp://...
    local: bool  # the engine runs on this machine, so its files and /proc are ours to read
    # Why Docker's host files do not apply although the engine may be local (Podman).
    local_reason: str | None = None
    info: dict[str, Any] = field(default_factory=dict)
    version: dict[str, Any] = field(default_factory=dict)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)
    # Files by benchmark role: "docker.service", "docker.socket", "/etc/docker", "daemon.json",
    # "docker.sock", "containerd.sock", "/etc/default/docker", "/etc/sysconfig/docker",
    # "tlscacert", "tlscert", "tlskey", and "registry-cert:<path>" for certs.d certificates.
    files: dict[str, HostFile] = field(default_factory=dict)
    # Paths the 1.1.x audit checks look for, by check id.
    audit_paths: dict[str, str] = field(default_factory=dict)
    present_paths: set[str] = field(default_factory=set)  # which of audit_paths exist
    owner_uid: int = 0  # who should own Docker's files: root, or the user of rootless Docker
    audit: AuditRules | None = None
    docker_group: list[str] | None = None  # members; None = no docker group
    trusted_users: list[str] = field(default_factory=list)
    docker_root_mount: str | None = None  # mount point holding DockerRootDir
    containers: list[HostContainer] = field(default_factory=list)
    images: list[HostImage] = field(default_factory=list)
    networks: list[dict[str, Any]] = field(default_factory=list)
    # Swarm objects, read on a manager only (workers cannot list them): services and the
    # metadata of secrets (the API never returns a secret's data).
    services: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    # Listening TCP sockets of the host namespace: (address, port)
    listening: list[tuple[str, int]] | None = None
    kubelet_config: dict[str, Any] | None = None
    kubelet_args: list[str] | None = None
    # Why the engine could not be read (then only file checks ran).
    engine_error: str | None = None
    all_containers: bool = False  # --all: created and stopped containers included

    def path_exists(self, path: str) -> bool:
        return path in self.present_paths

    # --- derived facts --------------------------------------------------------------------
    @property
    def security_options(self) -> list[str]:
        return [str(s) for s in self.info.get("SecurityOptions") or []]

    def has_security_option(self, name: str) -> bool:
        return any(f"name={name}" in opt.split(",") for opt in self.security_options)

    @property
    def apparmor_enabled(self) -> bool:
        return self.has_security_option("apparmor")

    @property
    def selinux_enabled(self) -> bool:
        return self.has_security_option("selinux")

    @property
    def rootless(self) -> bool:
        return self.has_security_option("rootless")

    @property
    def swarm_state(self) -> str:
        return str((self.info.get("Swarm") or {}).get("LocalNodeState") or "inactive")

    @property
    def swarm_active(self) -> bool:
        return self.swarm_state in ("active", "locked", "pending")

    @property
    def swarm_manager(self) -> bool:
        return bool((self.info.get("Swarm") or {}).get("ControlAvailable"))

    @property
    def swarm_autolock(self) -> bool:
        spec = ((self.info.get("Swarm") or {}).get("Cluster") or {}).get("Spec") or {}
        return bool((spec.get("EncryptionConfig") or {}).get("AutoLockManagers"))

    @property
    def userns_remapped(self) -> bool:
        """The daemon runs with ``userns-remap``: root in a container is an unprivileged uid
        on the host (unless the container asks for ``--userns=host``)."""
        return self.has_security_option("userns") or bool(self.daemon.get("userns-remap"))

    @property
    def seccomp_profile(self) -> str | None:
        """The daemon-wide seccomp profile containers get when they set none: ``default``
        (Docker's built-in), ``unconfined`` or a file path; None without seccomp support."""
        for opt in self.security_options:
            parts = dict(p.split("=", 1) for p in opt.split(",") if "=" in p)
            if parts.get("name") == "seccomp":
                return parts.get("profile") or "default"
        configured = self.daemon.get("seccomp-profile")
        return str(configured) if configured else None

    @property
    def is_podman(self) -> bool:
        """Podman's Docker-compatible API (``podman system service``)."""
        components = self.version.get("Components") or []
        return any("podman" in str(c.get("Name", "")).lower() for c in components)

    @property
    def server_version(self) -> str:
        return str(self.version.get("Version") or self.info.get("ServerVersion") or "")
