from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule


class CustomCgroupParent(ContainerRule):
    """
    ## What it finds
    A container placed under a custom cgroup (`cgroup_parent:`).

    ## Why it matters
    The cgroup decides which limits apply; a custom parent can escape the limits set for
    containers, or share them with unrelated host services. CIS asks that it be confirmed.

    ## How to fix
    Remove `cgroup_parent` unless the host's cgroup layout requires it (then suppress with the
    reason).

    Before:
    ```yaml
    cgroup_parent: /system.slice
    ```
    After: no `cgroup_parent`.

    ## References
    - CIS Docker Benchmark 1.6.0, 5.25 (Kubernetes has no such field: not judged there)
    """

    id = "CT026"
    name = "custom-cgroup-parent"
    title = "Container uses a custom cgroup parent"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.25",)
    fix = "Remove `cgroup_parent` (or suppress it with the reason it is needed)."
    fixes = {
        "docker": (
            "Run it again without --cgroup-parent (or suppress it with the reason it is needed)."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.cgroup_parent and spec.cgroup_parent.strip():
            yield self.emit(spec, spec.loc("cgroup_parent"),
                            f"{spec.name}: runs under the custom cgroup parent "
                            f"{spec.cgroup_parent}.", f"cgroup_parent={spec.cgroup_parent}")
