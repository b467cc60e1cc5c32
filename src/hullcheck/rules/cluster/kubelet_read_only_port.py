from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule


class KubeletReadOnlyPort(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with A non-zero `readOnlyPort` (the file's default is 0).

    ## Why it matters
    The read-only port (usually 10255) serves pod specs, environment included, and metrics
    without authentication.

    ## How to fix
    Set readOnlyPort: 0.

    Before:
    ```yaml
    readOnlyPort: 10255
    ```
    After:
    ```yaml
    readOnlyPort: 0
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.4
    """

    id = "KNS034"
    name = "kubelet-read-only-port"
    title = "Kubelet serves its read-only port"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:4.2.4",)
    fix = "Set readOnlyPort: 0."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        port = config.get("readOnlyPort") if isinstance(config, dict) else None
        if port not in (None, 0, "0"):
            return ("readOnlyPort",), \
                f"readOnlyPort is {port}: pod specs and metrics are served without authentication."
        return None
