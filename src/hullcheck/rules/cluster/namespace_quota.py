from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods


class NamespaceQuota(ClusterRule):
    """
    ## What it finds
    Namespaces that hold workloads in the scan but neither a `ResourceQuota` nor a `LimitRange`.
    Located on the Namespace object when the scan holds it, else on the namespace's first
    workload.

    ## Why it matters
    Without a quota a compromised or buggy workload scales without bound: it starves its
    neighbours and runs up the bill (cryptomining is the usual payload).

    ## How to fix
    Add a ResourceQuota (and a LimitRange for defaults) to each namespace.

    Before:
    ```yaml
    kind: Namespace
    metadata: {name: shop}
    ```
    After:
    ```yaml
    kind: ResourceQuota
    metadata: {name: shop, namespace: shop}
    spec: {hard: {requests.cpu: "8", requests.memory: 16Gi, limits.memory: 32Gi, pods: "50"}}
    ```

    ## References
    - Kubernetes documentation, "Resource Quotas"
    """

    id = "KNS002"
    name = "namespace-without-quota"
    title = "Namespace has no resource quota or limit range"
    severity = Severity.LOW
    fix = "Add a ResourceQuota and a LimitRange to the namespace."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ns in graph.workload_namespaces():
            if graph.in_namespace(ns, "ResourceQuota") or graph.in_namespace(ns, "LimitRange"):
                continue
            anchor = graph.namespace_anchor(ns)
            pods = graph.pod_index[ns].pods
            yield self.finding(
                anchor.location(),
                f"Namespace {ns} has no ResourceQuota or LimitRange; its workloads "
                f"({name_pods(pods)}) can use resources without bound.",
                evidence=f"ns={ns}",
            )
