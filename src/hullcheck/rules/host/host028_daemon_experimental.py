from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonExperimental(DaemonSettingRule):
    """Experimental daemon features are enabled (CIS Docker Benchmark 2.18).

    ## What it finds
    ``docker version`` reports an experimental server or ``docker info`` an experimental
    build.

    ## Why it matters
    Experimental features are unsupported and less reviewed, and may change or vanish: not
    for production hosts.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"experimental": true}

    After:

        {"experimental": false}

    ## References
    CIS Docker Benchmark v1.6.0, 2.18. Replaces part of the retired HOST005.
    """

    id = "HOST028"
    name = "daemon-experimental"
    title = "Experimental daemon features are enabled"
    severity = Severity.LOW
    references = cis("2.18")
    fix = 'Set "experimental": false.'
    check_id = "2.18"
    setting = "experimental"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        if host.version.get("Experimental") or host.info.get("ExperimentalBuild"):
            return "experimental features are enabled"
        return None
