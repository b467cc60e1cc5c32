from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods
from hullcheck.yamlutil import LineDict


class ServiceExternalIps(ClusterRule):
    """
    ## What it finds
    Services that set `externalIPs`, with the workloads they expose.

    ## Why it matters
    Nodes accept traffic for any external IP a Service claims, so whoever can create a Service
    can intercept traffic meant for any address (CVE-2020-8554); most clusters block the field
    with the DenyServiceExternalIPs admission plugin.

    ## How to fix
    Use a LoadBalancer Service or an Ingress instead.

    Before:
    ```yaml
    spec: {selector: {app: web}, externalIPs: [203.0.113.10], ports: [{port: 80}]}
    ```
    After:
    ```yaml
    spec: {selector: {app: web}, type: LoadBalancer, ports: [{port: 80}]}
    ```

    ## References
    - CVE-2020-8554
    """

    id = "KNS015"
    name = "service-external-ips"
    title = "Service sets externalIPs"
    severity = Severity.HIGH
    fix = "Remove spec.externalIPs; use a LoadBalancer or an Ingress."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for svc in graph.by_kind.get("Service", []):
            spec = svc.data.get("spec")
            if not isinstance(spec, LineDict):
                continue
            ips = spec.get("externalIPs")
            if isinstance(ips, list) and ips:
                yield self.finding(
                    svc.location(spec.line_of("externalIPs")),
                    f"{svc.ref} claims externalIPs {','.join(map(str, ips))}: it exposes "
                    f"{name_pods(graph.service_pods(svc))}.",
                    evidence=",".join(sorted(map(str, ips))),
                )
