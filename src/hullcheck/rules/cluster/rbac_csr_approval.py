from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule

_CERTS = "certificates.k8s.io"


class RbacCsrApproval(RbacRule):
    """
    ## What it finds
    Subjects that can approve certificate signing requests: `update`/`patch` on
    `certificatesigningrequests/approval`, or `approve` on `signers`, with the chain
    subject <- binding -> role -> rule.

    ## Why it matters
    Approving your own CSR for `system:masters` or a node identity yields a client certificate
    with that power, valid until it expires.

    ## How to fix
    Leave approval to the controllers that need it.

    Before:
    ```yaml
    rules:
    - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval],
       verbs: [update]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests], verbs: [get]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.11
    """

    id = "KNS027"
    name = "rbac-csr-approval"
    title = "Subject can approve certificate signing requests"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.11",)
    fix = "Remove update/patch on certificatesigningrequests/approval and approve on signers."
    what = "approve certificate requests"
    permissions = (
        ("update", "certificatesigningrequests/approval", _CERTS),
        ("patch", "certificatesigningrequests/approval", _CERTS),
        ("approve", "signers", _CERTS),
    )
