from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._netpol import DefaultDenyRule


class NetworkDefaultDenyIngress(DefaultDenyRule):
    """
    ## What it finds
    Namespaces with workloads and NetworkPolicies where no policy selects every pod
    (`podSelector: {}`) for `Ingress`. `policyTypes` is read as Kubernetes defaults it:
    `[Ingress]`, plus `Egress` when the policy has egress rules. Namespaces without any policy
    are KNS005's.

    ## Why it matters
    Policies only isolate the pods they select: a new workload, or one whose labels changed,
    accepts traffic from the whole cluster until someone writes its policy.

    ## How to fix
    Add a default-deny ingress policy; the allow policies stay as they are.

    Before:
    ```yaml
    spec: {podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {}}]}]}
    ```
    After:
    ```yaml
    kind: NetworkPolicy
    metadata: {name: default-deny-ingress}
    spec: {podSelector: {}, policyTypes: [Ingress]}
    ```

    ## References
    - Not tagged CIS Kubernetes Benchmark 1.10, 5.3.2: that item asks only that every
      namespace has NetworkPolicies, which this finding's namespace has; it does not ask for
      an ingress default-deny (KNS005 carries 5.3.2)
    """

    id = "KNS006"
    name = "no-default-deny-ingress"
    title = "Namespace has no default-deny ingress policy"
    severity = Severity.MEDIUM
    # Not cis-k8s-1.10:5.3.2 (every namespace has NetworkPolicies): KNS005 judges that.
    references = ()
    fix = "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress]."
    direction = "Ingress"
