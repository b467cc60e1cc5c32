from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule

_RBAC = "rbac.authorization.k8s.io"
_AUTHN = "authentication.k8s.io"


class RbacEscalate(RbacRule):
    """
    ## What it finds
    Subjects with `bind` or `escalate` on Roles/ClusterRoles, or `impersonate` on users, groups,
    service accounts, UIDs or user extras, with the chain subject <- binding -> role -> rule.

    ## Why it matters
    These verbs exist to get around RBAC's privilege-escalation prevention: `escalate` edits a
    role to grant more than you hold, `bind` binds roles you do not hold, `impersonate` acts as
    anyone (system:masters included).

    ## How to fix
    Remove these verbs from all but the few administrative roles that need them.

    Before:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [users, groups], verbs: [impersonate]}
    ```
    After:
    ```yaml
    rules: []
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.8
    """

    id = "KNS024"
    name = "rbac-escalate"
    title = "Subject can bind, escalate or impersonate"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.8",)
    fix = "Remove bind, escalate and impersonate from the role."
    what = "get around RBAC"
    permissions = (
        ("escalate", "roles", _RBAC), ("escalate", "clusterroles", _RBAC),
        ("bind", "roles", _RBAC), ("bind", "clusterroles", _RBAC),
        ("impersonate", "users", ""), ("impersonate", "groups", ""),
        ("impersonate", "serviceaccounts", ""), ("impersonate", "uids", _AUTHN),
        ("impersonate", "userextras/scopes", _AUTHN),
    )
