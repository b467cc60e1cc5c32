from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods
from hullcheck.rules.cluster._ingress import exposed_pods, hosts


class IngressTls(ClusterRule):
    """
    ## What it finds
    Ingresses without a `tls` section, and hosts of an Ingress with `tls` that no TLS entry
    covers (wildcard TLS hosts cover one label: `*.example.com` covers `shop.example.com`). The
    message names the workloads served (Ingress -> Service -> pods).

    ## Why it matters
    Plain HTTP exposes credentials, session cookies and data to anyone on the path, and lets them
    alter responses.

    ## How to fix
    Add a `tls` entry with a certificate secret for every host.

    Before:
    ```yaml
    spec:
      rules: [{host: shop.example.com, http: {paths: [...]}}]
    ```
    After:
    ```yaml
    spec:
      tls: [{hosts: [shop.example.com], secretName: shop-tls}]
      rules: [{host: shop.example.com, http: {paths: [...]}}]
    ```

    ## References
    - Kubernetes documentation, "Ingress: TLS"
    """

    id = "KNS011"
    name = "ingress-without-tls"
    title = "Ingress serves without TLS"
    severity = Severity.MEDIUM
    fix = "Add spec.tls with a certificate for every host of the Ingress."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ing in graph.by_kind.get("Ingress", []):
            spec = ing.data.get("spec")
            tls = spec.get("tls") if isinstance(spec, dict) else None
            if not isinstance(tls, list) or not tls:
                served = name_pods(exposed_pods(graph, ing))
                yield self.finding(ing.location(), f"{ing.ref} has no TLS: it serves {served} "
                                   "over plain HTTP.", evidence="no-tls")
                continue
            covered: list[str] = []
            for entry in tls:
                if isinstance(entry, dict) and isinstance(entry.get("hosts"), list):
                    covered.extend(str(h) for h in entry["hosts"])
            for host, line in hosts(ing):
                if not any(host == c or (c.startswith("*.") and fnmatch.fnmatchcase(host, c)
                                         and host.count(".") == c.count("."))
                           for c in covered):
                    served = name_pods(exposed_pods(graph, ing, host))
                    yield self.finding(ing.location(line),
                                       f"{ing.ref}: host {host} has no TLS entry; it serves "
                                       f"{served} over plain HTTP.", evidence=f"host={host}")
