from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.container._namespaces import HostNamespaceRule


class HostUts(HostNamespaceRule):
    """
    ## What it finds
    A container sharing the host's UTS namespace (`uts: host` in compose, `--uts host` on a host).

    ## Why it matters
    The container can change the host's hostname and domain name, confusing logs, monitoring and
    anything that trusts the hostname.

    ## How to fix
    Remove the setting; give the container its own namespace.

    Before:
    ```yaml
    uts: host
    ```
    After: the line removed (the container gets its own namespace).

    ## References
    - CIS Docker Benchmark 1.6.0, 5.21 (Kubernetes has no UTS setting: not judged there)
    """

    id = "CT007"
    name = "host-uts"
    title = "Container shares the host UTS namespace"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.21",)
    k8s_covered_by = ()
    attribute = "host_uts"
    setting = {"compose": "uts: host", "docker": "--uts host"}
    consequence = "shares the host's hostname and can change it."
    fix = "Remove `uts: host`."
    fixes = {
        "docker": "Run it again without --uts host.",
    }
