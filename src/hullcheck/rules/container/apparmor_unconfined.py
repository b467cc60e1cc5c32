from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, security_opt


class AppArmorUnconfined(ContainerRule):
    """
    ## What it finds
    A container with AppArmor disabled (`security_opt: [apparmor:unconfined]`). Unset is not a
    finding: on hosts with AppArmor, Docker applies its `docker-default` profile.

    ## Why it matters
    The default profile denies writes to `/proc` and `/sys` knobs and mounting, which stops a
    class of escapes even for root in the container.

    ## How to fix
    Remove `apparmor:unconfined`, or load a custom profile for the workload.

    Before:
    ```yaml
    security_opt: ["apparmor:unconfined"]
    ```
    After:
    ```yaml
    security_opt: ["apparmor:my-app-profile"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.2 (on Kubernetes: PSS `appArmorProfile`)
    """

    id = "CT012"
    name = "apparmor-unconfined"
    title = "AppArmor profile disabled"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.2",)
    k8s_covered_by = ("pss:baseline:appArmorProfile",)
    fix = "Remove `apparmor:unconfined`; keep docker-default or a custom profile."
    fixes = {
        "docker": (
            "Run it again without --security-opt apparmor=unconfined; keep docker-default or a "
            "custom profile."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.apparmor is not None and spec.apparmor.strip().lower() == "unconfined":
            yield self.emit(spec, spec.loc("apparmor"),
                            f"{spec.name}: runs without an AppArmor profile "
                            f"({security_opt(spec, 'apparmor', 'unconfined')}).",
                            "apparmor=unconfined")
