from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, is_kubernetes_own
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule

# Subjects that stand for everybody, with who that is. (kind, name) -> (who, severity)
_EVERYBODY: dict[tuple[str, str], tuple[str, Severity]] = {
    ("User", "system:anonymous"): ("anyone who can reach the API server, unauthenticated",
                                   Severity.CRITICAL),
    ("Group", "system:unauthenticated"): ("anyone who can reach the API server, "
                                          "unauthenticated", Severity.CRITICAL),
    ("Group", "system:authenticated"): ("every authenticated user and service account (on "
                                        "GKE, any Google account)", Severity.HIGH),
    ("Group", "system:serviceaccounts"): ("every service account of every namespace, so any "
                                          "compromised pod", Severity.HIGH),
}

# The roles Kubernetes itself binds to these groups: discovery, "who am I" and the version.
_HARMLESS_ROLES = frozenset({
    "ClusterRole/system:discovery",
    "ClusterRole/system:basic-user",
    "ClusterRole/system:public-info-viewer",
})


class RbacBroadGroup(ClusterRule):
    """
    ## What it finds
    Bindings whose subjects stand for everybody: the user `system:anonymous`, the groups
    `system:unauthenticated` (critical), `system:authenticated` and `system:serviceaccounts`
    (high), whatever role they grant. Kubernetes' own bindings, and bindings to the roles it
    grants these groups itself (`system:discovery`, `system:basic-user`,
    `system:public-info-viewer`), are not reported. The group of one namespace's service
    accounts (`system:serviceaccounts:<namespace>`) is not reported either.

    ## Why it matters
    RBAC is only as narrow as its subjects. A binding to `system:authenticated` hands the role
    to every user and every service account token of the cluster (on GKE, to any Google
    account that can reach the API server); one to `system:serviceaccounts` to every pod that
    mounts a token, so one compromised container gets it; one to `system:anonymous` or
    `system:unauthenticated` to anyone who can reach the API server at all. Even `view` read
    this way lists every workload, ConfigMap and Service for an attacker.

    ## How to fix
    Bind the role to the named users, groups or service accounts that need it.

    Before:
    ```yaml
    subjects: [{kind: Group, name: "system:authenticated"}]
    ```
    After:
    ```yaml
    subjects: [{kind: Group, name: dashboard-viewers}]
    ```

    ## References
    - Kubernetes documentation, "RBAC good practices": avoid binding to `system:authenticated`
      and `system:unauthenticated`
    - NSA/CISA Kubernetes Hardening Guide, "Authentication and authorization"
    """

    id = "KNS043"
    name = "rbac-broad-group"
    title = "Binding grants a role to everybody"
    severity = Severity.HIGH
    fix = "Bind named users, groups or service accounts instead of system:authenticated, " \
          "system:unauthenticated, system:anonymous or system:serviceaccounts."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for grant in graph.grants():
            if is_kubernetes_own(grant.binding) or grant.role_ref in _HARMLESS_ROLES:
                continue
            for subject in grant.subjects:
                everybody = _EVERYBODY.get((subject.kind, subject.name))
                if everybody is None:
                    continue
                who, severity = everybody
                role = "" if grant.role is not None else " (a role not in this scan)"
                yield self.finding(
                    grant.binding.location(subject.line),
                    f"{grant.chain(subject)}{role} {grant.where}: the role goes to {who}.",
                    evidence=f"{subject.kind}:{subject.name}>{grant.role_ref}",
                    severity=severity,
                )
