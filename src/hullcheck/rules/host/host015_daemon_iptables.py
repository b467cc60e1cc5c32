from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonIptablesOff(DaemonSettingRule):
    """Docker daemon may not manage iptables (CIS Docker Benchmark 2.4).

    ## What it finds
    ``"iptables": false`` in daemon.json or ``--iptables=false`` on the dockerd command line.
    Judged on a local engine only.

    ## Why it matters
    Docker then cannot set up the rules that isolate its networks and publish ports as asked;
    rules maintained by hand drift and tend to open more than intended.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"iptables": false}

    After:

        {}

    ## References
    CIS Docker Benchmark v1.6.0, 2.4. Replaces part of the retired HOST005.
    """

    id = "HOST015"
    name = "daemon-iptables-off"
    title = "Docker daemon may not manage iptables"
    severity = Severity.MEDIUM
    references = cis("2.4")
    fix = 'Remove "iptables": false.'
    check_id = "2.4"
    setting = "iptables"

    def judge(self, host: DockerHost) -> str | None:
        if host.daemon.get("iptables", True) is False:
            return "the daemon may not manage iptables (iptables: false)"
        return None
