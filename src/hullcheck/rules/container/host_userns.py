from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.container._namespaces import HostNamespaceRule


class HostUserns(HostNamespaceRule):
    """
    ## What it finds
    A container sharing the host's user namespace (`userns_mode: host` in compose, `--userns host`
    on a host).

    ## Why it matters
    When the daemon remaps users (userns-remap), this setting disables the remapping for the
    container, so its root is the host's root again.

    ## How to fix
    Remove the setting; give the container its own namespace.

    Before:
    ```yaml
    userns_mode: host
    ```
    After: the line removed (the container gets its own namespace).

    ## References
    - CIS Docker Benchmark 1.6.0, 5.31 (on Kubernetes every pod shares the host user namespace
      unless `hostUsers: false`; no PSS control, not judged there)
    """

    id = "CT008"
    name = "host-userns"
    title = "Container shares the host user namespace"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.31",)
    k8s_covered_by = ()
    attribute = "userns_host"
    setting = {"compose": "userns_mode: host", "docker": "--userns host"}
    consequence = (
        "opts out of the daemon's user-namespace remapping: root in the container is root"
        " on the host."
    )
    fix = "Remove `userns_mode: host`."
    fixes = {
        "docker": "Run it again without --userns host.",
    }
