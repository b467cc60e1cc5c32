from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule


class RbacSecrets(RbacRule):
    """
    ## What it finds
    Subjects that can `get`, `list` or `watch` Secrets, with the chain subject <- binding ->
    role -> rule (aggregated ClusterRoles resolved). `list` and `watch` return the secret values
    too, not just their names.

    ## Why it matters
    Secrets hold service account tokens, registry credentials, TLS keys and database passwords:
    reading them is usually a step to more privilege.

    ## How to fix
    Grant access to the named secrets the subject needs (`resourceNames`), or none.

    Before:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [secrets], resourceNames: [app-db], verbs: [get]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.2
    """

    id = "KNS017"
    name = "rbac-read-secrets"
    title = "Subject can read secrets"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.2",)
    fix = "Remove get/list/watch on secrets, or limit it with resourceNames."
    what = "read secrets"
    permissions = (("get", "secrets", ""), ("list", "secrets", ""), ("watch", "secrets", ""))
