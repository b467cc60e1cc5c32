from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict

ENFORCE = "pod-security.kubernetes.io/enforce"
LEVELS = frozenset({"baseline", "restricted", "privileged"})
# Namespaces that run no user pods, and kube-system, which needs privileged.
_EXEMPT = frozenset({"kube-public", "kube-node-lease"})
# API groups whose objects show another admission policy mechanism (CIS 5.2.1 accepts one).
POLICY_GROUPS = ("kyverno.io/", "constraints.gatekeeper.sh/")


def has_admission_policy(graph: ObjectGraph) -> bool:
    if graph.by_kind.get("ValidatingAdmissionPolicyBinding"):
        return True
    return any(o.api_version.startswith(POLICY_GROUPS) for o in graph.objects)

class NamespacePssLabel(ClusterRule):
    """
    ## What it finds
    Namespace objects without a `pod-security.kubernetes.io/enforce` label, with an unknown
    level, or enforcing `privileged` (anywhere but `kube-system`). Only Namespace objects in the
    scan are judged: a namespace the scan merely mentions has labels we cannot see (add
    `kubectl get namespaces -o yaml` to the scan to judge them). When the scan holds another
    admission policy mechanism (a ValidatingAdmissionPolicyBinding, Kyverno or Gatekeeper
    policies) the rule does not fire, as CIS 5.2.1 accepts those.

    ## Why it matters
    Without an enforced Pod Security level anyone who may create a pod in the namespace may
    create a privileged one and take its node.

    ## How to fix
    Label every namespace with the strictest level its workloads allow.

    Before:
    ```yaml
    kind: Namespace
    metadata: {name: shop}
    ```
    After:
    ```yaml
    kind: Namespace
    metadata:
      name: shop
      labels: {pod-security.kubernetes.io/enforce: restricted}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.2.1
    """

    id = "KNS004"
    name = "namespace-without-pod-security"
    title = "Namespace enforces no Pod Security level"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:5.2.1",)
    fix = "Add the label pod-security.kubernetes.io/enforce: restricted (or baseline)."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        if has_admission_policy(graph):
            return
        for ns in graph.by_kind.get("Namespace", []):
            if ns.name in _EXEMPT:
                continue
            level = ns.labels.get(ENFORCE)
            meta = ns.data.get("metadata")
            labels = meta.get("labels") if isinstance(meta, dict) else None
            line = ns.name_line
            if isinstance(meta, LineDict) and meta.has_line("labels"):
                line = meta.line_of("labels")
                if isinstance(labels, LineDict):
                    line = labels.line_of(ENFORCE, line)
            if level is None:
                msg = f"Namespace {ns.name} has no {ENFORCE} label: Pod Security admits anything."
            elif level not in LEVELS:
                msg = f"Namespace {ns.name}: {ENFORCE}={level} is not a Pod Security level."
            elif level == "privileged" and ns.name != "kube-system":
                msg = f"Namespace {ns.name} enforces the privileged level, which allows anything."
            else:
                continue
            yield self.finding(ns.location(line), msg, evidence=f"level={level}")
