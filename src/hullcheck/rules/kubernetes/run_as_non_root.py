from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.fix import Fix
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show


class RunAsNonRoot(PssRule):
    """
    ## What it finds
    A pod whose containers may run as root (Pod Security Standards restricted control
    `runAsNonRoot`): `runAsNonRoot: false` on the pod or a container, or a container that leaves
    it unset while the pod does not set `runAsNonRoot: true`. From 1.35, a pod with
    `hostUsers: false` passes whatever it sets.

    ## Why it matters
    `runAsNonRoot: true` makes the kubelet refuse to start a container whose user is root, so an
    image without a `USER` (or with `USER root`) cannot run as uid 0 by accident.

    ## How to fix
    Set `runAsNonRoot: true` in the pod's securityContext (containers inherit it) and build the
    image with a numeric non-root `USER`.

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
        runAsNonRoot: true
      containers:
        - name: web
    ```

    ## References
    - Pod Security Standards, restricted, "Running as Non-root" (pod-security-admission
      `runAsNonRoot`)
    - CIS Kubernetes Benchmark 1.10, 5.2.7
    """

    id = "K8S015"
    autofixes = (
        Fix("kubernetes", "set securityContext.runAsNonRoot: true on the container (on the pod "
            "where the pod sets it false)", "hullcheck.fix.kubernetes:run_as_non_root", unsafe=True,
            assumes="the image runs as a non-root user",
            verify="the image's USER is a numeric non-zero uid, or set runAsUser: the kubelet "
                   "refuses to start a container it cannot prove non-root"),
    )
    name = "run-as-non-root"
    title = "Containers may run as root"
    severity = Severity.MEDIUM
    control = "runAsNonRoot"
    level = "restricted"
    cis = ("5.2.7",)
    fix = "Set `securityContext.runAsNonRoot: true` on the pod (or every container)."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        if version >= (1, 35) and pod.host_users_false:
            return
        pod_value = pod.psc("runAsNonRoot")
        if pod_value is not None and pod_value is not True:
            yield Violation(pod.psc_line("runAsNonRoot"),
                            f"The pod sets securityContext.runAsNonRoot={show(pod_value)}.",
                            evidence="pod")
        for c in pod.containers:
            value = c.sc("runAsNonRoot")
            if value is not None:
                if value is not True:
                    yield Violation(c.sc_line("runAsNonRoot"), f'Container "{c.name}" sets '
                                    f"securityContext.runAsNonRoot={show(value)}.", c,
                                    evidence=show(value))
            elif pod_value is not True:
                yield Violation(c.line, f'Container "{c.name}" must set securityContext.'
                                "runAsNonRoot=true (the pod does not).", c, evidence="unset")
