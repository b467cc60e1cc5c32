from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule


class DaemonSeccompUnconfined(DaemonSettingRule):
    """Daemon-wide seccomp profile is unconfined (CIS Docker Benchmark 2.17).

    ## What it finds
    ``docker info``'s security options name seccomp with ``profile=unconfined`` (the daemon
    runs with ``"seccomp-profile": "unconfined"``). Judged on Podman too.

    ## Why it matters
    Every container that does not choose its own profile may then make any system call,
    including the ones kernel exploits rely on.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"seccomp-profile": "unconfined"}

    After:

        {}

    ## References
    CIS Docker Benchmark v1.6.0, 2.17. Replaces part of the retired HOST005.
    """

    id = "HOST027"
    name = "daemon-seccomp-unconfined"
    title = "Daemon-wide seccomp profile is unconfined"
    severity = Severity.HIGH
    references = cis("2.17")
    fix = 'Remove the unconfined default seccomp profile.'
    check_id = "2.17"
    setting = "seccomp-profile"
    needs_config = False
    podman = True

    def judge(self, host: DockerHost) -> str | None:
        for opt in host.security_options:
            parts = dict(p.split("=", 1) for p in opt.split(",") if "=" in p)
            if parts.get("name") == "seccomp" and parts.get("profile") == "unconfined":
                return "the daemon-wide seccomp profile is unconfined"
        return None
