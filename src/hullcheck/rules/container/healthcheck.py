from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, Platform
from hullcheck.rules.container._base import ContainerRule


class NoHealthcheck(ContainerRule):
    """
    ## What it finds
    A container without a health check: `healthcheck: {disable: true}` or `test: ["NONE"]`,
    or (compose) no `healthcheck:` at all. In the last case the image's own `HEALTHCHECK`, if
    it has one, still applies; the message says so. On a Docker host `docker inspect` shows the
    effective health check, the image's included. Benchmark conformance (CIS 5.27, an
    availability concern): low, tagged `conformance`.

    ## Why it matters
    Without a health check a hung service looks "running": restarts, load balancers and
    orchestration never react, and an attack that wedges the process goes unnoticed.

    ## How to fix
    Declare a health check that exercises the service.

    Before:
    ```yaml
    services:
      api:
        image: api:1.0
    ```
    After:
    ```yaml
    services:
      api:
        image: api:1.0
        healthcheck:
          test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]
          interval: 30s
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.27 (Kubernetes uses probes, judged by K8S rules)
    """

    id = "CT029"
    name = "no-healthcheck"
    title = "Container has no health check"
    severity = Severity.LOW
    docker_refs = ("cis-docker-1.6:5.27", "conformance")
    fix = "Add a `healthcheck:` that exercises the service."
    fixes = {
        "docker": "Run it again with --health-cmd (or give the image a HEALTHCHECK).",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.healthcheck:
            return
        if spec.healthcheck is False:
            message = f"{spec.name}: the health check is disabled."
        elif spec.platform is Platform.COMPOSE:
            message = (f"{spec.name}: no `healthcheck:` in the service (the image's HEALTHCHECK "
                       "applies if it has one).")
        else:
            message = f"{spec.name}: no health check is configured."
        message = message[:-1] + " (CIS Docker 5.27 conformance)."
        yield self.emit(spec, spec.loc("healthcheck"), message,
                        f"healthcheck={spec.healthcheck}")
