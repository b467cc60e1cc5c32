"""Read a Kubernetes node for ``hullcheck node``: the kubelet's and kube-proxy's files, command
lines and configuration (CIS Kubernetes Benchmark 1.10, section 4), read-only.

The node's filesystem is at ``root`` (``/`` on the node, ``/host`` in a pod that mounts it);
processes come from ``proc`` (the node's ``/proc``: in a pod with ``hostPID: true``, its own).
Nothing is executed. Every read is bounded: files with ``sources.read_regular`` (at most
``MAX_NODE_FILE_BYTES``), command lines at ``MAX_CMDLINE_BYTES``, at most ``MAX_PROC_ENTRIES``
entries of ``proc`` looked at, at most ``MAX_UNIT_FILES`` unit files and drop-ins, at most
``MAX_LINK_HOPS`` symbolic links followed resolving a path under ``root``.
"""

from __future__ import annotations

import copy
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullcheck.inputs.host_system import SERVICE_DIRS, HostFS
from hullcheck.models.node import (
    ZERO_DURATION_DEFAULTS,
    KubeNode,
    NodeFile,
    flag_value,
    zero_defaulted,
)

MAX_NODE_FILE_BYTES = 1 << 20  # a kubelet config, kubeconfig, unit or env file
MAX_CMDLINE_BYTES = 1 << 20  # /proc/<pid>/cmdline (Linux caps arguments at a few MiB)
MAX_PROC_ENTRIES = 200_000  # entries of /proc looked at for the kubelet and kube-proxy
MAX_UNIT_FILES = 64  # kubelet.service copies and drop-ins read
MAX_LINK_HOPS = 40  # symbolic links followed resolving one path under --root (as Linux: 40)

# Where kubeadm and the distributions put things when the kubelet's command line does not say.
DEFAULT_KUBELET_CONFIG = "/var/lib/kubelet/config.yaml"
DEFAULT_KUBELET_KUBECONFIG = "/etc/kubernetes/kubelet.conf"
# kube-proxy's kubeconfig and config on the node's own filesystem (a kube-proxy installed as a
# service; kubeadm runs it as a DaemonSet with both in a ConfigMap, read through its process).
PROXY_KUBECONFIGS = ("/var/lib/kube-proxy/kubeconfig", "/var/lib/kube-proxy/kubeconfig.conf",
                     "/etc/kubernetes/proxy.conf", "/etc/kubernetes/kube-proxy.kubeconfig")
PROXY_CONFIGS = ("/var/lib/kube-proxy/config.conf", "/etc/kubernetes/kube-proxy-config.yaml")

# kubelet flag -> (KubeletConfiguration path, type): the flags CIS 4.2 names.
KUBELET_FLAGS: dict[str, tuple[str, str]] = {
    "--anonymous-auth": ("authentication.anonymous.enabled", "bool"),
    "--authorization-mode": ("authorization.mode", "str"),
    "--client-ca-file": ("authentication.x509.clientCAFile", "str"),
    "--read-only-port": ("readOnlyPort", "int"),
    "--streaming-connection-idle-timeout": ("streamingConnectionIdleTimeout", "str"),
    "--make-iptables-util-chains": ("makeIPTablesUtilChains", "bool"),
    "--event-qps": ("eventRecordQPS", "int"),
    "--tls-cert-file": ("tlsCertFile", "str"),
    "--tls-private-key-file": ("tlsPrivateKeyFile", "str"),
    "--rotate-certificates": ("rotateCertificates", "bool"),
    "--tls-cipher-suites": ("tlsCipherSuites", "list"),
    "--tls-min-version": ("tlsMinVersion", "str"),
    "--pod-max-pids": ("podPidsLimit", "int"),
    "--feature-gates": ("featureGates", "gates"),
}
# The flags' defaults where they differ from the config file's (a kubelet without --config).
FLAG_DEFAULTS: dict[str, Any] = {
    "authentication.anonymous.enabled": True,
    "authorization.mode": "AlwaysAllow",
    "readOnlyPort": 10255,
}


