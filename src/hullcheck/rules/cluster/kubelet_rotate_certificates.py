from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule


class KubeletRotateCertificates(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `rotateCertificates` false or unset (the file's default is
    false; CIS only fails an explicit false, but unset is off too).

    ## Why it matters
    Without rotation the kubelet's client certificate expires (an outage) or is issued for a
    long time (a long-lived credential).

    ## How to fix
    Set rotateCertificates: true.

    Before:
    ```yaml
    rotateCertificates: false
    ```
    After:
    ```yaml
    rotateCertificates: true
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.10
    """

    id = "KNS039"
    name = "kubelet-rotate-certificates"
    title = "Kubelet client certificate rotation is off"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:4.2.10",)
    fix = "Set rotateCertificates: true."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        value = config.get("rotateCertificates") if isinstance(config, dict) else None
        if value is True:
            return None
        how = "false" if value is False else "unset (the default is false)"
        return ("rotateCertificates",), f"rotateCertificates is {how}: client certificates are " \
            "not rotated."
