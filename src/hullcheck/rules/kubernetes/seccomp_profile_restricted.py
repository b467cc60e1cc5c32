from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.fix import Fix
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show
from hullcheck.rules.kubernetes.seccomp_profile_baseline import VALID_TYPES


class SeccompProfileRestricted(PssRule):
    """
    ## What it finds
    A container without a seccomp profile (Pod Security Standards restricted control
    `seccompProfile_restricted`, from 1.19; Windows pods are exempt from 1.25):
    `securityContext.seccompProfile.type` must be `RuntimeDefault` or `Localhost`, on the pod
    (containers inherit it) or on every container. A pod-level profile of another type is
    reported on the pod; a container without one (and no valid pod-level one) at its `name:` line.
    A privileged container is K8S003's: the runtimes apply no seccomp profile to it, so asking
    for one would change nothing (an explicit `Unconfined` on it is still reported).

    ## Why it matters
    Kubernetes runs containers `Unconfined` unless told otherwise: without a profile, every
    system call is open to an attacker in the container, including the rarely used ones most
    kernel exploits go through.

    ## How to fix
    Set `RuntimeDefault` once at the pod level.

    Before:
    ```yaml
    spec:
      containers:
        - name: web
    ```
    After:
    ```yaml
    spec:
      securityContext:
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: web
    ```

    ## References
    - Pod Security Standards, restricted, "Seccomp" (pod-security-admission
      `seccompProfile_restricted`)
    - CIS Kubernetes Benchmark 1.10, 5.7.2
    """

    id = "K8S017"
    autofixes = (
        Fix("kubernetes", "set securityContext.seccompProfile.type: RuntimeDefault where it is "
            "unset or invalid", "hullcheck.fix.kubernetes:seccomp_runtime_default",
            assumes="the workload makes no system call the container runtime's default profile "
                    "blocks (what Docker runs every container with)"),
    )
    name = "seccomp-profile-restricted"
    title = "No seccomp profile"
    severity = Severity.MEDIUM
    control = "seccompProfile_restricted"
    level = "restricted"
    min_version = (1, 19)
    windows_exempt = True
    cis = ("5.7.2",)
    fix = "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        pod_set = False
        if pod.psc("seccompProfile") is not None:
            kind = pod.psc("seccompProfile", "type")
            if kind in VALID_TYPES:
                pod_set = True
            else:
                yield Violation(pod.psc_line("seccompProfile", "type"),
                                f"The pod sets securityContext.seccompProfile.type={show(kind)}.",
                                evidence=f"pod={show(kind)}")
        for c in pod.containers:
            if c.sc("seccompProfile") is not None:
                kind = c.sc("seccompProfile", "type")
                if kind not in VALID_TYPES:
                    yield Violation(c.sc_line("seccompProfile", "type"),
                                    f'Container "{c.name}" sets securityContext.seccompProfile.'
                                    f"type={show(kind)}.", c, evidence=show(kind))
            elif not pod_set and c.sc("privileged") is not True:
                # containerd and CRI-O apply no seccomp profile to a privileged container: the
                # field would change nothing there; K8S003 reports it (issue 24).
                yield Violation(c.line, f'Container "{c.name}" must set securityContext.'
                                "seccompProfile.type to RuntimeDefault or Localhost.", c,
                                evidence="unset")
