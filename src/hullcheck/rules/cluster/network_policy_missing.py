from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods


class NetworkPolicyMissing(ClusterRule):
    """
    ## What it finds
    Namespaces that hold workloads in the scan but no NetworkPolicy at all. Located on the
    Namespace object when the scan holds it, else on the namespace's first workload. (With at
    least one policy, KNS006, KNS007 and KNS008 judge what the policies leave open.)

    ## Why it matters
    Without a policy every pod accepts connections from every pod of the cluster and reaches
    everything: one compromised workload can talk to every database.

    ## How to fix
    Start with a default-deny policy, then allow what each workload needs.

    Before:
    ```yaml
    # namespace shop: Deployments, no NetworkPolicy
    ```
    After:
    ```yaml
    kind: NetworkPolicy
    metadata: {name: default-deny, namespace: shop}
    spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.3.2
    """

    id = "KNS005"
    autofixes = (
        Fix("kubernetes", "write a default-deny NetworkPolicy for the namespace (ingress and "
            "egress, every pod) to a new file, networkpolicy-default-deny-NAMESPACE.yaml, beside "
            "the finding's file", "hullcheck.fix.kubernetes:default_deny_policy", unsafe=True,
            new_file=True,
            assumes="the directory is applied as a whole (kubectl apply -f DIR), and the "
                    "namespace's traffic will be allowed by policies written next",
            verify="every connection the namespace's pods accept or make (DNS to kube-system "
                   "included) is allowed by a NetworkPolicy before this one is applied"),
    )
    name = "namespace-without-network-policy"
    title = "Namespace has no NetworkPolicy"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:5.3.2",)
    fix = "Add a default-deny NetworkPolicy to the namespace and allow the traffic needed."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ns in graph.workload_namespaces():
            if graph.policies(ns):
                continue
            yield self.finding(
                graph.namespace_anchor(ns).location(),
                f"Namespace {ns} has no NetworkPolicy: its workloads "
                f"({name_pods(graph.pod_index[ns].pods)}) accept and open any connection.",
                evidence=f"ns={ns}",
            )
