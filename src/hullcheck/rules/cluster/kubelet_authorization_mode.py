from __future__ import annotations

from typing import Any

from hullcheck.findings import Severity
from hullcheck.rules.cluster._kubelet import KubeletRule, get


class KubeletAuthorizationMode(KubeletRule):
    """
    ## What it finds
    A KubeletConfiguration file with `authorization.mode: AlwaysAllow` (the file's default is
    Webhook).

    ## Why it matters
    With AlwaysAllow every authenticated (or, with anonymous auth, every) caller may exec into
    pods through the kubelet API.

    ## How to fix
    Set authorization.mode: Webhook.

    Before:
    ```yaml
    authorization: {mode: AlwaysAllow}
    ```
    After:
    ```yaml
    authorization: {mode: Webhook}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.2
    """

    id = "KNS032"
    name = "kubelet-always-allow"
    title = "Kubelet authorizes every request"
    severity = Severity.CRITICAL
    references = ("cis-k8s-1.10:4.2.2",)
    fix = "Set authorization.mode: Webhook."

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        if get(config, "authorization", "mode") == "AlwaysAllow":
            return ("authorization", "mode"), \
                "authorization.mode is AlwaysAllow: the kubelet authorizes every request."
        return None
