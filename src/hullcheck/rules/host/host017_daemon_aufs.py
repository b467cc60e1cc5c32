from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonAufsStorage(DaemonSettingRule):
    """aufs storage driver in use (CIS Docker Benchmark 2.6).

    ## What it finds
    ``docker info`` reports the ``aufs`` storage driver.

    ## Why it matters
    aufs is unmaintained and left the mainline kernel and Docker itself; it has known kernel
    crashes and security issues that will not be fixed.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"storage-driver": "aufs"}

    After:

        {"storage-driver": "overlay2"}

    ## References
    CIS Docker Benchmark v1.6.0, 2.6. Replaces part of the retired HOST005.
    """

    id = "HOST017"
    name = "daemon-aufs-storage"
    title = "aufs storage driver in use"
    severity = Severity.MEDIUM
    references = cis("2.6")
    fix = 'Use overlay2.'
    check_id = "2.6"
    setting = "storage-driver"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        if str(host.info.get("Driver") or "") == "aufs":
            return "the aufs storage driver is in use"
        return None
