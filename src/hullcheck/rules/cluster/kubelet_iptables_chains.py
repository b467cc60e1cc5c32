from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule


class KubeletIptablesChains(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `makeIPTablesUtilChains: false`.

    ## Why it matters
    Letting the kubelet keep its iptables utility chains keeps pod networking rules consistent
    with the kubelet's view; hand-managed rules drift.

    ## How to fix
    Set makeIPTablesUtilChains: true (or remove it).

    Before:
    ```yaml
    makeIPTablesUtilChains: false
    ```
    After:
    ```yaml
    makeIPTablesUtilChains: true
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.6
    """

    id = "KNS036"
    name = "kubelet-iptables-chains"
    title = "Kubelet does not manage iptables chains"
    severity = Severity.LOW
    references = ("cis-k8s-1.10:4.2.6",)
    fix = "Set makeIPTablesUtilChains: true (or remove it)."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if isinstance(config, dict) and config.get("makeIPTablesUtilChains") is False:
            return ("makeIPTablesUtilChains",), "makeIPTablesUtilChains is false."
        return None
