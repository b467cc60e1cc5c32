from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonLocalLogging(DaemonSettingRule):
    """Container logs are not sent off the host (CIS Docker Benchmark 2.13).

    ## What it finds
    The default logging driver (``docker info`` LoggingDriver, else ``log-driver``, default
    ``json-file``) is ``json-file``, ``local`` or ``none``.

    ## Why it matters
    Logs kept only on the host vanish with it, and whoever gains root there can rewrite them;
    a central store keeps the record of an incident.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"log-driver": "syslog", "log-opts": {"syslog-address": "tcp://logs.example:514"}}

    ## References
    CIS Docker Benchmark v1.6.0, 2.13. Replaces part of the retired HOST005.
    """

    id = "HOST023"
    name = "daemon-local-logging"
    title = "Container logs are not sent off the host"
    severity = Severity.LOW
    references = cis("2.13")
    fix = 'Use a remote log driver (syslog, journald shipped off-host, gelf, fluentd...).'
    check_id = "2.13"
    setting = "log-driver"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        driver = str(host.info.get("LoggingDriver") or host.daemon.get("log-driver") or "json-file")
        if driver in ("json-file", "local", "none"):
            return f"container logs stay on this host (log driver {driver})"
        return None
