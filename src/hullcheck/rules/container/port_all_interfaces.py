from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, item_location

ANY_ADDRESS = frozenset({"", "0.0.0.0", "::", "[::]"})


class PortOnAllInterfaces(ContainerRule):
    """
    ## What it finds
    A port published without a host address (`"8080:80"`, `"80"`, or long syntax without
    `host_ip`), so Docker binds it on every interface of the host, public ones included.
    Not judged with host networking, where Docker discards published ports. A long-syntax
    `published: 127.0.0.1:8080` is not Compose syntax (the address belongs in `host_ip`): it is
    reported as an input error naming the field, and that port is not judged.

    ## Why it matters
    Docker's published ports bypass host firewalls such as ufw (Docker writes its own iptables
    rules first), so an admin port meant for localhost ends up on the internet.

    ## How to fix
    Bind to the address that should receive the traffic.

    Before:
    ```yaml
    ports: ["5432:5432"]
    ```
    After:
    ```yaml
    ports: ["127.0.0.1:5432:5432"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.14 (on Kubernetes: PSS `hostPorts`)
    """

    id = "CT021"
    autofixes = (
        Fix("compose", "bind the published port to 127.0.0.1",
            "hullcheck.fix.compose:loopback_port", unsafe=True,
            assumes="only this host (a reverse proxy, an SSH tunnel) needs the port",
            verify="nothing outside this host connects to the port directly; publish it on a "
                   "specific interface address instead where something must"),
    )
    name = "port-on-all-interfaces"
    title = "Port published on every host interface"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.14",)
    k8s_covered_by = ("pss:baseline:hostPorts",)
    fix = "Prefix the port with the host address to bind, e.g. \"127.0.0.1:8080:80\"."
    fixes = {
        "docker": "Run it again with the host address in -p, e.g. -p 127.0.0.1:8080:80.",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.host_network:
            # Docker discards published ports in host network mode (the host-network rule
            # reports that container).
            return
        for port in spec.ports:
            if port.host_port is None:
                continue
            if (port.host_ip or "").strip() in ANY_ADDRESS:
                host = port.host_port or "an ephemeral port"
                yield self.emit(spec, item_location(spec, port),
                                f"{spec.name}: container port {port.container_port} is "
                                f"published on {host} of every host interface.",
                                f"port={port.host_port}:{port.container_port}/{port.protocol}")
