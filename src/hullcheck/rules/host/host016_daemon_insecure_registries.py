from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.host._common import cis
from hullcheck.rules.host._daemon import DaemonSettingRule, insecure_registries


class DaemonInsecureRegistries(DaemonSettingRule):
    """Docker daemon trusts insecure registries (CIS Docker Benchmark 2.5).

    ## What it finds
    Registries the daemon talks to without TLS verification: ``docker info``'s
    ``RegistryConfig`` (insecure CIDRs beyond the loopback default ``127.0.0.0/8`` and
    ``::1/128``, and indexes marked not secure), else ``insecure-registries`` from daemon.json.
    Judged on Podman too.

    ## Why it matters
    Pulls and pushes to those registries can be read and altered on the way: whoever sits on
    the path serves any image they like.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {"insecure-registries": ["reg.local:5000"]}

    After:

        {}

    ## References
    CIS Docker Benchmark v1.6.0, 2.5. Replaces part of the retired HOST005.
    """

    id = "HOST016"
    name = "daemon-insecure-registries"
    title = "Docker daemon trusts insecure registries"
    severity = Severity.HIGH
    references = cis("2.5")
    fix = 'Remove insecure-registries; give the registry a TLS certificate.'
    check_id = "2.5"
    setting = "insecure-registries"
    needs_config = False
    podman = True

    def judge(self, host: DockerHost) -> str | None:
        found = insecure_registries(host)
        if found:
            return "insecure registries in use: " + ", ".join(found)
        return None
