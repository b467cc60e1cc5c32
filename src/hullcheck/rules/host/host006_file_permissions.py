from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost, HostFile
from hullcheck.rules._file_modes import mode_finding
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


@dataclass(frozen=True)
class FileCheck:
    key: str  # key in DockerHost.files; a trailing ":" matches every "key:<path>" entry too
    owner_check: str
    mode_check: str
    max_mode: int
    groups: tuple[str, ...] = ("root",)  # acceptable owning groups (besides the owner's own)
    what: str = ""


FILE_CHECKS: tuple[FileCheck, ...] = (
    FileCheck("docker.service", "3.1", "3.2", 0o644, what="docker.service unit"),
    FileCheck("docker.socket", "3.3", "3.4", 0o644, what="docker.socket unit"),
    FileCheck("/etc/docker", "3.5", "3.6", 0o755, what="/etc/docker"),
    FileCheck("registry-cert:", "3.7", "3.8", 0o444, what="registry certificate"),
    FileCheck("tlscacert", "3.9", "3.10", 0o444, what="TLS CA certificate"),
    FileCheck("tlscert", "3.11", "3.12", 0o444, what="server certificate"),
    FileCheck("tlskey", "3.13", "3.14", 0o400, what="server key"),
    # root:docker per CIS; root:root is stricter and fine.
    FileCheck("docker.sock", "3.15", "3.16", 0o660, ("docker", "root"), "Docker socket"),
    FileCheck("daemon.json", "3.17", "3.18", 0o644, what="daemon.json"),
    FileCheck("/etc/default/docker", "3.19", "3.20", 0o644, what="/etc/default/docker"),
    FileCheck("/etc/sysconfig/docker", "3.22", "3.21", 0o644, what="/etc/sysconfig/docker"),
    FileCheck("containerd.sock", "3.23", "3.24", 0o660, what="containerd socket"),
)


def files_for(host: DockerHost, check: FileCheck) -> list[HostFile]:
    """The existing files a check judges (a key may match several: sockets, certificates)."""
    base = check.key.rstrip(":")
    out = []
    for key, info in host.files.items():
        if key == base or key.startswith(base + ":"):
            if info.exists:
                out.append(info)
    return out


class DaemonFilePermissions(Rule):
    """A Docker file with the wrong owner or permissions too open (CIS section 3).

    ## What it finds
    The systemd units wherever they are installed, ``/etc/docker``, registry certificates under
    ``/etc/docker/certs.d``, the daemon's TLS CA, certificate and key, the Docker socket(s)
    dockerd listens on, ``daemon.json`` (or the ``--config-file``), ``/etc/default/docker``,
    ``/etc/sysconfig/docker`` and containerd's real socket (for a dockerd-managed containerd,
    ``/var/run/docker/containerd/containerd.sock``, which Docker Bench never looks at): owned by
    someone other than root (the user, for rootless Docker), or with permission bits beyond the
    benchmark's maximum (644 units and config, 755 ``/etc/docker``, 444 certificates, 400 the
    key, 660 sockets). Absent files are not applicable.

    ## Why it matters
    Whoever can write these files or sockets controls the daemon, which is root on the host.

    ## How to fix
    Before: ``-rw-rw-rw- 1 app app /etc/docker/daemon.json``. After:

        chown root:root /etc/docker/daemon.json
        chmod 644 /etc/docker/daemon.json

    ## References
    CIS Docker Benchmark v1.6.0, 3.1 to 3.24.
    """

    id = "HOST006"
    name = "daemon-file-permissions"
    title = "Docker file has the wrong owner or permissions"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = cis(*(c for f in FILE_CHECKS for c in (f.owner_check, f.mode_check)))
    fix = "chown root:root and chmod to the benchmark's mode (see the message)."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for check in FILE_CHECKS:
            for info in files_for(host, check):
                if info.error or info.uid is None or info.mode is None:
                    continue
                owner_ok = info.uid == host.owner_uid
                group_ok = info.gid == host.owner_uid or (info.group or "") in check.groups
                if not (owner_ok and group_ok):
                    want = "root:" + "/".join(check.groups) if not host.owner_uid else "the user"
                    yield self.finding(
                        Location(path=info.path),
                        f"{check.what} {info.path} is owned by {info.owner}:{info.group}, "
                        f"expected {want}",
                        references=cis(check.owner_check),
                        evidence=f"owner {info.path} {info.owner}:{info.group}",
                        remediation=f"chown {want.split('/')[0]} {info.path}",
                    )
                found = mode_finding(self, info, check.what, check.max_mode,
                                     cis(check.mode_check))
                if found is not None:
                    yield found
