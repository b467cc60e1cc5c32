from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule


class ServiceAccountToken(ClusterRule):
    """
    ## What it finds
    Workloads that get a service account token mounted: the pod's `automountServiceAccountToken`
    wins; when the pod sets none, the ServiceAccount's setting (when the scan holds it) decides;
    else the token is mounted. The message says which setting decided and what RBAC bindings in
    the scan give that account. Pods running as `default` are reported by KNS021 instead.

    ## Why it matters
    A mounted token is an API credential available to anything running in the container, an
    attacker included. Most applications never call the Kubernetes API.

    ## How to fix
    Switch the token off where the workload does not call the API.

    Before:
    ```yaml
    spec:
      serviceAccountName: web
      containers: [{name: web, image: web:1.2}]
    ```
    After:
    ```yaml
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      containers: [{name: web, image: web:1.2}]
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.6
    """

    id = "KNS022"
    autofixes = (
        Fix("kubernetes", "set the pod spec's automountServiceAccountToken: false",
            "hullcheck.fix.kubernetes:no_token_automount", unsafe=True,
            assumes="the workload does not call the Kubernetes API with its service account",
            verify="nothing in the pod talks to the API server (client libraries, operators, "
                   "leader election); else mount a projected token where it is needed"),
    )
    name = "service-account-token-mounted"
    title = "Service account token mounted"
    severity = Severity.LOW
    references = ("cis-k8s-1.10:5.1.6",)
    fix = "Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount)."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for pod in graph.pods:
            if pod.service_account == "default":
                continue
            mount = graph.token_mount(pod)
            if not mount.mounted:
                continue
            grants = graph.grants_to_service_account(pod.namespace, pod.service_account)
            if grants:
                bound = ", ".join(
                    f"{g.binding.ref} -> {g.role.ref if g.role else g.role_ref}" for g in grants[:3]
                ) + (f" and {len(grants) - 3} more" if len(grants) > 3 else "")
            else:
                bound = "no binding in this scan"
            yield self.finding(
                pod.obj.location(mount.line),
                f"{pod.ref} mounts the token of ServiceAccount {pod.namespace}/"
                f"{pod.service_account} (decided by {mount.decided_by}); the account holds: "
                f"{bound}.",
                evidence=f"{pod.namespace}/{pod.service_account}",
            )
