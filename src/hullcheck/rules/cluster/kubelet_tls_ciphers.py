from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule

# CIS Kubernetes Benchmark 1.10, 4.2.12
STRONG_CIPHERS = frozenset({
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256",
})


class KubeletTlsCiphers(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with No `tlsCipherSuites` (and no `tlsMinVersion:
    VersionTLS13`), or suites outside the CIS list of strong ciphers.

    ## Why it matters
    Weak suites (CBC, RC4, 3DES, no forward secrecy) let a network attacker decrypt or tamper
    with kubelet traffic.

    ## How to fix
    Set tlsCipherSuites to strong AEAD suites, or tlsMinVersion: VersionTLS13.

    Before:
    ```yaml
    tlsCipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]
    ```
    After:
    ```yaml
    tlsCipherSuites:
    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.12
    """

    id = "KNS041"
    name = "kubelet-tls-ciphers"
    title = "Kubelet allows weak TLS ciphers"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:4.2.12",)
    fix = "Set tlsCipherSuites to strong AEAD suites, or tlsMinVersion: VersionTLS13."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if not isinstance(config, dict) or config.get("tlsMinVersion") == "VersionTLS13":
            return None
        suites = config.get("tlsCipherSuites")
        if not isinstance(suites, list) or not suites:
            return ("tlsCipherSuites",), "tlsCipherSuites is not set: the kubelet accepts Go's " \
                "default suites rather than the CIS list of strong ciphers."
        weak = [str(s) for s in suites if str(s) not in STRONG_CIPHERS]
        if weak:
            return ("tlsCipherSuites",), f"tlsCipherSuites allows weak suites: {', '.join(weak)}."
        return None
