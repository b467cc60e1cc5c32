from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, field_name


class Privileged(ContainerRule):
    """
    ## What it finds
    A container run privileged (`privileged: true` in compose, `--privileged` on a host).

    ## Why it matters
    A privileged container gets every capability, every host device and no seccomp, AppArmor
    or SELinux confinement: root in it is root on the host, and escaping is a one-liner
    (mount the host disk from `/dev`).

    ## How to fix
    Remove `privileged` and grant only the capabilities or devices the workload needs.

    Before:
    ```yaml
    services:
      app:
        privileged: true
    ```
    After:
    ```yaml
    services:
      app:
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.5 (on Kubernetes the PSS control `privileged` covers this)
    """

    id = "CT001"
    name = "privileged-container"
    title = "Container runs privileged"
    severity = Severity.CRITICAL
    docker_refs = ("cis-docker-1.6:5.5",)
    k8s_covered_by = ("pss:baseline:privileged",)
    fix = "Remove privileged mode; add only the capabilities the workload needs."
    fixes = {
        "docker": (
            "Run it again without --privileged; add only the capabilities it needs (--cap-add)."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.privileged:
            yield self.emit(spec, spec.loc("privileged"),
                            f"{spec.name}: {field_name(spec, 'privileged')} gives the container "
                            "full access to the host.", "privileged=true")
