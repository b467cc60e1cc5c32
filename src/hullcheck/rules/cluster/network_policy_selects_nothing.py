from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict


class NetworkPolicySelectsNothing(ClusterRule):
    """
    ## What it finds
    NetworkPolicies whose `podSelector` selects no pod of the workloads the scan holds in their
    namespace (judged only when the scan holds workloads there). An invalid selector (an unknown
    `matchExpressions` operator) selects nothing too.

    ## Why it matters
    A policy that selects nothing protects nothing; usually a label was renamed on one side, and
    the pods it meant to isolate are wide open.

    ## How to fix
    Make the selector match the pods' labels.

    Before:
    ```yaml
    spec: {podSelector: {matchLabels: {app: web-frontend}}}   # pods are labelled app: web
    ```
    After:
    ```yaml
    spec: {podSelector: {matchLabels: {app: web}}}
    ```

    ## References
    - Not tagged CIS Kubernetes Benchmark 1.10, 5.3.2: that item asks only that every
      namespace has NetworkPolicies, which this finding's namespace has; it does not ask for
      a policy that selects pods (KNS005 carries 5.3.2)
    """

    id = "KNS010"
    name = "network-policy-selects-nothing"
    title = "NetworkPolicy selects no pod"
    severity = Severity.LOW
    # Not cis-k8s-1.10:5.3.2 (every namespace has NetworkPolicies): KNS005 judges that.
    references = ()
    fix = "Fix the podSelector so it matches the labels of the pods to isolate."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ns in graph.workload_namespaces():
            for pol in graph.policies(ns):
                if pol.selects_all or graph.policy_pods(pol):
                    continue
                spec = pol.obj.data.get("spec")
                line = spec.line_of("podSelector") if isinstance(spec, LineDict) else None
                yield self.finding(
                    pol.obj.location(line),
                    f"{pol.obj.ref} selects no pod: podSelector {pol.pod_selector.describe()} "
                    f"matches none of the {len(graph.pod_index[ns].pods)} workload(s) of "
                    f"namespace {ns} in this scan.",
                    evidence=pol.pod_selector.describe(),
                )
