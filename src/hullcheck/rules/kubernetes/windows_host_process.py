from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod
from hullcheck.rules.kubernetes._pss import PssRule, Violation


class WindowsHostProcess(PssRule):
    """
    ## What it finds
    A pod or container that sets `securityContext.windowsOptions.hostProcess: true`
    (Pod Security Standards baseline control `windowsHostProcess`, all versions).

    ## Why it matters
    A Windows HostProcess container runs directly on the node, with the node's network and
    file system and the privileges of a Windows user of the host: it is the Windows equivalent of
    a privileged container and gives full access to the node.

    ## How to fix
    Remove `hostProcess` (or set it to `false`); run node-level tooling outside ordinary
    namespaces or under a dedicated, privileged namespace.

    Before:
    ```yaml
    securityContext:
      windowsOptions:
        hostProcess: true
    ```
    After:
    ```yaml
    securityContext:
      windowsOptions:
        hostProcess: false
    ```

    ## References
    - Pod Security Standards, baseline, "HostProcess" (pod-security-admission `windowsHostProcess`)
    - CIS Kubernetes Benchmark 1.10, 5.2.11
    """

    id = "K8S001"
    name = "windows-host-process"
    title = "Windows HostProcess container"
    severity = Severity.CRITICAL
    control = "windowsHostProcess"
    level = "baseline"
    cis = ("5.2.11",)
    fix = "Remove `securityContext.windowsOptions.hostProcess: true`."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        if pod.psc("windowsOptions", "hostProcess") is True:
            yield Violation(pod.psc_line("windowsOptions", "hostProcess"),
                            "The pod sets securityContext.windowsOptions.hostProcess=true.",
                            evidence="pod")
        for c in pod.containers:
            if c.sc("windowsOptions", "hostProcess") is True:
                yield Violation(c.sc_line("windowsOptions", "hostProcess"),
                                f'Container "{c.name}" sets '
                                "securityContext.windowsOptions.hostProcess=true.", c)