class RootedFS(HostFS):
    """A node's filesystem at ``root``: symbolic links resolve as they would on the node (an
    absolute link starts again at ``root``, ``..`` never climbs above it), so a link on the node
    never makes the audit judge a file of the machine (or pod) it runs in."""

    def real(self, path: str) -> Path:
        if str(self.root) == "/":
            return super().real(path)
        parts = [p for p in path.split("/") if p]
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = self.root.joinpath(*resolved, part)
            try:
                target = os.readlink(candidate)
            except OSError:  # not a link (or absent): keep it as it is
                resolved.append(part)
                continue
            hops += 1
            if hops > MAX_LINK_HOPS:  # a loop: the path as written, which will not resolve
                return self.root.joinpath(*resolved, part, *parts)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p] + parts
        return self.root.joinpath(*resolved)


@dataclass(frozen=True, slots=True)
class Process:
    pid: int
    args: list[str]


def collect(root: str = "/", proc: str | None = None) -> KubeNode:
    """Read the node at ``root``, its processes from ``proc`` (default ``<root>/proc`` when it
    lists processes, else ``/proc``)."""
    fs = RootedFS(root)
    node = KubeNode(root=root)
    proc_dir = Path(proc) if proc else _default_proc(fs)
    procs = find_processes(proc_dir, ("kubelet", "kube-proxy"))
    _read_kubelet(fs, node, [p for p in procs if p.args and _is(p, "kubelet")])
    _read_proxy(fs, node, proc_dir, [p for p in procs if p.args and _is(p, "kube-proxy")])
    return node


def _is(process: Process, name: str) -> bool:
    return os.path.basename(process.args[0]) == name or process.args[0].endswith("/" + name)


def _default_proc(fs: HostFS) -> Path:
    own = fs.real("/proc")
    try:
        if any(e.isdigit() for e in os.listdir(own)):
            return own
    except OSError:
        pass
    return Path("/proc")


def find_processes(proc: Path, names: tuple[str, ...]) -> list[Process]:
    """The processes whose kernel name (``comm``) is one of ``names``, by pid; at most
    ``MAX_PROC_ENTRIES`` entries of ``proc`` are looked at."""
    from hullcheck.sources import read_regular

    out = []
    try:
        with os.scandir(proc) as entries:
            pids = []
            for n, entry in enumerate(entries):
                if n >= MAX_PROC_ENTRIES:
                    break
                if entry.name.isdigit():
                    pids.append(entry.name)
    except OSError:
        return []
    for pid in pids:
        try:
            comm = read_regular(proc / pid / "comm", "comm", 64).decode("utf-8", "replace")
            if comm.strip() not in names:
                continue
            raw = read_regular(proc / pid / "cmdline", "cmdline", MAX_CMDLINE_BYTES)
        except ValueError:  # gone, or not readable: not ours to judge
            continue
        args = [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a]
        out.append(Process(pid=int(pid), args=args))
    return sorted(out, key=lambda p: p.pid)


def read_file(fs: HostFS, path: str) -> tuple[str | None, str | None]:
    """(text, None), (None, None) when absent, or (None, the reason it cannot be read)."""
    from hullcheck.sources import read_regular

    real = fs.real(path)
    if not os.path.lexists(real):
        return None, None
    try:
        data = read_regular(real, path, MAX_NODE_FILE_BYTES)
    except ValueError as exc:
        return None, str(exc)
    return data.decode("utf-8", "replace"), None


def read_yaml(fs: HostFS, path: str, what: str) -> tuple[dict[str, Any] | None, str | None]:
    """A YAML mapping (the first document), with the bounded loader every input uses."""
    from hullcheck.yamlutil import YamlError, load_documents

    text, error = read_file(fs, path)
    if text is None:
        return None, error
    try:
        docs = load_documents(text)
    except YamlError as exc:
        return None, f"{path}: {what} is not valid YAML: {exc}"
    data = docs[0].data if docs else None
    if not isinstance(data, dict):
        return None, f"{path}: {what} is not a YAML mapping"
    return dict(data), None


# --- the kubelet ---------------------------------------------------------------------------


