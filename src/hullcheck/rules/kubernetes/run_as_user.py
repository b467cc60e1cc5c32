from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation


class RunAsUser(PssRule):
    """
    ## What it finds
    `runAsUser: 0` on the pod or a container (Pod Security Standards restricted control
    `runAsUser`, from 1.23). Unset is fine. From 1.35, a pod with `hostUsers: false` passes.

    ## Why it matters
    An explicit uid 0 runs the container as root, whatever the image says, and defeats
    `runAsNonRoot`.

    ## How to fix
    Use a non-zero uid.

    Before:
    ```yaml
    securityContext:
      runAsUser: 0
    ```
    After:
    ```yaml
    securityContext:
      runAsUser: 10001
    ```

    ## References
    - Pod Security Standards, restricted, "Running as Non-root user" (pod-security-admission
      `runAsUser`)
    - CIS Kubernetes Benchmark 1.10, 5.2.7
    """

    id = "K8S016"
    name = "run-as-user"
    title = "Container runs as uid 0"
    severity = Severity.HIGH
    control = "runAsUser"
    level = "restricted"
    min_version = (1, 23)
    cis = ("5.2.7",)
    fix = "Set `runAsUser` to a non-zero uid (or leave it unset)."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        if version >= (1, 35) and pod.host_users_false:
            return
        if _is_zero(pod.psc("runAsUser")):
            yield Violation(pod.psc_line("runAsUser"), "The pod sets securityContext.runAsUser=0.",
                            evidence="pod")
        for c in pod.containers:
            if _is_zero(c.sc("runAsUser")):
                yield Violation(c.sc_line("runAsUser"),
                                f'Container "{c.name}" sets securityContext.runAsUser=0.', c)


def _is_zero(value: object) -> bool:
    return value == 0 and not isinstance(value, bool)
