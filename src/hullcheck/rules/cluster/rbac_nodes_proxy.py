from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule


class RbacNodesProxy(RbacRule):
    """
    ## What it finds
    Subjects with any verb on `nodes/proxy`, with the chain subject <- binding -> role -> rule.
    `get` alone is enough: the kubelet API authorises its `/exec` and `/run` endpoints against
    `nodes/proxy`, and a WebSocket request arrives as `get`.

    ## Why it matters
    The kubelet API runs commands in every pod of the node, bypassing admission and audit logging
    of the API server.

    ## How to fix
    Remove `nodes/proxy`; monitoring agents need `nodes/metrics` or `nodes/stats`.

    Before:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [nodes/proxy], verbs: [get]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [nodes/metrics, nodes/stats], verbs: [get]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.10
    """

    id = "KNS026"
    name = "rbac-nodes-proxy"
    title = "Subject can reach the kubelet through nodes/proxy"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.10",)
    fix = "Remove nodes/proxy; use nodes/metrics or nodes/stats for monitoring."
    what = "reach the kubelet API"
    permissions = tuple((v, "nodes/proxy", "") for v in
                        ("get", "create", "update", "patch", "delete", "list", "watch"))
