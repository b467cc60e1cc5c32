from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._rbac import Permission, RbacRule, kubernetes_minor

_CREATE: tuple[Permission, ...] = (("create", "pods/exec", ""), ("create", "pods/attach", ""))
_GET: tuple[Permission, ...] = (("get", "pods/exec", ""), ("get", "pods/attach", ""))


class RbacExec(RbacRule):
    """
    ## What it finds
    Subjects that can run commands in or attach to running containers: `create` on `pods/exec`
    or `pods/attach`, and before Kubernetes 1.35 also `get` (the WebSocket upgrade of
    `kubectl exec` was authorised as `get` until 1.35 required `create`). Judged for
    `--kubernetes-version` (latest by default: `create` only).

    ## Why it matters
    Exec is a shell inside the workload, with its service account token, its secrets and its
    network position.

    ## How to fix
    Remove exec and attach from everyday roles; grant it just-in-time for debugging.

    Before:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [pods, pods/exec], verbs: [get, create]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [pods], verbs: [get]}
    ```

    ## References
    - Kubernetes RBAC good practices, "Exec into pods"
    - KEP-4006 (WebSocket streaming; `create` required from 1.35)
    """

    id = "KNS020"
    name = "rbac-exec-pods"
    title = "Subject can exec into pods"
    severity = Severity.HIGH
    fix = "Remove pods/exec and pods/attach from roles that do not need a shell in containers."
    what = "exec into pods"

    def wanted(self, ctx: Context) -> tuple[Permission, ...]:
        minor = kubernetes_minor(ctx)
        return _CREATE + _GET if minor is not None and minor < 35 else _CREATE
