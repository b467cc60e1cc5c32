from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule


class KubeletTlsCert(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with neither both `tlsCertFile` and `tlsPrivateKeyFile` nor
    `serverTLSBootstrap: true`.

    ## Why it matters
    Without a certificate the kubelet generates a self-signed one, so the API server cannot
    verify it is talking to the real kubelet.

    ## How to fix
    Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true.

    Before:
    ```yaml
    tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
    ```
    After:
    ```yaml
    serverTLSBootstrap: true
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.9
    """

    id = "KNS038"
    name = "kubelet-tls-cert"
    title = "Kubelet serves a self-signed certificate"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:4.2.9",)
    fix = "Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if not isinstance(config, dict) or config.get("serverTLSBootstrap") is True:
            return None
        cert, key = config.get("tlsCertFile"), config.get("tlsPrivateKeyFile")
        if cert and key:
            return None
        missing = " and ".join(n for n, v in (("tlsCertFile", cert), ("tlsPrivateKeyFile", key))
                               if not v)
        return (("tlsCertFile",) if cert else ()), \
            f"{missing} not set (and no serverTLSBootstrap): the kubelet serves a self-signed " \
            "certificate."
