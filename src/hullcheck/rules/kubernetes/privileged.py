from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation


class Privileged(PssRule):
    """
    ## What it finds
    A container (regular, init or ephemeral) with `securityContext.privileged: true` (Pod
    Security Standards baseline control `privileged`).

    ## Why it matters
    A privileged container gets every capability, every device of the node and no seccomp,
    AppArmor or SELinux confinement: root in it is root on the node, and escaping takes one
    `mount` of the host disk.

    ## How to fix
    Remove `privileged: true`; add only the capability the workload really needs.

    Before:
    ```yaml
    securityContext:
      privileged: true
    ```
    After:
    ```yaml
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
    ```

    ## References
    - Pod Security Standards, baseline, "Privileged Containers" (pod-security-admission
      `privileged`)
    - CIS Kubernetes Benchmark 1.10, 5.2.2
    """

    id = "K8S003"
    name = "privileged"
    title = "Privileged container"
    severity = Severity.CRITICAL
    control = "privileged"
    level = "baseline"
    cis = ("5.2.2",)
    fix = "Remove `securityContext.privileged: true`."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        for c in pod.containers:
            if c.sc("privileged") is True:
                yield Violation(c.sc_line("privileged"),
                                f'Container "{c.name}" sets securityContext.privileged=true.', c)
