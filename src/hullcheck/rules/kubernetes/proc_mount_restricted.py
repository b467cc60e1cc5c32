from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation
from hullcheck.rules.kubernetes.proc_mount import unmasked


class ProcMountRestricted(PssRule):
    """
    ## What it finds
    A container with `securityContext.procMount` other than `Default`, whatever `hostUsers` says
    (Pod Security Standards restricted control `procMount_restricted`, from 1.35, where it
    replaces the baseline `procMount` (K8S009), which lets user-namespaced pods through).

    ## Why it matters
    An unmasked /proc exposes kernel interfaces the default mount hides; the restricted
    standard keeps them hidden even inside a user namespace.

    ## How to fix
    Remove `procMount` (or set `Default`).

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
    - Pod Security Standards, restricted, "/proc Mount Type" (pod-security-admission
      `procMount_restricted`)
    """

    id = "K8S019"
    name = "proc-mount-restricted"
    title = "Unmasked /proc mount (restricted)"
    severity = Severity.MEDIUM
    control = "procMount_restricted"
    level = "restricted"
    min_version = (1, 35)
    fix = "Remove `securityContext.procMount` or set it to Default."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        yield from unmasked(pod)
