from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule, bridge_icc


class DaemonIcc(DaemonSettingRule):
    """Containers on the default bridge can talk to each other (CIS Docker Benchmark 2.2).

    ## What it finds
    Inter-container communication (ICC) allowed on the default bridge network: the bridge
    network's own ``com.docker.network.bridge.enable_icc`` option as the engine reports it, else
    ``icc`` from daemon.json or the dockerd command line (the default is true).

    ## Why it matters
    Every container on ``docker0`` reaches every port of every other one: a single compromised
    container can probe and attack all its neighbours.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"icc": false}

    ## References
    CIS Docker Benchmark v1.6.0, 2.2. Replaces part of the retired HOST005.
    """

    id = "HOST013"
    name = "daemon-icc"
    title = "Containers on the default bridge can talk to each other"
    severity = Severity.MEDIUM
    references = cis("2.2")
    fix = 'Set "icc": false in daemon.json.'
    check_id = "2.2"
    setting = "icc"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        if bridge_icc(host):
            return "containers on the default bridge can talk to each other (icc is not false)"
        return None
