from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod, PodContainer, line_of, mapping
from hullcheck.rules.kubernetes._pss import PssRule, Violation

_PATHS = (
    ("livenessProbe",), ("readinessProbe",), ("startupProbe",),
    ("lifecycle", "postStart"), ("lifecycle", "preStop"),
)


def bad_hosts(c: PodContainer) -> list[tuple[int, str]]:
    out = []
    for path in _PATHS:
        holder = mapping(c.field(*path))
        if holder is None:
            continue
        for action in ("httpGet", "tcpSocket"):
            handler = mapping(holder.get(action))
            if handler is not None and handler.get("host") not in (None, ""):
                out.append((line_of(handler, "host") or c.line, str(handler["host"])))
    return out


class HostProbesAndHostLifecycle(PssRule):
    """
    ## What it finds
    A probe or lifecycle handler that names a `host` (Pod Security Standards baseline control
    `hostProbesAndHostLifecycle`, from 1.34): `livenessProbe`, `readinessProbe`, `startupProbe`,
    `lifecycle.postStart` and `lifecycle.preStop` with `httpGet.host` or `tcpSocket.host` set.

    ## Why it matters
    The kubelet runs probes and HTTP lifecycle hooks from the node: a `host` field lets a pod
    make the node's kubelet connect to any address, a server-side request forgery from inside the
    node's network position.

    ## How to fix
    Remove `host`: probes then target the pod's own IP.

    Before:
    ```yaml
    livenessProbe:
      httpGet:
        host: 169.254.169.254
        path: /latest/meta-data
        port: 80
    ```
    After:
    ```yaml
    livenessProbe:
      httpGet:
        path: /healthz
        port: 8080
    ```

    ## References
    - Pod Security Standards, baseline, "Probes / Lifecycle Hooks" (pod-security-admission
      `hostProbesAndHostLifecycle`)
    """

    id = "K8S012"
    name = "host-probes-and-host-lifecycle"
    title = "Probe or lifecycle hook targets another host"
    severity = Severity.MEDIUM
    control = "hostProbesAndHostLifecycle"
    level = "baseline"
    min_version = (1, 34)
    fix = "Remove `host` from httpGet/tcpSocket probes and lifecycle handlers."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        for c in pod.containers:
            bad = bad_hosts(c)
            if bad:
                hosts = ", ".join(sorted({h for _, h in bad}))
                yield Violation(bad[0][0], f'Container "{c.name}" uses probe or lifecycle '
                                f"hosts {hosts}.", c, evidence=hosts)
