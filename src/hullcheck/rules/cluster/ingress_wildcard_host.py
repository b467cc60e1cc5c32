from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods
from hullcheck.rules.cluster._ingress import exposed_pods, hosts


class IngressWildcardHost(ClusterRule):
    """
    ## What it finds
    Ingress rules whose `host` is a wildcard (`*.example.com`), with the workloads they expose.

    ## Why it matters
    A wildcard routes every subdomain to the backend: forgotten or attacker-chosen names
    (`admin.example.com`, a dangling DNS entry) reach it, and a matching wildcard certificate
    is a valuable key to steal.

    ## How to fix
    List the host names served.

    Before:
    ```yaml
    rules: [{host: "*.example.com", http: {paths: [...]}}]
    ```
    After:
    ```yaml
    rules: [{host: shop.example.com, http: {paths: [...]}}]
    ```

    ## References
    - Kubernetes documentation, "Ingress: hostname wildcards"
    """

    id = "KNS012"
    name = "ingress-wildcard-host"
    title = "Ingress has a wildcard host"
    severity = Severity.LOW
    fix = "Replace the wildcard host with the exact host names."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ing in graph.by_kind.get("Ingress", []):
            for host, line in hosts(ing):
                if "*" in host:
                    yield self.finding(
                        ing.location(line),
                        f"{ing.ref}: host {host} routes every matching name to "
                        f"{name_pods(exposed_pods(graph, ing, host))}.",
                        evidence=f"host={host}",
                    )
