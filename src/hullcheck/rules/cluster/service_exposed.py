from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods
from hullcheck.yamlutil import LineDict


def _internal(annotations: dict[str, str]) -> bool:
    """Cloud annotations that keep a load balancer on the private network (AWS, GCP, Azure...)."""
    return any(("internal" in k.lower() and v.strip().lower() in ("true", "internal"))
               or (k.endswith("load-balancer-type") and v.strip().lower() == "internal")
               for k, v in annotations.items())


def _describe_port(port: dict[str, object], kind: str) -> str:
    """``80`` for a load balancer's port, with the node port each node opens for it: the one
    set, or (for a NodePort Service, whose point it is) one the cluster assigns."""
    text = str(port.get("port"))
    if port.get("nodePort"):
        return f"{text} (node port {port['nodePort']})"
    if kind == "NodePort":
        return f"{text} (node port assigned by the cluster)"
    return text


class ServiceExposed(ClusterRule):
    """
    ## What it finds
    Services of type `NodePort` or `LoadBalancer`, on their `type:` line, with the workloads they
    expose (Service selector -> pods, as Kubernetes selects them) and their ports. A
    LoadBalancer without `loadBalancerSourceRanges` is open to every address; one annotated as
    internal (`service.beta.kubernetes.io/aws-load-balancer-internal: "true"`,
    `networking.gke.io/load-balancer-type: Internal`, Azure's `...-internal: "true"`) is reported
    at low severity.

    ## Why it matters
    A NodePort opens the port on every node of the cluster; a LoadBalancer usually puts it on
    the internet. Either bypasses the Ingress, its TLS and its authentication.

    ## How to fix
    Use a ClusterIP Service behind an Ingress or Gateway, or restrict the source ranges.

    Before:
    ```yaml
    spec: {type: LoadBalancer, selector: {app: admin}, ports: [{port: 8080}]}
    ```
    After:
    ```yaml
    spec: {type: ClusterIP, selector: {app: admin}, ports: [{port: 8080}]}
    ```

    ## References
    - Kubernetes documentation, "Service: type NodePort, LoadBalancer"
    """

    id = "KNS014"
    name = "service-exposed"
    title = "Service exposed outside the cluster"
    severity = Severity.MEDIUM
    fix = "Use type ClusterIP behind an Ingress, or set loadBalancerSourceRanges."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for svc in graph.by_kind.get("Service", []):
            spec = svc.data.get("spec")
            if not isinstance(spec, LineDict):
                continue
            kind = spec.get("type")
            if kind not in ("NodePort", "LoadBalancer"):
                continue
            ports = spec.get("ports")
            port_list = ", ".join(
                _describe_port(p, kind) for p in ports if isinstance(p, dict)
            ) if isinstance(ports, list) else "?"
            extra, severity = "", None
            if kind == "LoadBalancer" and _internal(svc.annotations):
                extra, severity = ", annotated as an internal load balancer", Severity.LOW
            elif kind == "LoadBalancer" and not spec.get("loadBalancerSourceRanges"):
                extra = ", open to every address (no loadBalancerSourceRanges)"
            yield self.finding(
                svc.location(spec.line_of("type")),
                f"{svc.ref} is a {kind} on ports {port_list}{extra}: it exposes "
                f"{name_pods(graph.service_pods(svc))}.",
                evidence=f"type={kind}",
                severity=severity,
            )
