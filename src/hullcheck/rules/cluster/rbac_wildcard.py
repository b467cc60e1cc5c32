from __future__ import annotations

from collections.abc import Collection, Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule

# API groups that serve reads only (the metrics pipelines' aggregated APIs): a wildcard there
# cannot write anything, whatever the verbs say.
READ_ONLY_GROUPS = frozenset({"metrics.k8s.io", "custom.metrics.k8s.io",
                              "external.metrics.k8s.io"})
READ_VERBS = frozenset({"get", "list", "watch"})


def wildcard_severity(api_groups: Collection[str], verbs: Collection[str]) -> Severity:
    """How far a wildcard rule reaches, by its verbs and groups (issue 24): anything on every
    group, or writes, high; reading the core group's everything (Secrets) high; reading another
    group's everything medium; the read-only metrics groups low."""
    groups = set(api_groups)
    if "*" in groups:
        return Severity.HIGH
    if groups and groups <= READ_ONLY_GROUPS:
        return Severity.LOW
    if not set(verbs) <= READ_VERBS:
        return Severity.HIGH
    return Severity.HIGH if "" in groups else Severity.MEDIUM


class RbacWildcard(ClusterRule):
    """
    ## What it finds
    Rules of Roles and ClusterRoles with `*` in `apiGroups`, `resources` or `verbs`, on the rule's
    line. Roles Kubernetes creates itself (`system:` names, the `rbac-defaults` label) are not
    judged. Rated by what the rule reaches: high for `*` in `apiGroups`, for any verb beyond
    `get`, `list`, `watch`, and for reading every resource of the core group (Secrets
    included); medium for reading every resource of other groups; low for the read-only
    metrics groups (`metrics.k8s.io`, `custom.metrics.k8s.io`, `external.metrics.k8s.io`
    serve nothing but reads, whatever the verbs say). A rule granting `*` on `*` is KNS016's
    (cluster-admin), which reports it on the same line.

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
                    severity = wildcard_severity(rule.api_groups, rule.verbs)
                    reach = {Severity.LOW: " (API groups that serve reads only)",
                             Severity.MEDIUM: " (reads only)"}.get(severity, "")
                    yield self.finding(
                        role.obj.location(rule.line or None),
                        f"{rule.describe()}: '*' in {', '.join(fields)}{reach}.",
                        evidence=f"{role.ref}#{rule.index}:{','.join(fields)}",
                        severity=severity,
                    )
