from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.container.capabilities_added import capability_severity
from hullcheck.rules.kubernetes._pss import PssRule, Violation, quote

# Compared exactly, as pod-security-admission does: "CAP_CHOWN" or "chown" is not allowed.
ALLOWED = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})


class CapabilitiesBaseline(PssRule):
    """
    ## What it finds
    A container that adds a capability outside the baseline set (`AUDIT_WRITE`, `CHOWN`,
    `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`,
    `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`) in `securityContext.capabilities.add` (Pod
    Security Standards baseline control `capabilities_baseline`). Names are compared exactly, as
    the admission controller does: `CAP_CHOWN` or `chown` are not in the set. High when one
    of them is rated high or critical by CT002's table (`SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`,
    `SYS_MODULE`...), medium when all of them hand over less (`IPC_LOCK`, `SYS_NICE`).

    At `restricted` from 1.22 on, `capabilities_restricted` (K8S018) replaces this control,
    unless this rule is selected without K8S018 (`--select` by id or `pss:baseline`).

    ## Why it matters
    Capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE` or `SYS_MODULE` hand out large
    parts of root's power over the node's kernel and are the usual first step of a container
    escape.

    ## How to fix
    Add only capabilities from the baseline set, spelled as above.

    Before:
    ```yaml
    capabilities:
      add: [SYS_ADMIN]
    ```
    After:
    ```yaml
    capabilities:
      drop: [ALL]
      add: [NET_BIND_SERVICE]
    ```

    ## References
    - Pod Security Standards, baseline, "Capabilities" (pod-security-admission
      `capabilities_baseline`)
    - CIS Kubernetes Benchmark 1.10, 5.2.9
    """

    id = "K8S004"
    name = "capabilities-baseline"
    title = "Container adds capabilities beyond the baseline set"
    severity = Severity.HIGH
    control = "capabilities_baseline"
    level = "baseline"
    cis = ("5.2.9",)
    fix = "Remove capabilities outside the baseline set from `capabilities.add`."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        for c in pod.containers:
            added = c.sc("capabilities", "add")
            if not isinstance(added, list):
                continue
            bad = sorted({str(a) for a in added if str(a) not in ALLOWED})
            if bad:
                # Rated by the worst capability, between medium (admission rejects the pod)
                # and high (this rule's default).
                worst = max(capability_severity(a) for a in bad)
                yield Violation(c.sc_line("capabilities", "add"),
                                f'Container "{c.name}" adds non-baseline capabilities '
                                f"{quote(bad)}.", c, evidence=",".join(bad),
                                severity=None if worst >= Severity.HIGH else Severity.MEDIUM)
