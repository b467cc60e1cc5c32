from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonLogLevel(DaemonSettingRule):
    """Docker daemon log level is not info (CIS Docker Benchmark 2.3).

    ## What it finds
    ``log-level`` other than ``info`` in daemon.json or on the dockerd command line, or debug
    mode (``debug``, ``-D``, ``docker info`` Debug) without a level. Judged on a local engine
    only (its daemon.json and command line are read here).

    ## Why it matters
    Below ``info`` (warn, error, fatal) the daemon drops the events an investigation needs;
    ``debug`` writes far more than needed, including request details.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"log-level": "debug"}

    After:

        {"log-level": "info"}

    ## References
    CIS Docker Benchmark v1.6.0, 2.3. Replaces part of the retired HOST005.
    """

    id = "HOST014"
    name = "daemon-log-level"
    title = "Docker daemon log level is not info"
    severity = Severity.LOW
    references = cis("2.3")
    fix = 'Set "log-level": "info".'
    check_id = "2.3"
    setting = "log-level"

    def judge(self, host: DockerHost) -> str | None:
        level = str(host.daemon.get("log-level") or "").lower()
        if not level and (host.daemon.get("debug") or host.info.get("Debug")):
            level = "debug"
        if level and level != "info":
            return f"the daemon logs at level {level!r}, not 'info'"
        return None
