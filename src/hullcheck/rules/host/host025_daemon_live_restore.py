from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonLiveRestoreOff(DaemonSettingRule):
    """Live restore is off (CIS Docker Benchmark 2.15).

    ## What it finds
    ``docker info`` reports live restore off and daemon.json does not set ``live-restore``.
    Not judged in swarm mode, which does not support it.

    ## Why it matters
    Every daemon restart (an upgrade, a crash) stops every container: security updates of the
    engine get postponed because they cost an outage.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"live-restore": true}

    ## References
    CIS Docker Benchmark v1.6.0, 2.15. Replaces part of the retired HOST005.
    """

    id = "HOST025"
    name = "daemon-live-restore-off"
    title = "Live restore is off"
    severity = Severity.LOW
    references = cis("2.15")
    fix = 'Set "live-restore": true in daemon.json.'
    check_id = "2.15"
    setting = "live-restore"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        if host.swarm_active:
            return None  # incompatible with swarm mode: not applicable
        if not host.info.get("LiveRestoreEnabled") and not host.daemon.get("live-restore"):
            return "live restore is off: restarting the daemon stops every container"
        return None
