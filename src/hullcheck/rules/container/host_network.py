from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.container._namespaces import HostNamespaceRule


class HostNetwork(HostNamespaceRule):
    """
    ## What it finds
    A container sharing the host's network namespace (`network_mode: host` in compose, `--network
    host` on a host).

    ## Why it matters
    The container sees every host interface and service bound to localhost (databases, the Docker
    API on tcp://127.0.0.1, cloud metadata proxies), can sniff traffic and bypasses the port
    publishing and firewall rules Docker sets up.

    ## How to fix
    Remove the setting; give the container its own namespace.

    Before:
    ```yaml
    network_mode: host
    ```
    After: the line removed (the container gets its own namespace).

    ## References
    - CIS Docker Benchmark 1.6.0, 5.10 (on Kubernetes: PSS `hostNamespaces`)
    """

    id = "CT004"
    name = "host-network"
    title = "Container shares the host network namespace"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.10",)
    k8s_covered_by = ("pss:baseline:hostNamespaces",)
    attribute = "host_network"
    setting = {"compose": "network_mode: host", "docker": "--network host"}
    consequence = (
        "shares the host's network stack: it can bind any host port and reach services "
        "listening on localhost."
    )
    fix = "Remove `network_mode: host`."
    fixes = {
        "docker": "Run it again without --network host.",
    }
