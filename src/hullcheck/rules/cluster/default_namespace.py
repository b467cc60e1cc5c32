from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict


class DefaultNamespace(ClusterRule):
    """
    ## What it finds
    Workloads (Pods and everything that runs them) in the `default` namespace: named there, or
    naming no namespace while the scan runs without `--namespace` (with `--namespace prod`, such
    objects are in `prod`). Their ConfigMaps, Services and Roles go wherever the workload goes,
    so only the workload is reported. Benchmark conformance (CIS 5.7.4): low, tagged
    `conformance`; what `default` usually lacks is reported by KNS002 (quota) and KNS005
    (network policy) where it matters.

    ## Why it matters
    `default` is where everything lands by accident: it usually has no quotas, no network
    policies and no Pod Security labels, and RBAC granted "in default" ends up covering unrelated
    applications.

    ## How to fix
    Give each application its own namespace.

    Before:
    ```yaml
    metadata: {name: web}
    ```
    After:
    ```yaml
    metadata: {name: web, namespace: shop}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.7.4
    """

    id = "KNS001"
    name = "default-namespace"
    title = "Workload in the default namespace"
    severity = Severity.LOW
    references = ("cis-k8s-1.10:5.7.4", "conformance")
    fix = "Set metadata.namespace to the application's own namespace."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for pod in graph.pods:
            obj = pod.obj
            if obj.namespace != "default":
                continue
            meta = obj.data.get("metadata")
            if obj.namespace_defaulted:
                line, how = obj.name_line, "names no namespace and --namespace was not given"
            else:
                line = meta.line_of("namespace") if isinstance(meta, LineDict) else obj.line
                how = "is placed there explicitly"
            yield self.finding(obj.location(line), f"{obj.ref} is in the default namespace "
                               f"(the manifest {how}; CIS Kubernetes 5.7.4 conformance).",
                               evidence="default")
