from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule


class RbacWildcard(ClusterRule):
    """
    ## What it finds
    Rules of Roles and ClusterRoles with `*` in `apiGroups`, `resources` or `verbs`, on the rule's
    line. Roles Kubernetes creates itself (`system:` names, the `rbac-defaults` label) are not
    judged.

    ## Why it matters
    A wildcard grants everything that exists now and everything added later (new resources, CRDs,
    subresources such as `pods/exec`), so the role's real reach is unknowable from reading it.

    ## How to fix
    List the API groups, resources and verbs the subject needs.

    Before:
    ```yaml
    rules:
    - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [apps], resources: [deployments], verbs: [get, list, patch]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.3
    """

    id = "KNS018"
    name = "rbac-wildcard"
    title = "Role uses a wildcard"
    severity = Severity.HIGH
    references = ("cis-k8s-1.10:5.1.3",)
    fix = "Replace '*' with the explicit API groups, resources and verbs needed."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for role in graph.roles().values():
            if role.obj is None or role.own:
                continue
            for rule in role.rules:
                if rule.role != role.ref:
                    continue  # aggregated: reported on the role that wrote it
                fields = [name for name, values in (("apiGroups", rule.api_groups),
                                                    ("resources", rule.resources),
                                                    ("verbs", rule.verbs)) if "*" in values]
                if "*" in rule.non_resource_urls:
                    fields.append("nonResourceURLs")
                if fields:
                    yield self.finding(
                        role.obj.location(rule.line or None),
                        f"{rule.describe()}: '*' in {', '.join(fields)}.",
                        evidence=f"{role.ref}#{rule.index}:{','.join(fields)}",
                    )
