from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


class DockerRootPartition(Rule):
    """Docker's data directory is not on a partition of its own.

    ## What it finds
    A ``DockerRootDir`` (``/var/lib/docker`` by default, ``data-root`` otherwise) that is not a
    mount point: images, containers and volumes share the file system of the host's root (or of
    a parent mount).

    ## Why it matters
    Containers writing logs, layers or volumes can fill the disk. On the root partition that
    stops the host itself; on a partition of its own only Docker is affected.

    ## How to fix
    Mount a dedicated partition (or logical volume) on the data root.

    Before: ``/var/lib/docker`` is a directory of ``/``.
    After, in ``/etc/fstab``:

        /dev/vg0/docker  /var/lib/docker  ext4  defaults  0 2

    ## References
    CIS Docker Benchmark v1.6.0, 1.1.1.
    """

    id = "HOST001"
    name = "docker-root-partition"
    title = "Docker's data directory is not a separate partition"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis("1.1.1")
    fix = "Mount a dedicated partition on Docker's data root (/var/lib/docker)."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        root = str(host.info.get("DockerRootDir") or host.daemon.get("data-root") or "")
        root = (root or "/var/lib/docker").rstrip("/")
        mount = host.docker_root_mount
        if mount is None or mount == root:
            return
        yield self.finding(
            Location(path=root),
            f"{root} is not a mount point of its own: it lives on the file system mounted at "
            f"{mount}",
            evidence=f"{root} on {mount}",
        )
