from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation

_FIELDS = (("hostNetwork", "5.2.5"), ("hostPID", "5.2.3"), ("hostIPC", "5.2.4"))


class HostNamespaces(PssRule):
    """
    ## What it finds
    A pod that shares a host namespace: `spec.hostNetwork`, `spec.hostPID` or `spec.hostIPC`
    set to `true` (Pod Security Standards baseline control `hostNamespaces`). One finding per pod,
    at the first such field, naming all of them.

    ## Why it matters
    With the host's network namespace a pod sees every interface of the node and can bind to
    and sniff node traffic; with its PID namespace it sees (and, as root, signals or ptraces) every
    process on the node; with its IPC namespace it reaches the node's shared memory.

    ## How to fix
    Remove the fields (they default to `false`).

    Before:
    ```yaml
    spec:
      hostNetwork: true
      hostPID: true
    ```
    After:
    ```yaml
    spec:
      containers: [...]
    ```

    ## References
    - Pod Security Standards, baseline, "Host Namespaces" (pod-security-admission `hostNamespaces`)
    - CIS Kubernetes Benchmark 1.10, 5.2.3, 5.2.4, 5.2.5
    """

    id = "K8S002"
    name = "host-namespaces"
    title = "Pod shares host namespaces"
    severity = Severity.HIGH
    control = "hostNamespaces"
    level = "baseline"
    cis = ("5.2.3", "5.2.4", "5.2.5")
    fix = "Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false)."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        bad = [(key, cis) for key, cis in _FIELDS if pod.spec.get(key) is True]
        if not bad:
            return
        names = [key for key, _ in bad]
        line = min(pod.spec_line(key) for key in names)
        yield Violation(line, "The pod shares host namespaces: "
                        + ", ".join(f"{k}=true" for k in names) + ".",
                        evidence=",".join(names), cis=tuple(sorted(c for _, c in bad)))
