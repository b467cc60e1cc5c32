from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, PodTemplate
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict, LineList

# Host paths whose mount hands over the node: the root, the runtime sockets and state, the
# kubelet's credentials and pod volumes, host configuration, and /var/log (the kubelet follows
# symlinks there when serving logs).
SENSITIVE_PATHS = (
    "/", "/etc", "/root", "/boot", "/dev", "/proc", "/sys", "/var/run", "/run",
    "/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd",
    "/var/lib/crio", "/etc/kubernetes", "/var/log", "/etc/crio", "/etc/containerd",
    "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
    "/var/run/podman/podman.sock", "/run/podman/podman.sock",
    # the containerd a Docker Engine runs for itself
    "/var/run/docker/containerd/containerd.sock", "/run/docker/containerd/containerd.sock",
    # the kernel modules the node loads (modprobe at boot or on hotplug): a module planted
    # there runs in the node's kernel
    "/lib/modules", "/usr/lib/modules",
)
_SOCKETS = tuple(p for p in SENSITIVE_PATHS if p.endswith(".sock"))
# Directories that are the node's only as a whole: /run holds every daemon's socket and pid
# file, but a path inside it (an agent's own socket, a lock file) hands over nothing unless it
# is a container runtime's socket or a directory holding one.
_WHOLE_ONLY = ("/run", "/var/run")
# A container runtime's API socket, wherever under /run a distribution puts it
# (/run/k3s/containerd/containerd.sock, /run/user/1000/podman/podman.sock): it runs containers
# as root on the node.
_RUNTIME_SOCKETS = frozenset({"docker.sock", "containerd.sock", "crio.sock",
                              "cri-dockerd.sock", "podman.sock"})


# Host paths inside a sensitive directory that hand over nothing of the node: the syslog and
# journald sockets (a writer forges log lines, no more) and the public CA certificates (read
# by every TLS client; see _WRITE_DANGER for writing them).
_NOT_NODE_ACCESS = ("/dev/log", "/run/systemd/journal/socket", "/run/systemd/journal/dev-log",
                    "/var/run/systemd/journal/socket", "/var/run/systemd/journal/dev-log")
_CA_CERTIFICATES = ("/etc/ssl/certs", "/etc/pki/tls/certs", "/etc/pki/ca-trust",
                    "/etc/ca-certificates", "/etc/ssl/ca-bundle.pem")


def _norm(path: str) -> str:
    return "/" + posixpath.normpath("/" + path.strip()).lstrip("/")


def _within(norm: str, prefixes: tuple[str, ...]) -> bool:
    return any(norm == p or norm.startswith(p + "/") for p in prefixes)


def sensitive_host_path(path: str) -> str | None:
    """Why mounting ``path`` is node access, or None. A parent of a sensitive path counts
    (``/var`` holds ``/var/run``), and so does anything inside one."""
    if not path.strip():
        return None
    norm = _norm(path)
    if _within(norm, _NOT_NODE_ACCESS):
        return None
    # Exact matches first: every runtime socket lies inside /run or /var/run, and the socket is
    # the reason worth naming.
    if norm in SENSITIVE_PATHS:
        return f"{norm}, a container runtime socket" if norm in _SOCKETS else norm
    if posixpath.basename(norm) in _RUNTIME_SOCKETS and any(
            norm.startswith(d + "/") for d in _WHOLE_ONLY):
        return f"{norm}, a container runtime socket"
    for s in SENSITIVE_PATHS:
        if s.startswith(norm.rstrip("/") + "/"):
            return f"{norm}, which holds {s}"
        if (s != "/" and norm.startswith(s + "/") and s not in _SOCKETS
                and s not in _WHOLE_ONLY):
            return f"{norm}, inside {s}"
    return None


# Host paths whose danger is writing (the kubelet follows symlinks planted in /var/log when it
# serves logs; a module written to /lib/modules is loaded into the node's kernel; a CA added to
# the trust store is trusted by the node's TLS clients); mounted read-only, as log shippers, CNI
# agents and TLS clients do, they hand over nothing.
_WRITE_DANGER = ("/var/log", "/lib/modules", "/usr/lib/modules", *_CA_CERTIFICATES)


