from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule, get


class KubeletAnonymousAuth(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `authentication.anonymous.enabled: true` (the file's
    default is false).

    ## Why it matters
    Anonymous requests to the kubelet API (port 10250) are served as `system:anonymous`; with a
    permissive authorizer that is remote code execution in every pod of the node.

    ## How to fix
    Set authentication.anonymous.enabled: false.

    Before:
    ```yaml
    authentication:
      anonymous: {enabled: true}
    ```
    After:
    ```yaml
    authentication:
      anonymous: {enabled: false}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.1
    """

    id = "KNS031"
    name = "kubelet-anonymous-auth"
    title = "Kubelet allows anonymous requests"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:4.2.1",)
    fix = "Set authentication.anonymous.enabled: false."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if get(config, "authentication", "anonymous", "enabled") is True:
            return ("authentication", "anonymous", "enabled"), \
                "authentication.anonymous.enabled is true: the kubelet API serves anonymous " \
                "requests."
        return None
