from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, is_kubernetes_own
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule


class RbacSystemMasters(ClusterRule):
    """
    ## What it finds
    Bindings naming the group `system:masters` as a subject (other than Kubernetes' own
    `cluster-admin` binding).

    ## Why it matters
    Members of `system:masters` bypass RBAC and every authorisation webhook; the membership comes
    from a client certificate that cannot be revoked before it expires. Building on the group
    makes it look like a normal role holder.

    ## How to fix
    Bind named users or groups to the roles they need; keep `system:masters` for break-glass
    certificates only.

    Before:
    ```yaml
    subjects: [{kind: Group, name: "system:masters"}]
    ```
    After:
    ```yaml
    subjects: [{kind: Group, name: platform-admins}]
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.7
    """

    id = "KNS023"
    name = "rbac-system-masters"
    title = "Binding uses the system:masters group"
    severity = Severity.CRITICAL
    references = ("cis-k8s-1.10:5.1.7",)
    fix = "Bind a named group instead of system:masters."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for grant in graph.grants():
            if is_kubernetes_own(grant.binding):
                continue
            for subject in grant.subjects:
                if subject.kind == "Group" and subject.name == "system:masters":
                    yield self.finding(
                        grant.binding.location(subject.line),
                        f"{grant.chain(subject)} {grant.where}: system:masters already bypasses "
                        "RBAC; membership comes from irrevocable client certificates.",
                        evidence=f"{grant.role_ref}",
                    )
