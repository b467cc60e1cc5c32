from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.rules.cluster._ingress import backends


class IngressMissingService(ClusterRule):
    """
    ## What it finds
    Ingress backends (`defaultBackend`, rule paths; both API versions) naming a Service the scan
    does not hold in the Ingress's namespace.

    ## Why it matters
    A route to a Service that does not exist is dead today and taken over tomorrow: whoever
    creates a Service by that name in the namespace receives the traffic (and its cookies).

    ## How to fix
    Point the backend at the right Service, or remove the route.

    Before:
    ```yaml
    backend: {service: {name: shop-frontend, port: {number: 80}}}   # Service is named shop-web
    ```
    After:
    ```yaml
    backend: {service: {name: shop-web, port: {number: 80}}}
    ```

    ## References
    - kube-score ingress-targets-service, kube-linter dangling-ingress
    """

    id = "KNS013"
    name = "ingress-missing-service"
    title = "Ingress backend names no Service"
    severity = Severity.LOW
    fix = "Point the backend at an existing Service of the Ingress's namespace."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ing in graph.by_kind.get("Ingress", []):
            ns = ing.namespace or "default"
            for b in backends(ing):
                if graph.get("Service", ns, b.service) is None:
                    yield self.finding(
                        ing.location(b.line),
                        f"{ing.ref} routes to Service {ns}/{b.service}, which this scan does "
                        "not hold.",
                        evidence=f"svc={b.service}",
                    )
