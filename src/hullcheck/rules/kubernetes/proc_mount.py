from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show


def unmasked(pod: Pod) -> Iterator[Violation]:
    for c in pod.containers:
        value = c.sc("procMount")
        if value is not None and value != "Default":
            yield Violation(c.sc_line("procMount"),
                            f'Container "{c.name}" sets securityContext.procMount='
                            f"{show(value)}.", c, evidence=show(value))


class ProcMount(PssRule):
    """
    ## What it finds
    A container with `securityContext.procMount` other than `Default` (Pod Security Standards
    baseline control `procMount`). From 1.35 on, a pod with `hostUsers: false` (its own user
    namespace) may set any value at baseline. At `restricted` from 1.35 on,
    `procMount_restricted` (K8S019) replaces this control,
    unless this rule is selected without K8S019 (`--select` by id or `pss:baseline`).

    ## Why it matters
    The default /proc mount masks and makes read-only the parts of /proc and /sys that expose or
    control the node's kernel (`/proc/sysrq-trigger`, `/proc/kcore`...); `Unmasked` exposes them.

    ## How to fix
    Remove `procMount` (or set `Default`); if you need an unmasked /proc (nested containers), run
    the pod with `hostUsers: false`.

    Before:
    ```yaml
    securityContext:
      procMount: Unmasked
    ```
    After:
    ```yaml
    securityContext: {}
    ```

    ## References
    - Pod Security Standards, baseline, "/proc Mount Type" (pod-security-admission `procMount`)
    """

    id = "K8S009"
    name = "proc-mount"
    title = "Unmasked /proc mount"
    severity = Severity.MEDIUM
    control = "procMount"
    level = "baseline"
    fix = "Remove `securityContext.procMount` or set it to Default."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        if version >= (1, 35) and pod.host_users_false:
            return
        yield from unmasked(pod)