def harmless_read_only(path: str) -> bool:
    """Read-only, does ``path`` reach only paths whose danger is writing? True inside one, and
    for a parent (``/lib``, ``/usr``) whose every sensitive descendant is one."""
    norm = _norm(path)
    if _within(norm, _WRITE_DANGER):
        return True
    below = [s for s in SENSITIVE_PATHS if s.startswith(norm.rstrip("/") + "/")]
    inside = [s for s in SENSITIVE_PATHS if s != "/" and norm.startswith(s + "/")]
    return bool(below) and not inside and all(_within(s, _WRITE_DANGER) for s in below)


# Host paths that hand over the node when written (a cron job or user in /etc, a binary in
# /boot, the kubelet's or the runtime's state) but, mounted read-only, "only" disclose it: the
# kubelet's credentials, every pod's Secrets on the node, admin.conf. Those read-only mounts are
# high, not critical. Sockets, /dev, /proc, /sys and the parents of a socket directory (/, /var,
# /run) stay critical read-only: a socket connects, a device node opens for writing, and host
# /proc and /sys lead back to writable host objects through a read-only bind mount.
_READ_DISCLOSES = ("/etc", "/root", "/boot", "/var/lib/kubelet", "/var/lib/docker",
                   "/var/lib/containerd", "/var/lib/crio")


def discloses_only_read_only(path: str) -> bool:
    """Is ``path``, mounted read-only, disclosure rather than root on the node?"""
    norm = "/" + posixpath.normpath("/" + path.strip()).lstrip("/")
    if posixpath.basename(norm) in _RUNTIME_SOCKETS:
        return False
    return any(norm == p or norm.startswith(p + "/") for p in _READ_DISCLOSES)


def _mounts(pod: PodTemplate) -> dict[str, bool]:
    """Volume name -> True when every container mounting it mounts it read-only (a volume no
    container mounts is absent). Sockets are reachable through read-only mounts too: only
    ``harmless_read_only`` paths benefit."""
    out: dict[str, bool] = {}
    for c in pod.containers():
        for _line, vm in c.volume_mounts:
            if vm.get("name") is not None:
                name = str(vm["name"])
                out[name] = out.get(name, True) and vm.get("readOnly") is True
    return out


def _line(d: Any, key: str, fallback: int) -> int:
    return d.line_of(key) if isinstance(d, LineDict) else fallback


def node_access_reasons(pod: PodTemplate) -> list[tuple[int, str, str]]:
    """(line, reason, CIS 1.10 id) for every setting that makes the pod root on its node."""
    spec = pod.spec
    base = pod.obj.name_line
    reasons: list[tuple[int, str, str]] = []
    for key, what, cis in (
        ("hostPID", "hostPID: true (sees and signals every host process)", "5.2.3"),
        ("hostNetwork", "hostNetwork: true (the node's network, kubelet and cloud metadata "
                        "included)", "5.2.5"),
        ("hostIPC", "hostIPC: true (the node's shared memory)", "5.2.4"),
    ):
        if spec.get(key) is True:
            reasons.append((_line(spec, key, base), what, cis))
    for c in pod.containers():
        if c.sc("privileged") is True:
            reasons.append((c.sc_line("privileged"), f"container {c.name} is privileged",
                            "5.2.2"))
        add = c.sc("capabilities", "add")
        added = {str(a).upper().removeprefix("CAP_") for a in add} if isinstance(add, list) \
            else set()
        if added & {"SYS_ADMIN", "SYS_MODULE", "ALL"}:
            # SYS_MODULE loads any module image into the node's kernel (init_module takes it
            # from the container's memory): kernel code execution.
            what = ("every capability (ALL)" if "ALL" in added
                    else ", ".join(sorted(added & {"SYS_ADMIN", "SYS_MODULE"})))
            reasons.append((c.sc_line("capabilities", "add"), f"container {c.name} adds {what}",
                            "5.2.9"))
    mounts = _mounts(pod)
    volumes = spec.get("volumes")
    if isinstance(volumes, list):
        for i, v in enumerate(volumes):
            hp = v.get("hostPath") if isinstance(v, dict) else None
            if not isinstance(hp, dict):
                continue
            path = str(hp.get("path") or "")
            read_only = mounts.get(str(v.get("name")))
            if read_only is None:
                continue  # no container mounts it: nothing of the node is reachable
            why = sensitive_host_path(path)
            if why is None or (read_only and harmless_read_only(path)):
                continue
            line = volumes.line_of(i) if isinstance(volumes, LineList) else base
            mode = READ_ONLY if read_only and discloses_only_read_only(path) else ""
            reasons.append((_line(hp, "path", line),
                            f"hostPath volume {v.get('name')!s} mounts {why}{mode}", "5.2.12"))
    return reasons


