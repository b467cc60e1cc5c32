from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonNoAuthorization(DaemonSettingRule):
    """No authorization plugin for Docker client commands (CIS Docker Benchmark 2.12).

    ## What it finds
    ``docker info`` lists no ``Authorization`` plugin and daemon.json names none in
    ``authorization-plugins``.

    ## Why it matters
    Without one, every client that reaches the socket may do everything the daemon can: there
    is no per-user or per-command policy.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"authorization-plugins": ["authz-broker"]}

    ## References
    CIS Docker Benchmark v1.6.0, 2.12. Replaces part of the retired HOST005.
    """

    id = "HOST022"
    name = "daemon-no-authorization-plugin"
    title = "No authorization plugin for Docker client commands"
    severity = Severity.LOW
    references = cis("2.12")
    fix = 'Install an authorization plugin and list it in authorization-plugins.'
    check_id = "2.12"
    setting = "authorization-plugins"
    needs_config = False

    def judge(self, host: DockerHost) -> str | None:
        plugins = (host.info.get("Plugins") or {}).get("Authorization") or host.daemon.get(
            "authorization-plugins"
        )
        if not plugins:
            return "no authorization plugin: every client of the socket may do everything"
        return None
