from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._netpol import DefaultDenyRule


class NetworkDefaultDenyEgress(DefaultDenyRule):
    """
    ## What it finds
    Namespaces with workloads and NetworkPolicies where no policy selects every pod
    (`podSelector: {}`) for `Egress`. A policy has `Egress` among its types only when it says so
    in `policyTypes` or, without `policyTypes`, has `egress` rules. Namespaces without any policy
    are KNS005's.

    ## Why it matters
    Unrestricted egress lets a compromised pod reach the cloud metadata service, internal
    databases and the internet to exfiltrate data or fetch tools.

    ## How to fix
    Add a default-deny egress policy and allow DNS and the services each workload calls.

    Before:
    ```yaml
    spec: {podSelector: {}, ingress: []}
    ```
    After:
    ```yaml
    spec:
      podSelector: {}
      policyTypes: [Ingress, Egress]
      egress: [{ports: [{port: 53, protocol: UDP}]}]
    ```

    ## References
    - Not tagged CIS Kubernetes Benchmark 1.10, 5.3.2: that item asks only that every
      namespace has NetworkPolicies, which this finding's namespace has; it does not ask for
      an egress default-deny (KNS005 carries 5.3.2)
    """

    id = "KNS007"
    name = "no-default-deny-egress"
    title = "Namespace has no default-deny egress policy"
    severity = Severity.LOW
    # Not cis-k8s-1.10:5.3.2 (every namespace has NetworkPolicies): KNS005 judges that.
    references = ()
    fix = "Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress]."
    direction = "Egress"
