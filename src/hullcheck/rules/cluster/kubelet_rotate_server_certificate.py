from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule, get


class KubeletRotateServerCertificate(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `featureGates.RotateKubeletServerCertificate: false` (the
    gate is on by default).

    ## Why it matters
    Serving certificates that are never rotated stay valid long after a node is compromised.

    ## How to fix
    Remove featureGates.RotateKubeletServerCertificate: false.

    Before:
    ```yaml
    featureGates: {RotateKubeletServerCertificate: false}
    ```
    After:
    ```yaml
    serverTLSBootstrap: true
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.11
    """

    id = "KNS040"
    name = "kubelet-rotate-server-certificate"
    title = "Kubelet server certificate rotation is disabled"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:4.2.11",)
    fix = "Remove featureGates.RotateKubeletServerCertificate: false."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if get(config, "featureGates", "RotateKubeletServerCertificate") is False:
            return ("featureGates", "RotateKubeletServerCertificate"), \
                "the RotateKubeletServerCertificate feature gate is off."
        return None
