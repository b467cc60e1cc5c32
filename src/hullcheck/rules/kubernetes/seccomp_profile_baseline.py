from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show

POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
VALID_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def valid_annotation(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


class SeccompProfileBaseline(PssRule):
    """
    ## What it finds
    A seccomp profile that turns seccomp off (Pod Security Standards baseline control
    `seccompProfile_baseline`): from 1.19, `securityContext.seccompProfile.type` other than
    `RuntimeDefault` or `Localhost` on the pod or a container; before 1.19, the
    `seccomp.security.alpha.kubernetes.io/pod` or
    `container.seccomp.security.alpha.kubernetes.io/<container>` annotation with a value other
    than `runtime/default`, `docker/default` or `localhost/*`.
    At `restricted` from 1.19 on, `seccompProfile_restricted` (K8S017) replaces this control,
    unless this rule is selected without K8S017 (`--select` by id or `pss:baseline`).

    ## Why it matters
    The runtime's default seccomp profile blocks dozens of system calls used in kernel exploits
    and container escapes (`unshare`, `keyctl`, `bpf`...); `Unconfined` allows them all.

    ## How to fix
    Set `RuntimeDefault` (or a `Localhost` profile).

    Before:
    ```yaml
    seccompProfile:
      type: Unconfined
    ```
    After:
    ```yaml
    seccompProfile:
      type: RuntimeDefault
    ```

    ## References
    - Pod Security Standards, baseline, "Seccomp" (pod-security-admission
      `seccompProfile_baseline`)
    - CIS Kubernetes Benchmark 1.10, 5.7.2
    """

    id = "K8S010"
    name = "seccomp-profile-baseline"
    title = "Seccomp disabled"
    severity = Severity.MEDIUM
    control = "seccompProfile_baseline"
    level = "baseline"
    cis = ("5.7.2",)
    fix = "Set `seccompProfile.type` to RuntimeDefault or Localhost."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        if version < (1, 19):
            yield from self._annotations(pod)
            return
        if pod.psc("seccompProfile") is not None:
            kind = pod.psc("seccompProfile", "type")
            if kind not in VALID_TYPES:
                yield Violation(pod.psc_line("seccompProfile", "type"),
                                f"The pod sets securityContext.seccompProfile.type={show(kind)}.",
                                evidence=f"pod={show(kind)}")
        for c in pod.containers:
            if c.sc("seccompProfile") is None:
                continue
            kind = c.sc("seccompProfile", "type")
            if kind not in VALID_TYPES:
                yield Violation(c.sc_line("seccompProfile", "type"),
                                f'Container "{c.name}" sets securityContext.seccompProfile.type='
                                f"{kind}.", c, evidence=show(kind))

    def _annotations(self, pod: Pod) -> Iterator[Violation]:
        ann = pod.annotations
        if POD_ANNOTATION in ann and not valid_annotation(ann[POD_ANNOTATION]):
            yield Violation(pod.annotation_line(POD_ANNOTATION),
                            f'The pod sets annotation {POD_ANNOTATION}="{ann[POD_ANNOTATION]}".',
                            evidence=f"pod={ann[POD_ANNOTATION]}")
        for c in pod.containers:
            key = CONTAINER_ANNOTATION + c.name
            if key in ann and not valid_annotation(ann[key]):
                yield Violation(pod.annotation_line(key),
                                f'Container "{c.name}" is given annotation {key}="{ann[key]}".',
                                c, evidence=ann[key])
