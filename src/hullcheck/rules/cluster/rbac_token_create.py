from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule


class RbacTokenCreate(RbacRule):
    """
    ## What it finds
    Subjects that can create service account tokens (`create` on `serviceaccounts/token`), with
    the chain subject <- binding -> role -> rule.

    ## Why it matters
    A token request mints a credential for any service account in scope: whatever those accounts
    may do, the subject may do.

    ## How to fix
    Remove the permission; pods get their tokens from the kubelet without it.

    Before:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}
    ```
    After:
    ```yaml
    rules: []
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.13
    """

    id = "KNS029"
    name = "rbac-create-tokens"
    title = "Subject can create service account tokens"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.13",)
    fix = "Remove create on serviceaccounts/token."
    what = "mint service account tokens"
    permissions = (("create", "serviceaccounts/token", ""),)
