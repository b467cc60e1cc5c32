from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation, quote, show
from hullcheck.yamlutil import LineDict, LineList

# Cumulative allow-sets, by the version that added them (pod-security-admission check_sysctls).
ADDED: tuple[tuple[tuple[int, int], frozenset[str]], ...] = (
    ((1, 0), frozenset({"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
                        "net.ipv4.ip_unprivileged_port_start"})),
    ((1, 27), frozenset({"net.ipv4.ip_local_reserved_ports"})),
    ((1, 29), frozenset({"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                         "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"})),
    ((1, 32), frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})),
    ((1, 37), frozenset({"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"})),
)


def allowed(version: tuple[int, int]) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for since, names in ADDED:
        if version >= since:
            out |= names
    return out


class Sysctls(PssRule):
    """
    ## What it finds
    A pod that sets a sysctl outside the safe set of its Kubernetes version in
    `spec.securityContext.sysctls` (Pod Security Standards baseline control `sysctls`). The set
    grows: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
    `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`; from 1.27
    `net.ipv4.ip_local_reserved_ports`; from 1.29 `net.ipv4.tcp_keepalive_time`,
    `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`;
    from 1.32 `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`; from 1.37
    `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`. One finding per pod.

    ## Why it matters
    Sysctls outside the namespaced, safe set change kernel behaviour for the whole node (or
    weaken isolation between pods on it).

    ## How to fix
    Remove the sysctl, or pin `--kubernetes-version` to a version whose safe set includes it.

    Before:
    ```yaml
    securityContext:
      sysctls:
        - name: kernel.msgmax
          value: "65536"
    ```
    After:
    ```yaml
    securityContext:
      sysctls:
        - name: net.ipv4.ip_local_port_range
          value: "1024 65535"
    ```

    ## References
    - Pod Security Standards, baseline, "Sysctls" (pod-security-admission `sysctls`)
    """

    id = "K8S011"
    name = "sysctls"
    title = "Unsafe sysctl"
    severity = Severity.MEDIUM
    control = "sysctls"
    level = "baseline"
    fix = "Set only sysctls from the safe set."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        items = pod.psc("sysctls")
        if not isinstance(items, LineList):
            return
        ok = allowed(version)
        bad = [(items.line_of(i), show(s.get("name"))) for i, s in enumerate(items)
               if isinstance(s, LineDict) and show(s.get("name")) not in ok]
        if bad:
            names = [n for _, n in bad]
            yield Violation(bad[0][0], f"The pod sets forbidden sysctls {quote(names)}.",
                            evidence=",".join(names))
