from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonBaseDeviceSize(DaemonSettingRule):
    """Base device size is changed (CIS Docker Benchmark 2.11).

    ## What it finds
    ``dm.basesize`` in ``storage-opts`` (daemon.json or ``--storage-opt``). Judged on a local
    engine only.

    ## Why it matters
    A larger base device lets every container fill more of the disk; changed without need, it
    only widens what a runaway or hostile container can take.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"storage-opts": ["dm.basesize=20G"]}

    After:

        {}

    ## References
    CIS Docker Benchmark v1.6.0, 2.11. Replaces part of the retired HOST005.
    """

    id = "HOST021"
    name = "daemon-base-device-size"
    title = "Base device size is changed"
    severity = Severity.LOW
    references = cis("2.11")
    fix = 'Remove dm.basesize from storage-opts unless needed.'
    check_id = "2.11"
    setting = "storage-opts"

    def judge(self, host: DockerHost) -> str | None:
        for opt in host.daemon.get("storage-opts") or []:
            if str(opt).split("=", 1)[0].strip() == "dm.basesize":
                return f"the base device size is changed ({opt})"
        return None
