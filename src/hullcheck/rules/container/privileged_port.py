from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, item_location


def low_port(host_port: str | None) -> int | None:
    """The first host port of ``80`` or ``80-90``; None when not published or ephemeral."""
    if not host_port:
        return None
    first = host_port.split("-", 1)[0].strip()
    return int(first) if first.isdigit() else None


class PrivilegedHostPort(ContainerRule):
    """
    ## What it finds
    A container port published on a privileged host port (below 1024), e.g. `"80:8080"`.
    Container ports below 1024 published on high host ports (`"8080:80"`) are fine. Not judged
    with host networking, where Docker discards published ports.

    Benchmark conformance, not exposure: low severity, tagged `conformance` (keep such checks
    out of a risk view with `--ignore conformance`). The daemon binds the host port; the
    container gains no privilege from it, and CT021 reports the exposure (every interface).

    ## Why it matters
    CIS Docker Benchmark 5.8 asks for it. Ports below 1024 are the ones the host reserves for
    root-started system services (SSH, DNS, HTTP): a container taking one can stand in for such
    a service on that host.

    ## How to fix
    Publish on a high port and put a reverse proxy or load balancer in front.

    Before:
    ```yaml
    ports: ["80:8080"]
    ```
    After:
    ```yaml
    ports: ["127.0.0.1:8080:8080"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.8 (on Kubernetes: PSS `hostPorts`)
    """

    id = "CT020"
    name = "privileged-host-port"
    title = "Container published on a privileged host port"
    severity = Severity.LOW
    docker_refs = ("cis-docker-1.6:5.8", "conformance")
    k8s_covered_by = ("pss:baseline:hostPorts",)
    fix = "Publish on a host port of 1024 or above."
    fixes = {
        "docker": "Run it again publishing on a host port of 1024 or above (-p 8443:443).",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.host_network:
            # Docker discards published ports in host network mode (the host-network rule
            # reports that container).
            return
        for port in spec.ports:
            number = low_port(port.host_port)
            if number is not None and 0 < number < 1024:
                yield self.emit(spec, item_location(spec, port),
                                f"{spec.name}: publishes container port {port.container_port} "
                                f"on privileged host port {port.host_port} (CIS Docker 5.8 "
                                "conformance: the daemon binds it, the container gains no "
                                "privilege).",
                                f"port={port.host_port}:{port.container_port}/{port.protocol}")
