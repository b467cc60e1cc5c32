from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, Platform
from hullcheck.rules.container._base import ContainerRule
from hullcheck.rules.container._layers import has_healthcheck


class NoHealthcheck(ContainerRule):
    """
    ## What it finds
    A container without a health check: `healthcheck: {disable: true}` or `test: ["NONE"]`,
    or (compose) no `healthcheck:` at all. In the last case the image's own `HEALTHCHECK`, if
    it has one, still applies: where the service builds its image from a Dockerfile in the
    scanned tree, that stage's `HEALTHCHECK` decides (with `--resolve-images`, the image's
    config); a stage without one is the same problem DF018 reports on the final stage, and
    DF018 reports it once there, with the service as a related location (docs/layers.md).
    Otherwise the message says the image's may apply. On a Docker host `docker inspect` shows
    the effective health check, the image's included. Benchmark conformance
    (CIS 5.27, an availability concern): low, tagged `conformance`.

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
        layer = has_healthcheck(spec) if spec.healthcheck is None else None
        if layer is not None and layer.value is not False:
            return  # the Dockerfile stage it builds (or its image) has one
        if layer is not None:
            # The evidence stays "healthcheck=None": the finding as before, now known.
            finding = self.emit(
                spec, spec.loc("healthcheck"),
                f"{spec.name}: no `healthcheck:` in the service and {layer.described} "
                f"{layer.said}.", f"healthcheck={spec.healthcheck}")
            finding.related_locations = (layer.location,)
            yield finding
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
