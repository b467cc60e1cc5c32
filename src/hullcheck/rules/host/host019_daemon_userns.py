from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonUsernsOff(DaemonSettingRule):
    """User namespace remapping is off (CIS Docker Benchmark 2.9).

    ## What it finds
    ``docker info``'s security options name neither ``userns`` nor ``rootless``.

    ## Why it matters
    Without remapping, uid 0 in a container is uid 0 on the host: a container escape lands as
    root.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"userns-remap": "default"}

    ## References
    CIS Docker Benchmark v1.6.0, 2.9. Replaces part of the retired HOST005.
    """

    id = "HOST019"
    name = "daemon-userns-off"
    title = "User namespace remapping is off"
    severity = Severity.MEDIUM
    references = cis("2.9")
    fix = 'Set "userns-remap": "default" (or run rootless Docker).'
    check_id = "2.9"
    setting = "userns-remap"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        if host.has_security_option("userns") or host.rootless:
            return None
        return "user namespace remapping is off: root in a container is root on the host"
