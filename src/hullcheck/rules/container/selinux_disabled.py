from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, security_opt

# Types that mean "not confined": spc_t is the super-privileged container type.
UNCONFINED_TYPES = frozenset({"spc_t", "unconfined_t"})


class SELinuxDisabled(ContainerRule):
    """
    ## What it finds
    SELinux separation turned off for a container: `security_opt: [label:disable]` or an
    unconfined type (`label:type:spc_t`, `unconfined_t`). Other labels (a custom level or a
    confined type) are not findings.

    ## Why it matters
    On SELinux hosts the container label is what stops a process that escaped its namespaces
    from touching host files and other containers.

    ## How to fix
    Remove `label:disable`; if a volume needs relabelling use the `:z`/`:Z` mount options.

    Before:
    ```yaml
    security_opt: ["label:disable"]
    ```
    After:
    ```yaml
    volumes: ["./data:/data:Z"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.3 (on Kubernetes: PSS `seLinuxOptions`)
    """

    id = "CT013"
    name = "selinux-disabled"
    title = "SELinux separation disabled"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.3",)
    k8s_covered_by = ("pss:baseline:seLinuxOptions",)
    fix = "Remove `label:disable` (and unconfined SELinux types)."
    fixes = {
        "docker": (
            "Run it again without --security-opt label=disable (and unconfined SELinux types)."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.selinux_disabled:
            yield self.emit(spec, spec.loc("selinux_disabled"),
                            f"{spec.name}: SELinux separation is disabled "
                            f"({security_opt(spec, 'label', 'disable')}).",
                            "label=disable")
            return
        selinux_type = (spec.selinux_options or {}).get("type", "")
        if selinux_type.lower() in UNCONFINED_TYPES:
            yield self.emit(spec, spec.loc("selinux_options"),
                            f"{spec.name}: runs with the unconfined SELinux type "
                            f"{selinux_type}.", f"label=type:{selinux_type}")
