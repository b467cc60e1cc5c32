"""What the host audit reads from this machine: files, ``/proc``, auditd rules, ``/etc/group``.

Everything goes through ``HostFS`` rooted at ``/`` in real runs and at a temporary directory in
tests, so each reader is tested against a fake file system. Nothing here writes anything.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullcheck.models.host import AuditRules, DaemonConfig, HostFile, Setting

CMDLINE = "dockerd command line"

# dockerd flags -> daemon.json keys. Boolean flags never consume the next argument (pflag).
BOOL_FLAGS: dict[str, str] = {
    "--icc": "icc",
    "--iptables": "iptables",
    "--ip-forward": "ip-forward",
    "--ip-masq": "ip-masq",
    "--live-restore": "live-restore",
    "--userland-proxy": "userland-proxy",
    "--no-new-privileges": "no-new-privileges",
    "--tls": "tls",
    "--tlsverify": "tlsverify",
    "--experimental": "experimental",
    "--debug": "debug",
    "-D": "debug",
    "--selinux-enabled": "selinux-enabled",
    "--rootless": "rootless",
    "--init": "init",
}
VALUE_FLAGS: dict[str, str] = {
    "--log-level": "log-level",
    "-l": "log-level",
    "--userns-remap": "userns-remap",
    "--cgroup-parent": "cgroup-parent",
    "--log-driver": "log-driver",
    "--seccomp-profile": "seccomp-profile",
    "--ip": "ip",
    "--tlscacert": "tlscacert",
    "--tlscert": "tlscert",
    "--tlskey": "tlskey",
    "--config-file": "config-file",
    "--containerd": "containerd",
    "--data-root": "data-root",
    "-g": "data-root",
    "--graph": "data-root",
    "--exec-root": "exec-root",
    "--group": "group",
    "-G": "group",
    "--storage-driver": "storage-driver",
    "-s": "storage-driver",
}
# Repeatable flags that become lists in daemon.json.
LIST_FLAGS: dict[str, str] = {
    "--host": "hosts",
    "-H": "hosts",
    "--insecure-registry": "insecure-registries",
    "--storage-opt": "storage-opts",
    "--authorization-plugin": "authorization-plugins",
    "--default-ulimit": "default-ulimits",
    "--registry-mirror": "registry-mirrors",
}

SERVICE_DIRS = (
    "/etc/systemd/system",
    "/usr/local/lib/systemd/system",
    "/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/run/systemd/system",
)


def parse_bool(text: str) -> bool:
    return text.strip().lower() in ("1", "t", "true", "yes")


def parse_dockerd_args(args: list[str]) -> dict[str, Any]:
    """dockerd's command line as daemon.json-shaped settings (unknown flags are kept by name)."""
    out: dict[str, Any] = {}
    i = 1  # args[0] is the program
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            continue
        flag, eq, inline = arg.partition("=")
        if flag in BOOL_FLAGS:
            out[BOOL_FLAGS[flag]] = parse_bool(inline) if eq else True
            continue
        key = VALUE_FLAGS.get(flag) or LIST_FLAGS.get(flag)
        if key is None:
            if eq:
                out[flag.lstrip("-")] = inline
            continue
        if eq:
            value = inline
        elif i < len(args):
            value = args[i]
            i += 1
        else:
            value = ""
        if flag in LIST_FLAGS:
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


@dataclass
class Process:
    pid: int
    args: list[str]
    exe: str | None


MAX_HOST_FILE_BYTES = 16 << 20


