from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule, tcp_hosts


class DaemonTcpWithoutTls(DaemonSettingRule):
    """Docker daemon listens on TCP without TLS verification (CIS Docker Benchmark 2.7).

    ## What it finds
    A ``tcp://`` address in ``hosts`` (daemon.json or ``-H``) while ``tlsverify`` is off or one
    of ``tlscacert``, ``tlscert`` and ``tlskey`` is missing. Judged on a local engine only.

    ## Why it matters
    Anyone who reaches the port drives the daemon without a client certificate: that is root
    on the host.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]}

    After:

        {"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], "tlsverify": true,
         "tlscacert": "/etc/docker/ca.pem", "tlscert": "/etc/docker/cert.pem",
         "tlskey": "/etc/docker/key.pem"}

    ## References
    CIS Docker Benchmark v1.6.0, 2.7. Replaces part of the retired HOST005.
    """

    id = "HOST018"
    name = "daemon-tcp-without-tls"
    title = "Docker daemon listens on TCP without TLS verification"
    severity = Severity.CRITICAL
    references = cis("2.7")
    fix = 'Set tlsverify with tlscacert, tlscert and tlskey, or listen on the unix socket only.'
    check_id = "2.7"
    setting = "hosts"

    def judge(self, host: DockerHost) -> str | None:
        tcp = tcp_hosts(host)
        if not tcp:
            return None
        missing = [k for k in ("tlscacert", "tlscert", "tlskey") if not host.daemon.get(k)]
        if not host.daemon.get("tlsverify") or missing:
            what = "tlsverify is off" if not host.daemon.get("tlsverify") else ", ".join(missing)
            return (
                f"the daemon listens on {', '.join(tcp)} without client TLS verification ({what})"
            )
        return None
