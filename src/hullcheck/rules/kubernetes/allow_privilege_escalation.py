from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.fix import Fix
from hullcheck.models.pod import Pod, PodContainer
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show


def _cannot_disable(c: PodContainer) -> bool:
    """Would the API server reject ``allowPrivilegeEscalation: false`` on this container?
    Validation refuses it with ``privileged: true`` and with ``capabilities.add`` naming
    ``CAP_SYS_ADMIN`` (that exact string: the check compares it verbatim)."""
    if c.sc("privileged") is True:
        return True
    add = c.sc("capabilities", "add")
    return isinstance(add, list) and "CAP_SYS_ADMIN" in add


class AllowPrivilegeEscalation(PssRule):
    """
    ## What it finds
    A container that does not set `securityContext.allowPrivilegeEscalation: false` (Pod
    Security Standards restricted control `allowPrivilegeEscalation`, from 1.8; Windows pods are
    exempt from 1.25). Unset counts: the default allows escalation. A missing field is reported
    at the container's `name:` line. A privileged container is K8S003's: the API server rejects
    `allowPrivilegeEscalation: false` together with `privileged: true` (and with an added
    `CAP_SYS_ADMIN`, spelt so), so that advice could not be followed.

    ## Why it matters
    Without `no_new_privs`, a process can gain privileges through setuid binaries or file
    capabilities in the image (`su`, `ping`, a planted binary): the step from a compromised app
    user to root in the container.

    ## How to fix
    Set it explicitly on every container.

    Before:
    ```yaml
    - name: web
      image: web:1.2
    ```
    After:
    ```yaml
    - name: web
      image: web:1.2
      securityContext:
        allowPrivilegeEscalation: false
    ```

    ## References
    - Pod Security Standards, restricted, "Privilege Escalation" (pod-security-admission
      `allowPrivilegeEscalation`)
    - CIS Kubernetes Benchmark 1.10, 5.2.6
    """

    id = "K8S014"
    autofixes = (
        Fix("kubernetes", "set the container's securityContext.allowPrivilegeEscalation: false",
            "hullcheck.fix.kubernetes:allow_privilege_escalation",
            assumes="the container does not need setuid binaries (sudo, su, ping on old images) "
                    "to gain privileges"),
    )
    name = "allow-privilege-escalation"
    title = "Privilege escalation not disabled"
    severity = Severity.MEDIUM
    control = "allowPrivilegeEscalation"
    level = "restricted"
    min_version = (1, 8)
    windows_exempt = True
    cis = ("5.2.6",)
    fix = "Set `securityContext.allowPrivilegeEscalation: false` on every container."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        for c in pod.containers:
            if _cannot_disable(c):
                continue
            value = c.sc("allowPrivilegeEscalation")
            if value is False:
                continue
            if value is None:
                yield Violation(c.line, f'Container "{c.name}" must set securityContext.'
                                "allowPrivilegeEscalation=false.", c, evidence="unset")
            else:
                yield Violation(c.sc_line("allowPrivilegeEscalation"),
                                f'Container "{c.name}" sets securityContext.'
                                f"allowPrivilegeEscalation={show(value)}.", c, evidence=show(value))
