from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule


class KubeletPodPidsLimit(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `podPidsLimit` unset, `-1` or not positive (unlimited; the
    default).

    ## Why it matters
    A fork bomb in one pod exhausts the node's process IDs and takes every other pod (and the
    kubelet) down with it.

    ## How to fix
    Set podPidsLimit to a bound such as 4096.

    Before:
    ```yaml
    podPidsLimit: -1
    ```
    After:
    ```yaml
    podPidsLimit: 4096
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.13
    """

    id = "KNS042"
    name = "kubelet-pod-pids-limit"
    title = "Kubelet sets no per-pod PID limit"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:4.2.13",)
    fix = "Set podPidsLimit to a bound such as 4096."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        value = config.get("podPidsLimit") if isinstance(config, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return None
        return ("podPidsLimit",), f"podPidsLimit is {value if value is not None else 'unset'}: " \
            "a pod may create processes until the node runs out."
