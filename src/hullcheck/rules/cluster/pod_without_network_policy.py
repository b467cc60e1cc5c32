from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule


class PodWithoutNetworkPolicy(ClusterRule):
    """
    ## What it finds
    Workloads whose pods no NetworkPolicy selects, in namespaces that have policies (without any,
    KNS005 reports the namespace). Selection follows Kubernetes: `podSelector: {}` selects every
    pod of the policy's namespace; `matchLabels` and `matchExpressions` (`In`, `NotIn`,
    `Exists`, `DoesNotExist`) are ANDed.

    ## Why it matters
    A pod no policy selects is not isolated: it accepts traffic from anywhere and connects
    anywhere, whatever the other policies of its namespace say.

    ## How to fix
    Select the pod with a policy, or add a default-deny policy for the namespace.

    Before:
    ```yaml
    spec: {podSelector: {matchLabels: {app: web}}}   # the pod is labelled app: api
    ```
    After:
    ```yaml
    spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}}
    ```

    ## References
    - Not tagged CIS Kubernetes Benchmark 1.10, 5.3.2: that item asks only that every
      namespace has NetworkPolicies, which this finding's namespace has; it does not ask for
      a policy selecting every workload (KNS005 carries 5.3.2)
    """

    id = "KNS008"
    name = "pod-without-network-policy"
    title = "Workload selected by no NetworkPolicy"
    severity = Severity.MEDIUM
    # Not cis-k8s-1.10:5.3.2 (every namespace has NetworkPolicies): KNS005 judges that.
    references = ()
    fix = "Write a NetworkPolicy selecting the workload's pods (or a default-deny one)."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        covered = graph.pods_covered_by_policy()
        for pod in graph.pods:
            if pod.index in covered or not graph.policies(pod.namespace):
                continue
            labels = ",".join(f"{k}={v}" for k, v in sorted(pod.labels.items())) or "none"
            yield self.finding(
                pod.obj.location(),
                f"No NetworkPolicy of namespace {pod.namespace} selects the pods of {pod.ref} "
                f"(labels: {labels}): they are not isolated.",
                evidence="unselected",
            )
