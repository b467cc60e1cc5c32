from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule


class NoCpuLimit(ContainerRule):
    """
    ## What it finds
    A container without a CPU limit (or with an unlimited one: zero or negative). `cpu_shares`
    (`--cpu-shares`) is not a limit: it is a relative weight that only matters when containers
    compete for CPU, and a container with the highest weight can still take every core; the
    message says so when it is the only CPU setting. `cpus`, `deploy.resources.limits.cpus` and
    `cpu_quota` (with `cpu_period`) are limits. On Kubernetes, the default limit a `LimitRange`
    of the namespace gives (its `default`, else its `max`) counts, and ephemeral containers
    (which cannot set resources) are not judged.

    ## Why it matters
    Without a CPU limit one busy or compromised container can starve every other container on the
    host.

    ## How to fix
    Set a limit sized for the workload.

    Before:
    ```yaml
    services:
      app:
        image: app:1.0
    ```
    After:
    ```yaml
    services:
      app:
        image: app:1.0
        cpus: "1.5"
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.12 (Kubernetes: no PSS control; judged there too)
    """

    id = "CT018"
    name = "no-cpu-limit"
    title = "Container has no CPU limit"
    severity = Severity.LOW
    docker_refs = ("cis-docker-1.6:5.12",)
    platforms = ALL_PLATFORMS
    fix = "Set a CPU limit (cpus / deploy.resources.limits.cpus)."
    fixes = {
        "docker": "Set a CPU limit: run it again with --cpus, or docker update --cpus.",
        "kubernetes": "Set resources.limits.cpu (or give the namespace a LimitRange default).",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        note = ""
        if "cpu_shares" in spec.field_lines:
            note = ("; cpu_shares is set, but it is a relative weight that only matters under "
                    "contention, not a limit")
        return self.missing_limit(spec, "cpu_limit", "CPU", note)
