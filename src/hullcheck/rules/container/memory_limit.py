from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule


class NoMemoryLimit(ContainerRule):
    """
    ## What it finds
    A container without a memory limit (or with an unlimited one: zero or negative). On
    Kubernetes, the default limit a `LimitRange` of the namespace gives (its `default`, else its
    `max`) counts, and ephemeral containers (which cannot set resources) are not judged.

    ## Why it matters
    One container leaking or attacked with large requests can exhaust the host's memory and get
    other containers (or the daemon) killed by the OOM killer.

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
        mem_limit: 512m
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.11 (Kubernetes: no PSS control; judged there too)
    """

    id = "CT017"
    name = "no-memory-limit"
    title = "Container has no memory limit"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.11",)
    platforms = ALL_PLATFORMS
    fix = "Set a memory limit (mem_limit / deploy.resources.limits.memory)."
    fixes = {
        "docker": "Set a memory limit: run it again with --memory, or docker update --memory.",
        "kubernetes": "Set resources.limits.memory (or give the namespace a LimitRange default).",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        return self.missing_limit(spec, "memory_limit", "memory")
