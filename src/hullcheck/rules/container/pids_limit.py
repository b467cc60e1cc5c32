from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import COMPOSE_DOCKER, ContainerRule


class NoPidsLimit(ContainerRule):
    """
    ## What it finds
    A container without a PID limit (or with an unlimited one: zero or negative).

    ## Why it matters
    A fork bomb in one container exhausts the host's process table and takes every other container
    down with it.

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
        pids_limit: 200
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.29 (Kubernetes has no per-container PID limit: not judged there)
    """

    id = "CT019"
    name = "no-pids-limit"
    title = "Container has no PID limit"
    severity = Severity.LOW
    linux_only = True
    docker_refs = ("cis-docker-1.6:5.29",)
    platforms = COMPOSE_DOCKER
    fix = "Set a PID limit (pids_limit / deploy.resources.limits.pids)."
    fixes = {
        "docker": "Set a PID limit: run it again with --pids-limit, or docker update --pids-limit.",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        return self.missing_limit(spec, "pids_limit", "PID")
