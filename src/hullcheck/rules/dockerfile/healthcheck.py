from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule


def effective_healthcheck(stage: Stage) -> Instruction | None:
    """The HEALTHCHECK a stage ends up with, following ``FROM <stage>`` back through earlier
    stages (the image config, health check included, is inherited)."""
    current: Stage | None = stage
    while current is not None:
        checks = [i for i in current.instructions if i.cmd == "HEALTHCHECK"]
        if checks:
            return checks[-1]
        current = current.base_stage
    return None


class NoHealthcheck(DockerfileRule):
    """
    ## What it finds
    A final stage with no `HEALTHCHECK` (neither its own nor one inherited from an earlier stage
    it is built `FROM`). `HEALTHCHECK NONE` counts as a decision and is not reported: it is how
    you say that health is probed elsewhere (Kubernetes probes, which ignore `HEALTHCHECK`). A
    health check the base image from a registry may define is not known here.

    ## Why it matters
    Without a health check Docker only knows whether the process exists, not whether it works:
    a hung server stays "running", restart policies and Swarm never replace it, and
    `depends_on: condition: service_healthy` cannot be used. CIS Docker Benchmark 4.6.

    ## How to fix
    Before:
    ```Dockerfile
    FROM nginx:1.27
    ```
    After:
    ```Dockerfile
    FROM nginx:1.27
    HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.6 "Ensure that HEALTHCHECK instructions have been added to
      container images"
    """

    id = "DF018"
    name = "no-healthcheck"
    title = "No HEALTHCHECK in the final stage"
    severity = Severity.LOW
    references = ("cis-docker-1.6:4.6",)
    fix = "Add `HEALTHCHECK CMD <probe>` to the final stage (or `HEALTHCHECK NONE` on purpose)."

    def check_stage(self, ctx: Context, dockerfile: Dockerfile, stage: Stage
                    ) -> Iterator[Finding]:
        if stage.is_final and effective_healthcheck(stage) is None:
            yield self.finding(
                dockerfile.location(stage.line),
                "The final stage defines no HEALTHCHECK: Docker cannot tell a hung container "
                "from a working one.",
                evidence="no-healthcheck",
            )
