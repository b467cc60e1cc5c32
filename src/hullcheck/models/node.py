"""A Kubernetes node as ``hullcheck node`` reads it: the kubelet's and kube-proxy's files, their
effective settings and command lines (CIS Kubernetes Benchmark 1.10, section 4).

Plain data, filled by ``inputs/node.py`` from a node's filesystem (``--root``) and processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hullcheck.models.host import HostFile

# KubeletConfiguration v1beta1 turns a zero duration into its default when it loads the file
# (SetDefaults_KubeletConfiguration in pkg/kubelet/apis/config/v1beta1/defaults.go: kubeadm
# writes `streamingConnectionIdleTimeout: 0s`, which means 4h); a flag's 0 stays 0.
ZERO_DURATION_DEFAULTS = {"streamingConnectionIdleTimeout": "4h0m0s"}
_ZERO = re.compile(r"^(0+(\.0*)?(ns|us|µs|ms|s|m|h)?)+$")


def zero_defaulted(config: dict[str, Any]) -> dict[str, str]:
    """The keys of a kubelet configuration file whose zero duration the kubelet replaces with
    its default when it loads the file, with the value written there."""
    return {key: str(config[key]) for key in ZERO_DURATION_DEFAULTS
            if config.get(key) is not None and _ZERO.fullmatch(str(config[key]).strip())}


# The kubelet's boolean flags among those the audit reads: ``--flag value`` never takes the next
# word as their value.
BOOL_FLAGS = frozenset({"--anonymous-auth", "--make-iptables-util-chains",
                        "--rotate-certificates"})


def flag_value(args: list[str], name: str) -> str | None:
    """The last value of ``--name`` in a command line (``--name=v``, ``--name v``; a bare
    boolean flag is ``true``), or None."""
    found = None
    for i, arg in enumerate(args[1:], start=1):
        flag, eq, value = arg.partition("=")
        if flag != name:
            continue
        if eq:
            found = value
        elif name not in BOOL_FLAGS and i + 1 < len(args) and not args[i + 1].startswith("-"):
            found = args[i + 1]
        else:
            found = "true"
    return found


@dataclass(slots=True)
class NodeFile:
    """A file a section 4.1 check judges: its role (``kubelet-unit``, ``kubelet-kubeconfig``,
    ``client-ca``, ``kubelet-config``, ``proxy-kubeconfig``) and its owner and mode."""

    role: str
    info: HostFile
    why: str = ""  # how the audit found it ("the kubelet's --kubeconfig", "kubeadm's default")


@dataclass
class KubeNode:
    """What the node audit read. ``root``: where the node's filesystem is (``/`` on the node,
    ``/host`` in a pod). A field left None was not found; ``*_error`` says what could not be
    read."""

    root: str = "/"
    files: list[NodeFile] = field(default_factory=list)
    kubelet_pid: int | None = None
    kubelet_args: list[str] | None = None  # the command line (process, else the systemd units)
    kubelet_args_source: str = ""  # "process 1234" or "systemd units: ..."
    kubelet_config_path: str | None = None
    kubelet_config: dict[str, Any] | None = None
    kubelet_config_error: str | None = None
    # The kubelet's effective settings as one KubeletConfiguration (the file, its defaults, the
    # flags over them), and where each setting a flag or a default gave came from, by dotted
    # path ("authorization.mode" -> "--authorization-mode"); the others come from the file.
    kubelet: dict[str, Any] = field(default_factory=dict)
    kubelet_sources: dict[str, str] = field(default_factory=dict)
    proxy_pid: int | None = None
    proxy_args: list[str] | None = None
    proxy_config_path: str | None = None
    proxy_config: dict[str, Any] | None = None
    proxy_config_error: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def has_kubelet(self) -> bool:
        """A kubelet runs here, or its unit, config or kubeconfig is installed."""
        return self.kubelet_args is not None or any(
            f.info.exists for f in self.files if f.role.startswith("kubelet")
        ) or self.kubelet_config is not None

    @property
    def has_proxy(self) -> bool:
        return self.proxy_args is not None or self.proxy_config is not None

    def files_of(self, role: str) -> list[NodeFile]:
        return [f for f in self.files if f.role == role]

    def source_of(self, path: str) -> str:
        """Where the effective value at dotted ``path`` came from, in words."""
        if path in self.kubelet_sources:
            return self.kubelet_sources[path]
        return self.kubelet_config_path or "the kubelet's defaults"

    def proxy_metrics_address(self) -> tuple[str, str] | None:
        """kube-proxy's effective metrics bind address and where it came from; None without a
        kube-proxy. Its default (flag and config) is 127.0.0.1:10249."""
        if self.proxy_args is not None:
            flag = flag_value(self.proxy_args, "--metrics-bind-address")
            if flag is not None:
                return flag, "--metrics-bind-address on kube-proxy's command line"
        if self.proxy_config is not None:
            value = self.proxy_config.get("metricsBindAddress")
            if isinstance(value, str) and value:
                return value, f"metricsBindAddress in {self.proxy_config_path}"
        if self.has_proxy:
            return "127.0.0.1:10249", "kube-proxy's default"
        return None
