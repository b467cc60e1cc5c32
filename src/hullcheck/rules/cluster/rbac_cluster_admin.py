from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Severity
from hullcheck.models.graph import PolicyRule
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._rbac import RbacRule


class RbacClusterAdmin(RbacRule):
    """
    ## What it finds
    Subjects bound to `cluster-admin`, or to any role whose rule grants every verb on every
    resource of every API group (cluster-admin by another name), with the chain
    subject <- binding -> role -> rule. A RoleBinding to cluster-admin is reported too: it is
    full control of that namespace, secrets and RBAC included.

    ## Why it matters
    cluster-admin is unrestricted control of the cluster. A stolen token of such a subject (a CI
    service account, a controller) is a cluster compromise.

    ## How to fix
    Bind a role that grants only what the subject needs.

    Before:
    ```yaml
    kind: ClusterRoleBinding
    roleRef: {kind: ClusterRole, name: cluster-admin}
    subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
    ```
    After:
    ```yaml
    kind: RoleBinding
    metadata: {namespace: apps}
    roleRef: {kind: ClusterRole, name: edit}
    subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.1
    """

    id = "KNS016"
    name = "rbac-cluster-admin"
    title = "Subject holds cluster-admin"
    severity = Severity.CRITICAL
    references = ("cis-k8s-1.10:5.1.1",)
    # Where it reports a `*` on `*` rule on that rule's line, it stands for KNS018 there
    # (hullcheck.overlaps) and carries its tag.
    extra_references = ("cis-k8s-1.10:5.1.3",)
    fix = "Replace the cluster-admin binding with a role granting only what the subject needs."
    what = "do anything (cluster-admin)"

    def hits(self, ctx: Context, rules: Iterable[PolicyRule]) -> list[tuple[PolicyRule, str]]:
        return [(r, "* on *") for r in rules if r.is_everything]