class HostFS:
    """Read-only access to this machine's files, rooted at ``root`` (``/`` outside tests)."""

    def __init__(self, root: str | Path = "/") -> None:
        self.root = Path(root)

    def real(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def exists(self, path: str) -> bool:
        return os.path.lexists(self.real(path))

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when it is missing, unreadable, not a regular file (a FIFO
        planted where a config is expected would block the audit) or over MAX_HOST_FILE_BYTES
        (no file the audit reads is near it; /proc files, which report size 0, are read up to
        it too)."""
        from hullcheck.sources import read_regular

        try:
            data = read_regular(self.real(path), path, MAX_HOST_FILE_BYTES)
        except ValueError:
            return None
        return data.decode("utf-8", errors="replace")

    def stat(self, path: str) -> HostFile:
        try:
            st = os.stat(self.real(path))
        except FileNotFoundError:
            return HostFile(path=path, exists=False)
        except OSError as exc:
            return HostFile(path=path, exists=True, error=exc.strerror or str(exc))
        return HostFile(
            path=path,
            exists=True,
            uid=st.st_uid,
            gid=st.st_gid,
            mode=stat.S_IMODE(st.st_mode),
            owner=self.user_name(st.st_uid),
            group=self.group_name(st.st_gid),
            is_socket=stat.S_ISSOCK(st.st_mode),
        )

    def glob(self, directory: str, pattern: str) -> list[str]:
        base = self.real(directory)
        if not base.is_dir():
            return []
        return sorted("/" + str(p.relative_to(self.root)) for p in base.glob(pattern))

    # --- users and groups (from the files, so a fake root works and no NSS call is made) ----
    def _table(self, path: str) -> list[list[str]]:
        text = self.read_text(path) or ""
        return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]

    def user_name(self, uid: int) -> str:
        for row in self._table("/etc/passwd"):
            if len(row) > 2 and row[2] == str(uid):
                return row[0]
        return str(uid)

    def group_name(self, gid: int) -> str:
        for row in self._table("/etc/group"):
            if len(row) > 2 and row[2] == str(gid):
                return row[0]
        return str(gid)

    def group_members(self, name: str) -> list[str] | None:
        """Members of a group, explicit and by primary group; None if it does not exist."""
        for row in self._table("/etc/group"):
            if row[0] == name and len(row) > 2:
                members = [m for m in (row[3].split(",") if len(row) > 3 else []) if m]
                for user in self._table("/etc/passwd"):
                    if len(user) > 3 and user[3] == row[2] and user[0] not in members:
                        members.append(user[0])
                return members
        return None

    def home_of(self, uid: int) -> str | None:
        for row in self._table("/etc/passwd"):
            if len(row) > 5 and row[2] == str(uid):
                return row[5]
        return None

    # --- processes -----------------------------------------------------------------------
    def processes(self, *names: str) -> list[Process]:
        out = []
        proc = self.real("/proc")
        try:
            entries = list(proc.iterdir())
        except OSError:
            return []
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                comm = (entry / "comm").read_text().strip()
                if comm not in names:
                    continue
                raw = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
            try:
                exe: str | None = os.readlink(entry / "exe")
            except OSError:
                exe = None
            out.append(Process(pid=int(entry.name), args=args, exe=exe))
        return sorted(out, key=lambda p: p.pid)

    def mount_point(self, path: str) -> str | None:
        """The mount point that holds ``path`` (from /proc/self/mountinfo)."""
        text = self.read_text("/proc/self/mountinfo")
        if text is None:
            return None
        best = None
        target = path.rstrip("/") or "/"
        for line in text.splitlines():
            fields = line.split()
            if len(fields) < 5:
                continue
            point = fields[4].replace("\\040", " ")
            inside = target == point or target.startswith(point.rstrip("/") + "/")
            if inside and (best is None or len(point) > len(best)):
                best = point
        return best

    def listening_tcp(self) -> list[tuple[str, int]] | None:
        """Listening TCP sockets of this network namespace: (address, port)."""
        out: list[tuple[str, int]] = []
        found = False
        for name, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
            text = self.read_text(name)
            if text is None:
                continue
            found = True
            for line in text.splitlines()[1:]:
                fields = line.split()
                if len(fields) < 4 or fields[3] != "0A":  # 0A = LISTEN
                    continue
                addr_hex, _, port_hex = fields[1].partition(":")
                out.append((_decode_addr(addr_hex, width), int(port_hex, 16)))
        return out if found else None


def _decode_addr(hexaddr: str, width: int) -> str:
    import ipaddress

    raw = bytes.fromhex(hexaddr)
    # /proc/net/tcp prints each 32-bit word in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(words)) if width in (8, 32) else hexaddr


# --- the daemon -----------------------------------------------------------------------------


DEFAULT_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def find_dockerd(fs: HostFS, socket_path: str | None) -> Process | None:
    """The dockerd serving ``socket_path``: one naming it with ``-H``, else (for the default
    socket) one without unix hosts or started by systemd (``fd://``). None when the socket is
    someone else's (Podman's, rootless Docker's under another user...)."""
    candidates = fs.processes("dockerd")
    fallback = None
    for proc in reversed(candidates):
        hosts = [str(h) for h in parse_dockerd_args(proc.args).get("hosts", [])]
        if socket_path and f"unix://{socket_path}" in hosts:
            return proc
        own_unix = [h for h in hosts if h.startswith("unix://")]
        if fallback is None and (socket_path is None or socket_path in DEFAULT_SOCKETS) and (
            not own_unix or "fd://" in hosts
        ):
            fallback = proc
    return fallback


def read_daemon_config(
    fs: HostFS, dockerd: Process | None, default_path: str = "/etc/docker/daemon.json"
) -> DaemonConfig:
    cfg = DaemonConfig()
    cmdline: dict[str, Any] = {}
    if dockerd is not None:
        cfg.dockerd_pid = dockerd.pid
        cfg.dockerd_args = dockerd.args
        cfg.dockerd_exe = dockerd.exe
        cmdline = parse_dockerd_args(dockerd.args)
    path = str(cmdline.get("config-file") or default_path)
    cfg.daemon_json_path = path
    text = fs.read_text(path)
    if text is not None:
        try:
            data = json.loads(text) if text.strip() else {}
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            cfg.daemon_json_error = f"{path}: invalid JSON: {exc}"
            data = {}
        for key, value in data.items():
            cfg.settings[str(key)] = Setting(str(key), value, path)
    elif fs.exists(path):
        cfg.daemon_json_error = f"{path}: cannot read"
    for key, value in cmdline.items():
        if key in cfg.settings and isinstance(value, list):
            prior = cfg.settings[key].value
            value = [*(prior if isinstance(prior, list) else [prior]), *value]
        cfg.settings[key] = Setting(key, value, CMDLINE)
    return cfg


def containerd_sockets(fs: HostFS, daemon: DaemonConfig) -> list[str]:
    """The containerd socket(s) dockerd really uses.

    ``--containerd``/``"containerd"`` when set; else the address of each running containerd
    (``--address``, or ``[grpc] address`` of its ``--config`` file: the containerd that dockerd
    manages itself lives under ``/var/run/docker/containerd/``); else containerd's default."""
    configured = daemon.get("containerd")
    if configured:
        return [str(configured)]
    found: list[str] = []
    for proc in fs.processes("containerd"):
        address = _flag_value(proc.args, "--address", "-a")
        if address is None:
            config = _flag_value(proc.args, "--config", "-c") or "/etc/containerd/config.toml"
            address = _toml_grpc_address(fs.read_text(config) or "")
        address = address or "/run/containerd/containerd.sock"
        if address not in found:
            found.append(address)
    if found:
        return found
    for candidate in (
        "/run/containerd/containerd.sock",
        "/var/run/docker/containerd/containerd.sock",
    ):
        if fs.exists(candidate):
            return [candidate]
    return ["/run/containerd/containerd.sock"]


def _flag_value(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in names:
            if eq:
                return value
            if i + 1 < len(args):
                return args[i + 1]
    return None


def _toml_grpc_address(text: str) -> str | None:
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    grpc = data.get("grpc")
    if isinstance(grpc, dict) and grpc.get("address"):
        return str(grpc["address"])
    return None


def service_file(fs: HostFS, unit: str, extra_dirs: tuple[str, ...] = ()) -> str | None:
    """Where a systemd unit is installed (the first of systemd's search path that has it)."""
    for directory in (*extra_dirs, *SERVICE_DIRS):
        path = f"{directory}/{unit}"
        if fs.exists(path):
            return path
    return None


def read_audit_rules(fs: HostFS) -> AuditRules:
    """Loaded rules from ``auditctl -l`` when it is installed and answers, else the files."""
    import shutil
    import subprocess

    if fs.root == Path("/") and shutil.which("auditctl"):
        try:
            done = subprocess.run(
                ["auditctl", "-l"], capture_output=True, text=True, timeout=10, check=False
            )
            if done.returncode == 0:
                return AuditRules(source="auditctl -l", lines=done.stdout.splitlines())
        except (OSError, subprocess.SubprocessError):
            pass
    files = [p for p in ("/etc/audit/audit.rules",) if fs.exists(p)]
    files += fs.glob("/etc/audit/rules.d", "*.rules")
    lines: list[str] = []
    for path in files:
        lines.extend((fs.read_text(path) or "").splitlines())
    if not files:
        return AuditRules(source="", available=False)
    return AuditRules(source=", ".join(files), lines=lines)


def read_kubelet(fs: HostFS) -> tuple[dict[str, Any] | None, list[str] | None]:
    """The kubelet's config file (YAML) and command line, when this machine is a node."""
    procs = fs.processes("kubelet")
    args = procs[-1].args if procs else None
    path = (_flag_value(args, "--config") if args else None) or "/var/lib/kubelet/config.yaml"
    text = fs.read_text(path)
    config: dict[str, Any] | None = None
    if text is not None:
        # The bounded loader (aliases, merge keys, depth), as for every YAML hullcheck reads.
        from hullcheck.yamlutil import YamlError, load_documents

        try:
            docs = load_documents(text)
        except YamlError:
            docs = []
        loaded = docs[0].data if docs else None
        config = loaded if isinstance(loaded, dict) else {}
    return config, args
