from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.fix import Fix
from hullcheck.models.pod import Pod
from hullcheck.rules.container.capabilities_added import capability_severity
from hullcheck.rules.kubernetes._pss import PssRule, Violation, quote
from hullcheck.rules.kubernetes.capabilities_baseline import ALLOWED as BASELINE_ALLOWED


class CapabilitiesRestricted(PssRule):
    """
    ## What it finds
    A container that does not drop `ALL` capabilities, or adds any capability other than
    `NET_BIND_SERVICE` (Pod Security Standards restricted control `capabilities_restricted`,
    from 1.22; Windows pods are exempt from 1.25). Names are compared exactly (`all` or
    `CAP_NET_BIND_SERVICE` do not count). One finding per container; replaces
    `capabilities_baseline` (K8S004) at `restricted`. Medium, and high (as K8S004) when an added
    capability is outside baseline's allowed set and rated high or critical by CT002's table
    (`SYS_ADMIN`, `NET_ADMIN`, `SYS_MODULE`...); `IPC_LOCK`, `SYS_NICE` or `NET_RAW` stay
    medium. A privileged container is K8S003's: it holds every capability whatever `add` and
    `drop` say, so dropping ALL there would change nothing.

    ## Why it matters
    The runtime's default set still holds `NET_RAW` (packet spoofing), `DAC_OVERRIDE`,
    `SETUID`/`SETGID` and more; dropping all of them removes root's remaining powers from the
    container.

    ## How to fix
    Drop `ALL`, add back `NET_BIND_SERVICE` only if the process binds a port below 1024.

    Before:
    ```yaml
    securityContext:
      capabilities:
        add: [NET_ADMIN]
    ```
    After:
    ```yaml
    securityContext:
      capabilities:
        drop: [ALL]
    ```

    ## References
    - Pod Security Standards, restricted, "Capabilities" (pod-security-admission
      `capabilities_restricted`)
    - CIS Kubernetes Benchmark 1.10, 5.2.8, 5.2.9, 5.2.10
    """

    id = "K8S018"
    autofixes = (
        Fix("kubernetes", "add ALL to the container's securityContext.capabilities.drop",
            "hullcheck.fix.kubernetes:drop_all_capabilities", unsafe=True,
            assumes="the container adds no capabilities (a container that does is left alone)",
            verify="the process needs no capability (binding a port below 1024, chown, "
                   "setuid): add back exactly those with capabilities.add"),
    )
    name = "capabilities-restricted"
    title = "Capabilities not dropped"
    severity = Severity.MEDIUM
    control = "capabilities_restricted"
    level = "restricted"
    min_version = (1, 22)
    windows_exempt = True
    cis = ("5.2.8", "5.2.9", "5.2.10")
    fix = "Set `capabilities.drop: [ALL]` and add nothing but NET_BIND_SERVICE."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        for c in pod.containers:
            if c.sc("privileged") is True:
                # A privileged container has every capability whatever add and drop say (the
                # runtimes ignore them there): K8S003 is the finding to fix (issue 24).
                continue
            drop = c.sc("capabilities", "drop")
            add = c.sc("capabilities", "add")
            dropped = [str(d) for d in drop] if isinstance(drop, list) else []
            added = [str(a) for a in add] if isinstance(add, list) else []
            reasons: list[str] = []
            cis: list[str] = []
            line = c.line
            if "ALL" not in dropped:
                reasons.append('does not drop "ALL"')
                cis.append("5.2.10")
                if "NET_RAW" not in dropped:
                    cis.append("5.2.8")
                if drop is not None:
                    line = c.sc_line("capabilities", "drop")
            bad = sorted({a for a in added if a != "NET_BIND_SERVICE"})
            # Outside baseline's allowed set (SYS_ADMIN, NET_ADMIN...): what K8S004 reports as
            # high at baseline stays high here, where this control replaces it.
            # Rated by the capability (issue 24): IPC_LOCK outside baseline is not SYS_ADMIN.
            escape = any(a not in BASELINE_ALLOWED
                         and capability_severity(a) >= Severity.HIGH for a in bad)
            if bad:
                reasons.append(f"adds {quote(bad)}")
                cis.append("5.2.9")
                if "ALL" in dropped or drop is None:
                    line = c.sc_line("capabilities", "add")
            if reasons:
                yield Violation(line, f'Container "{c.name}" ' + " and ".join(reasons) + ".",
                                c, evidence=";".join(reasons), cis=tuple(sorted(cis)),
                                severity=Severity.HIGH if escape else None)
