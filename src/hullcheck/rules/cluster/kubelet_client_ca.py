from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule, get


class KubeletClientCa(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with No `authentication.x509.clientCAFile`.

    ## Why it matters
    Without a client CA the kubelet cannot authenticate the API server's (or anyone's) client
    certificates.

    ## How to fix
    Set authentication.x509.clientCAFile to the cluster CA.

    Before:
    ```yaml
    authentication:
      webhook: {enabled: true}
    ```
    After:
    ```yaml
    authentication:
      webhook: {enabled: true}
      x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.3
    """

    id = "KNS033"
    name = "kubelet-client-ca"
    title = "Kubelet has no client CA"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:4.2.3",)
    fix = "Set authentication.x509.clientCAFile to the cluster CA."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if not get(config, "authentication", "x509", "clientCAFile"):
            return ("authentication", "x509", "clientCAFile"), \
                "authentication.x509.clientCAFile is not set: client certificates are not verified."
        return None
