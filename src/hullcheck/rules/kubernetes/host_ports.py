from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation


class HostPorts(PssRule):
    """
    ## What it finds
    A container port with a `hostPort` other than `0` (Pod Security Standards baseline control
    `hostPorts`). The standard mentions "a known list" of allowed ports; pod-security-admission
    implements none, so every host port is reported.

    ## Why it matters
    A host port publishes the container on every node address, around Services and most
    NetworkPolicy setups, and ties the pod to nodes where the port is free.

    ## How to fix
    Remove `hostPort` and expose the pod through a Service (NodePort or LoadBalancer if it must be
    reachable from outside).

    Before:
    ```yaml
    ports:
      - containerPort: 8080
        hostPort: 80
    ```
    After:
    ```yaml
    ports:
      - containerPort: 8080
    ```

    ## References
    - Pod Security Standards, baseline, "Host Ports" (pod-security-admission `hostPorts`)
    - CIS Kubernetes Benchmark 1.10, 5.2.13
    """

    id = "K8S006"
    name = "host-ports"
    title = "Container uses host ports"
    severity = Severity.MEDIUM
    control = "hostPorts"
    level = "baseline"
    cis = ("5.2.13",)
    fix = "Remove `hostPort`; expose the pod through a Service."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        for c in pod.containers:
            bad = [(p.line_of("hostPort"), str(p["hostPort"])) for _line, p in c.ports
                   if p.get("hostPort") not in (None, 0)]
            if bad:
                numbers = ", ".join(n for _, n in bad)
                yield Violation(bad[0][0], f'Container "{c.name}" uses host ports {numbers}.',
                                c, evidence=numbers)