def kubelet_units(fs: HostFS) -> list[str]:
    """kubelet.service wherever systemd loads units from, then its drop-ins, in that order."""
    found = [f"{d}/kubelet.service" for d in SERVICE_DIRS if fs.exists(f"{d}/kubelet.service")]
    for directory in SERVICE_DIRS:
        found.extend(fs.glob(f"{directory}/kubelet.service.d", "*.conf"))
    # With a merged /usr, /lib/systemd/system is /usr/lib/systemd/system: one file, one entry.
    units, seen = [], set()
    for unit in found[:MAX_UNIT_FILES]:
        try:
            st = os.stat(fs.real(unit))
            key: object = (st.st_dev, st.st_ino)
        except OSError:
            key = unit
        if key not in seen:
            seen.add(key)
            units.append(unit)
    return units


def unit_command_line(fs: HostFS, units: list[str]) -> list[str] | None:
    """The kubelet's command line as systemd would start it from ``units``: the last
    ``ExecStart=`` (an empty one resets), ``$VAR``/``${VAR}`` from ``Environment=`` and
    ``EnvironmentFile=`` (kubeadm's ``kubeadm-flags.env``, ``/etc/default/kubelet``)."""
    env: dict[str, str] = {}
    exec_start: str | None = None
    for unit in units:
        text, _ = read_file(fs, unit)
        for raw in (text or "").splitlines():
            key, eq, value = raw.strip().partition("=")
            if not eq:
                continue
            key = key.strip()
            if key == "Environment":
                for word in _split(value):
                    name, eq2, val = word.partition("=")
                    if eq2:
                        env[name] = val
            elif key == "EnvironmentFile":
                path = value.strip().lstrip("-")
                env.update(_env_file(fs, path))
            elif key == "ExecStart":
                exec_start = value.strip() or None
    if exec_start is None:
        return None
    expanded = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m[1] or m[2], ""),
                      exec_start.lstrip("-@+!:"))
    return _split(expanded)


def _env_file(fs: HostFS, path: str) -> dict[str, str]:
    text, _ = read_file(fs, path)
    out = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = _split(line)
        if words:
            name, eq, val = words[0].partition("=")
            if eq:
                out[name] = val
    return out


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: the words as they stand
        return text.split()


def _read_kubelet(fs: HostFS, node: KubeNode, procs: list[Process]) -> None:
    units = kubelet_units(fs)
    for unit in units:
        node.files.append(NodeFile("kubelet-unit", fs.stat(unit), "the kubelet's systemd unit"))
    if procs:
        node.kubelet_pid = procs[-1].pid
        node.kubelet_args = procs[-1].args
        node.kubelet_args_source = f"the kubelet process (pid {procs[-1].pid})"
    elif units:
        node.kubelet_args = unit_command_line(fs, units)
        if node.kubelet_args is not None:
            node.kubelet_args_source = "the systemd units (no kubelet process runs)"
    args = node.kubelet_args
    config_path = flag_value(args, "--config") if args else None
    why = "the kubelet's --config"
    if config_path is None and fs.exists(DEFAULT_KUBELET_CONFIG) and not args:
        config_path, why = DEFAULT_KUBELET_CONFIG, "kubeadm's default path"
    if config_path:
        node.kubelet_config_path = config_path
        node.files.append(NodeFile("kubelet-config", fs.stat(config_path), why))
        node.kubelet_config, node.kubelet_config_error = read_yaml(
            fs, config_path, "the kubelet config")
        if node.kubelet_config is None and node.kubelet_config_error is None:
            node.kubelet_config_error = f"{config_path}: the kubelet's --config file is missing"
    kubeconfig = flag_value(args, "--kubeconfig") if args else None
    why = "the kubelet's --kubeconfig"
    if kubeconfig is None:
        kubeconfig, why = DEFAULT_KUBELET_KUBECONFIG, "kubeadm's default path"
    node.files.append(NodeFile("kubelet-kubeconfig", fs.stat(kubeconfig), why))
    effective(node)
    ca = _get(node.kubelet, "authentication.x509.clientCAFile")
    if isinstance(ca, str) and ca:
        source = node.source_of("authentication.x509.clientCAFile")
        node.files.append(NodeFile("client-ca", fs.stat(ca),
                                   f"the kubelet's client CA, named by {source}"))


