from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonCgroupParent(DaemonSettingRule):
    """Default cgroup parent is changed (CIS Docker Benchmark 2.10).

    ## What it finds
    ``cgroup-parent`` set in daemon.json or on the dockerd command line. Judged on a local
    engine only.

    ## Why it matters
    Containers then run under another cgroup, with that cgroup's limits (or none): the
    benchmark asks that the choice be confirmed.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"cgroup-parent": "/custom"}

    After:

        {}

    ## References
    CIS Docker Benchmark v1.6.0, 2.10. Replaces part of the retired HOST005.
    """

    id = "HOST020"
    name = "daemon-cgroup-parent"
    title = "Default cgroup parent is changed"
    severity = Severity.INFO
    references = cis("2.10")
    fix = 'Confirm the default cgroup parent or remove it.'
    check_id = "2.10"
    setting = "cgroup-parent"

    def judge(self, host: DockerHost) -> str | None:
        parent = host.daemon.get("cgroup-parent")
        if parent:
            return f"a default cgroup parent is set ({parent}): confirm it is intended"
        return None
