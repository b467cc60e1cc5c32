from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonNoNewPrivilegesOff(DaemonSettingRule):
    """Containers may gain new privileges by default (CIS Docker Benchmark 2.14).

    ## What it finds
    ``no-new-privileges`` not set to true in daemon.json or on the dockerd command line.
    Judged on a local engine only.

    ## Why it matters
    The daemon's default applies to every container that does not set it: setuid and file
    capability binaries inside them can raise their privileges.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"no-new-privileges": true}

    ## References
    CIS Docker Benchmark v1.6.0, 2.14. Replaces part of the retired HOST005.
    """

    id = "HOST024"
    name = "daemon-no-new-privileges-off"
    title = "Containers may gain new privileges by default"
    severity = Severity.MEDIUM
    references = cis("2.14")
    fix = 'Set "no-new-privileges": true in daemon.json.'
    check_id = "2.14"
    setting = "no-new-privileges"

    def judge(self, host: DockerHost) -> str | None:
        if not host.daemon.get("no-new-privileges"):
            return "containers may gain new privileges by default (no-new-privileges is not set)"
        return None
