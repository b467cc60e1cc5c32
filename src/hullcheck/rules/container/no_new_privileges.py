from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, first_location


class NoNewPrivilegesUnset(ContainerRule):
    """
    ## What it finds
    A container without `no-new-privileges` (`security_opt: [no-new-privileges:true]`). Docker's
    default is off, so unset is a finding; `no-new-privileges:false` says so explicitly.

    ## Why it matters
    Without it a process can gain privileges through setuid and setcap binaries (`su`, `ping`,
    `sudo`, or one an attacker wrote), undoing a non-root user.

    ## How to fix
    Set it on every service.

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
        security_opt: ["no-new-privileges:true"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.26 (on Kubernetes: PSS `allowPrivilegeEscalation`)
    """

    id = "CT014"
    autofixes = (
        Fix("compose", 'add "no-new-privileges:true" to security_opt',
            "hullcheck.fix.compose:no_new_privileges",
            assumes="the service does not need setuid binaries to gain privileges"),
    )
    name = "no-new-privileges-unset"
    title = "Container can gain new privileges"
    severity = Severity.MEDIUM
    linux_only = True
    docker_refs = ("cis-docker-1.6:5.26",)
    k8s_covered_by = ("pss:restricted:allowPrivilegeEscalation",)
    fix = "Add `security_opt: [\"no-new-privileges:true\"]`."
    fixes = {
        "docker": "Run it again with --security-opt no-new-privileges=true.",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.no_new_privileges:
            return
        how = "is explicitly off" if spec.no_new_privileges is False else "is not set"
        yield self.emit(spec, first_location(spec, "no_new_privileges", "security_opt"),
                        f"{spec.name}: no-new-privileges {how}: setuid binaries can raise "
                        "privileges.", f"no_new_privileges={spec.no_new_privileges}")