def effective(node: KubeNode) -> None:
    """The kubelet's effective configuration: the file (zero durations defaulted as the kubelet
    does), or the flags' defaults without one, with the command line's flags over it."""
    config: dict[str, Any] = copy.deepcopy(node.kubelet_config) if node.kubelet_config else {}
    if node.kubelet_config is None and node.kubelet_args is not None \
            and not node.kubelet_config_path:
        for path, value in FLAG_DEFAULTS.items():
            _set(config, path, value)
            node.kubelet_sources[path] = "the kubelet's flag defaults (no --config)"
    for key, value in zero_defaulted(config).items():
        config[key] = ZERO_DURATION_DEFAULTS[key]
        node.kubelet_sources[key] = f"the kubelet's default ({key}: {value} in the file)"
    for flag, (path, kind) in KUBELET_FLAGS.items():
        raw = flag_value(node.kubelet_args or [], flag)
        if raw is None:
            continue
        value = _typed(raw, kind)
        if kind == "gates" and isinstance(value, dict):
            gates = config.get("featureGates")
            merged = dict(gates) if isinstance(gates, dict) else {}
            merged.update(value)
            value = merged
        _set(config, path, value)
        node.kubelet_sources[path] = f"{flag} on {node.kubelet_args_source or 'the command line'}"
    node.kubelet = config


def _typed(raw: str, kind: str) -> Any:
    if kind == "bool":
        return raw.strip().lower() in ("true", "1", "t")
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "list":
        return [s.strip() for s in raw.split(",") if s.strip()]
    if kind == "gates":
        gates = {}
        for item in raw.split(","):
            name, eq, val = item.partition("=")
            if eq and name.strip():
                gates[name.strip()] = val.strip().lower() == "true"
        return gates
    return raw


def _get(config: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(config, dict):
            return None
        config = config.get(key)
    return config


def _set(config: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    for key in keys[:-1]:
        nxt = config.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            config[key] = nxt
        config = nxt
    config[keys[-1]] = value


# --- kube-proxy ----------------------------------------------------------------------------


def _read_proxy(fs: HostFS, node: KubeNode, proc: Path, procs: list[Process]) -> None:
    """kube-proxy's process (its files read through ``/proc/<pid>/root``: kubeadm runs it in a
    pod whose config is a ConfigMap), else its files on the node's own filesystem."""
    if procs:
        process = procs[-1]
        node.proxy_pid, node.proxy_args = process.pid, process.args
        # The process's own view of the filesystem: its mount namespace's root.
        pfs = RootedFS(proc / str(process.pid) / "root")
        where = f"in kube-proxy's filesystem (pid {process.pid})"
        config_path = flag_value(process.args, "--config")
        if config_path:
            node.proxy_config_path = config_path
            node.proxy_config, node.proxy_config_error = read_yaml(
                pfs, config_path, "kube-proxy's config")
        kubeconfig = flag_value(process.args, "--kubeconfig") or _get(
            node.proxy_config, "clientConnection.kubeconfig")
        if isinstance(kubeconfig, str) and kubeconfig:
            info = pfs.stat(kubeconfig)
            node.files.append(NodeFile("proxy-kubeconfig", info, where))
        return
    for path in PROXY_CONFIGS:
        if fs.exists(path):
            node.proxy_config_path = path
            node.proxy_config, node.proxy_config_error = read_yaml(fs, path, "kube-proxy's config")
            break
    kubeconfig = _get(node.proxy_config, "clientConnection.kubeconfig")
    candidates = (kubeconfig,) if isinstance(kubeconfig, str) and kubeconfig else PROXY_KUBECONFIGS
    for path in candidates:
        if fs.exists(path):
            node.files.append(NodeFile("proxy-kubeconfig", fs.stat(path),
                                       "kube-proxy's kubeconfig on the node"))
            break
