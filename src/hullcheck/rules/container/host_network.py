from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._layers import exposed_ports
from hullcheck.rules.container._namespaces import HostNamespaceRule


class HostNetwork(HostNamespaceRule):
    """
    ## What it finds
    A container sharing the host's network namespace (`network_mode: host` in compose, `--network
    host` on a host). Where the ports its image declares are known (the `EXPOSE`s of the
    Dockerfile stage a compose service builds, or the image config with `--resolve-images`),
    the message names them: they are served on every interface of the host.

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

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for finding in super().check_container(ctx, spec):
            # What the image it runs listens on is then open on every host interface.
            exposed = exposed_ports(spec)
            if exposed is not None and exposed[0]:
                ports, described = exposed
                finding.message = (f"{finding.message[:-1]}; {described} exposes "
                                   f"{', '.join(ports)}, which it then serves on every "
                                   "interface of the host.")
            yield finding
