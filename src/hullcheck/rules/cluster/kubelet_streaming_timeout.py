from __future__ import annotations

import re
from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule

# A Go duration of zero: "0", "0s", "0h0m0s"...
_ZERO = re.compile(r"(?:0+(?:\.0+)?(?:ns|us|µs|ms|s|m|h)?)+")


class KubeletStreamingTimeout(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `streamingConnectionIdleTimeout` of zero (no timeout; the
    default is 4h).

    ## Why it matters
    Idle exec, attach and port-forward sessions stay open forever, holding resources and a way in.

    ## How to fix
    Set streamingConnectionIdleTimeout to a duration such as 5m.

    Before:
    ```yaml
    streamingConnectionIdleTimeout: "0"
    ```
    After:
    ```yaml
    streamingConnectionIdleTimeout: 5m
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.5
    """

    id = "KNS035"
    name = "kubelet-streaming-timeout"
    title = "Kubelet streaming connections never time out"
    severity = Severity.LOW
    references = ("cis-k8s-1.10:4.2.5",)
    fix = "Set streamingConnectionIdleTimeout to a duration such as 5m."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        value = config.get("streamingConnectionIdleTimeout") if isinstance(config, dict) else None
        if value is not None and _ZERO.fullmatch(str(value).strip()):
            return ("streamingConnectionIdleTimeout",), \
                f"streamingConnectionIdleTimeout is {value}: streaming connections never time out."
        return None