# The mark of a reason that is a read-only mount of a ``discloses_only_read_only`` path.
READ_ONLY = " (read-only: reads the node's credentials and secrets)"


class NodeAccess(ClusterRule):
    """
    ## What it finds
    Workloads that are effectively root on their node, once per workload with every reason:
    privileged containers, `hostPID`, `hostNetwork`, `hostIPC`, `SYS_ADMIN`, `SYS_MODULE` (or
    `ALL`), and `hostPath` volumes a container mounts of `/`, `/etc`, `/var/lib/kubelet`,
    `/var/log`, `/lib/modules` and the public CA certificates (`/etc/ssl/certs`,
    `/etc/pki/ca-trust`, `/etc/pki/tls/certs`, `/etc/ca-certificates`) unless only mounted
    read-only (their danger is writing: a planted symlink, a kernel module, a trusted CA), the
    syslog and journald sockets never (`/dev/log`: a writer forges log lines, no more),
    `/var/run` or `/run`
    themselves, a container runtime socket (`docker.sock`, `containerd.sock`, `crio.sock`,
    `cri-dockerd.sock`, `podman.sock` anywhere under `/run` or `/var/run`; read-only mounts of
    a socket still connect), a directory holding one (`/run/containerd`) or any parent of
    them (`/var`). Another path inside `/run` (an agent's own socket, `/var/run/agent.sock`, a
    lock file) is not node access. A `hostPath` volume no container
    mounts reaches nothing (the Pod Security rules still report it). Critical, except a
    workload whose only reasons are read-only mounts of `/etc`, `/root`, `/boot`,
    `/var/lib/kubelet`, `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/crio` or paths in
    them: high, as it reads the node's credentials and every pod's Secrets but cannot write
    itself root (the same path writable is critical). Read-only sockets, `/dev`, `/proc`,
    `/sys`, `/`, `/var` and `/run` stay critical. Located on the first
    offending field. Pod Security rules report each field; this
    finding says what they add up to. A workload whose only reasons are privileged containers
    is reported by K8S003 on each of them (this rule would restate it on the same line), unless
    K8S003 is not selected or this rule is named by id.

    ## Why it matters
    Anyone who controls such a pod controls the node: every other pod on it, their secrets, the
    kubelet's credentials, and from there often the cluster.

    ## How to fix
    Drop the host access; run node agents in a dedicated, tightly controlled namespace.

    Before:
    ```yaml
    spec:
      volumes: [{name: docker, hostPath: {path: /var/run/docker.sock}}]
    ```
    After:
    ```yaml
    spec:
      volumes: [{name: cache, emptyDir: {}}]
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.2.2 (privileged), 5.2.3 (hostPID), 5.2.4 (hostIPC),
      5.2.5 (hostNetwork), 5.2.9 (added capabilities), 5.2.12 (hostPath); each finding is
      tagged with the items of its reasons
    """

    id = "KNS030"
    name = "node-access"
    title = "Workload has root access to its node"
    severity = Severity.CRITICAL
    # Each finding carries the items of the reasons it lists.
    references = ("cis-k8s-1.10:5.2.2", "cis-k8s-1.10:5.2.3", "cis-k8s-1.10:5.2.4",
                  "cis-k8s-1.10:5.2.5", "cis-k8s-1.10:5.2.9", "cis-k8s-1.10:5.2.12")
    fix = "Remove privileged, host namespaces and sensitive hostPath volumes from the pod."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for pod in graph.pods:
            reasons = node_access_reasons(pod)
            if not reasons:
                continue
            reasons.sort()
            cis = sorted({c for _, _, c in reasons}, key=lambda c: [int(p) for p in c.split(".")])
            # Only read-only mounts of paths whose danger is writing: high, not critical.
            read_only = all(r.endswith(READ_ONLY) for _, r, _ in reasons)
            yield self.finding(
                pod.obj.location(reasons[0][0]),
                f"{pod.ref} " + ("can read its node's secrets" if read_only
                                 else "is root on its node")
                + ": " + "; ".join(r for _, r, _ in reasons) + ".",
                references=tuple(f"cis-k8s-1.10:{c}" for c in cis),
                evidence="|".join(sorted(r for _, r, _ in reasons)),
                severity=Severity.HIGH if read_only else None,
            )
