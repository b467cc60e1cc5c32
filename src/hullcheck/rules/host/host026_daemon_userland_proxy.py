from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonUserlandProxy(DaemonSettingRule):
    """Userland proxy is enabled (CIS Docker Benchmark 2.16).

    ## What it finds
    ``userland-proxy`` not false in daemon.json or on the dockerd command line (the default is
    true). Judged on a local engine only.

    ## Why it matters
    A ``docker-proxy`` process per published port is more code listening on the network than
    the kernel's hairpin NAT that replaces it.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"userland-proxy": false}

    ## References
    CIS Docker Benchmark v1.6.0, 2.16. Replaces part of the retired HOST005.
    """

    id = "HOST026"
    name = "daemon-userland-proxy"
    title = "Userland proxy is enabled"
    severity = Severity.LOW
    references = cis("2.16")
    fix = 'Set "userland-proxy": false in daemon.json.'
    check_id = "2.16"
    setting = "userland-proxy"

    def judge(self, host: DockerHost) -> str | None:
        if host.daemon.get("userland-proxy", True) is not False:
            return "the userland proxy is enabled (userland-proxy is not false)"
        return None
