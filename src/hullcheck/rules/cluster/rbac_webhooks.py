from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule

_ADM = "admissionregistration.k8s.io"
_KINDS = ("validatingwebhookconfigurations", "mutatingwebhookconfigurations")


class RbacWebhooks(RbacRule):
    """
    ## What it finds
    Subjects that can create, change or delete admission webhook configurations, with the chain
    subject <- binding -> role -> rule.

    ## Why it matters
    A mutating webhook sees and rewrites every object sent to the API server (secrets included);
    deleting a validating webhook switches off the policy it enforced.

    ## How to fix
    Reserve webhook configuration writes to cluster administrators.

    Before:
    ```yaml
    rules:
    - {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations],
       verbs: [create, update, patch]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations],
       verbs: [get, list]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.12
    """

    id = "KNS028"
    name = "rbac-webhook-configurations"
    title = "Subject can change admission webhooks"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.12",)
    fix = "Remove write verbs on validating/mutating webhook configurations."
    what = "change admission webhooks"
    permissions = tuple((v, k, _ADM) for k in _KINDS
                        for v in ("create", "update", "patch", "delete", "deletecollection"))
