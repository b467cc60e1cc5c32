from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, is_kubernetes_own
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule


class DefaultServiceAccount(ClusterRule):
    """
    ## What it finds
    The `default` service account in active use:
    - workloads that run as `default` (no `serviceAccountName`) with its token mounted (the pod's
      `automountServiceAccountToken` wins over the ServiceAccount's);
    - `ServiceAccount` objects named `default` that do not set `automountServiceAccountToken:
      false`;
    - bindings that grant a role to a namespace's `default` service account (or to every service
      account through the `system:serviceaccounts` groups).

    ## Why it matters
    Every pod that names no account runs as `default`: permissions given to it go to every such
    pod, and its token sits in all of them.

    ## How to fix
    Give each workload its own service account; switch off the token on `default`.

    Before:
    ```yaml
    kind: ServiceAccount
    metadata: {name: default, namespace: prod}
    ```
    After:
    ```yaml
    kind: ServiceAccount
    metadata: {name: default, namespace: prod}
    automountServiceAccountToken: false
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.5
    """

    id = "KNS021"
    name = "default-service-account"
    title = "Default service account in use"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:5.1.5",)
    fix = "Use a dedicated service account; set automountServiceAccountToken: false on default."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for pod in graph.pods:
            if pod.service_account != "default":
                continue
            mount = graph.token_mount(pod)
            if not mount.mounted:
                continue
            yield self.finding(
                pod.obj.location(pod.line_of("serviceAccountName")),
                f"{pod.ref} runs as ServiceAccount {pod.namespace}/default with its token mounted"
                f" (decided by {mount.decided_by}).",
                evidence=f"pod>{pod.namespace}/default",
            )
        for sa in graph.by_kind.get("ServiceAccount", []):
            if sa.name == "default" and sa.data.get("automountServiceAccountToken") is not False:
                yield self.finding(
                    sa.location(),
                    f"{sa.ref} does not set automountServiceAccountToken: false, so every pod "
                    "naming no service account gets its token.",
                    evidence="sa-automount",
                )
        for grant in graph.grants():
            if is_kubernetes_own(grant.binding):
                continue
            for s in grant.subjects:
                default_sa = s.kind == "ServiceAccount" and s.name == "default"
                all_sas = s.kind == "Group" and s.name.startswith("system:serviceaccounts")
                if default_sa or all_sas:
                    who = "every service account" if all_sas else "a default service account"
                    yield self.finding(
                        grant.binding.location(s.line),
                        f"{grant.chain(s)} {grant.where}: the role goes to {who}, hence to "
                        "every pod that names no service account.",
                        evidence=f"binding>{s.kind}:{s.namespace}:{s.name}>{grant.role_ref}",
                    )
