from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule


class KubeletEventQps(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `eventRecordQPS` set below its default of 50 (0 means
    unlimited and is fine), or negative.

    ## Why it matters
    Events are an audit trail of what happened on the node; rate-limited too hard, an attack's
    traces are dropped.

    ## How to fix
    Leave eventRecordQPS at its default (50) or set 0 (unlimited).

    Before:
    ```yaml
    eventRecordQPS: 1
    ```
    After:
    ```yaml
    eventRecordQPS: 50
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.8
    """

    id = "KNS037"
    name = "kubelet-event-qps"
    title = "Kubelet drops events"
    severity = Severity.LOW
    references = ("cis-k8s-1.10:4.2.8",)
    fix = "Leave eventRecordQPS at its default (50) or set 0 (unlimited)."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        value = config.get("eventRecordQPS") if isinstance(config, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and \
                (value < 0 or 0 < value < 50):
            return ("eventRecordQPS",), \
                f"eventRecordQPS is {value}: events beyond that rate are dropped."
        return None
