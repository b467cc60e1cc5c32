from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, security_opt


class SeccompUnconfined(ContainerRule):
    """
    ## What it finds
    A container whose seccomp profile is disabled (`security_opt: [seccomp:unconfined]`).
    An unset profile is not a finding under compose and Docker: the daemon applies its default
    profile.

    ## Why it matters
    Docker's default seccomp profile blocks about 50 system calls used in kernel exploits and
    escapes (`keyctl`, `unshare`, `mount`, `bpf`...). Without it, every kernel bug reachable from
    those calls is reachable from the container.

    ## How to fix
    Remove `seccomp:unconfined`; if a call is really needed, use a custom profile that allows
    just it.

    Before:
    ```yaml
    security_opt: ["seccomp:unconfined"]
    ```
    After:
    ```yaml
    security_opt: ["seccomp:./seccomp-app.json"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.22 (on Kubernetes: PSS `seccompProfile_baseline`,
      `seccompProfile_restricted`)
    """

    id = "CT011"
    name = "seccomp-unconfined"
    title = "Seccomp profile disabled"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.22",)
    k8s_covered_by = ("pss:baseline:seccompProfile_baseline",
                      "pss:restricted:seccompProfile_restricted")
    fix = "Remove `seccomp:unconfined`; use the default or a custom profile."
    fixes = {
        "docker": (
            "Run it again without --security-opt seccomp=unconfined; use the default or a custom "
            "profile."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.effective_seccomp_unconfined():
            yield self.emit(spec, spec.loc("seccomp"),
                            f"{spec.name}: runs without a seccomp profile "
                            f"({security_opt(spec, 'seccomp', 'unconfined')}).",
                            "seccomp=unconfined")
