"""Shared logic of the RBAC rules: who can do what, through which binding, role and rule.

A permission is found per binding subject, with the chain ``subject <- binding -> role -> rule``.
Bindings and roles Kubernetes creates itself (``system:`` names, the ``rbac-defaults`` bootstrap
label) are not judged: they are what makes a cluster work, and a `kubectl get -A` dump holds
dozens of them. A user-written binding to a ``system:`` role is judged like any other. A role no
binding in the scan uses is reported on its own rule line, since someone can bind it later.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

from hullcheck.findings import Finding
from hullcheck.models.graph import ObjectGraph, PolicyRule, is_kubernetes_own
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule

# (verb, resource[/subresource], apiGroup)
Permission = tuple[str, str, str]


def kubernetes_minor(ctx: Context) -> int | None:
    """The minor version of ``--kubernetes-version`` (None for latest or unparsable)."""
    raw = str(ctx.options.get("kubernetes_version") or "latest").lstrip("vV")
    parts = raw.split(".")
    if len(parts) >= 2 and parts[0] == "1" and parts[1].isdigit():
        return int(parts[1])
    return None


class RbacRule(ClusterRule):
    # What the permission lets a subject do, for messages: "read secrets".
    what: ClassVar[str] = ""
    permissions: ClassVar[tuple[Permission, ...]] = ()

    def wanted(self, ctx: Context) -> tuple[Permission, ...]:
        return self.permissions

    def hits(self, ctx: Context, rules: Iterable[PolicyRule]) -> list[tuple[PolicyRule, str]]:
        """Rules granting any wanted permission, with the first permission they grant."""
        wanted = self.wanted(ctx)
        out = []
        for rule in rules:
            if rule.is_everything:
                continue  # cluster-admin by another name: KNS016 reports it, once
            for verb, resource, group in wanted:
                if rule.allows(verb, resource, group):
                    out.append((rule, f"{verb} {resource}"))
                    break
        return out

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        # Many bindings grant one role (the built-in edit in every namespace): its rules are
        # matched once.
        by_role: dict[int, list[tuple[PolicyRule, str]]] = {}
        for grant in graph.grants():
            if grant.role is None or is_kubernetes_own(grant.binding):
                continue
            hits = by_role.get(id(grant.role))
            if hits is None:
                hits = by_role[id(grant.role)] = self.hits(ctx, grant.role.rules)
            if not hits:
                continue
            rule, permission = hits[0]
            for subject in grant.subjects:
                yield self.finding(
                    grant.binding.location(subject.line),
                    f"{subject.describe()} can {self.what} ({permission}) {grant.where}: "
                    f"{grant.chain(subject, rule)}.",
                    evidence=f"{subject.kind}:{subject.namespace}:{subject.name}>"
                             f"{grant.role.ref}>{rule.role}#{rule.index}",
                )
        yield from self.unbound(ctx, graph)

    def unbound(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        bound = graph.bound_roles()
        for role in graph.roles().values():
            if role.obj is None or role.own or role.ref in bound:
                continue
            own_rules = [r for r in role.rules if r.role == role.ref]
            for rule, permission in self.hits(ctx, own_rules):
                yield self.finding(
                    role.obj.location(rule.line or None),
                    f"{role.ref} lets whoever is bound to it {self.what} ({permission}): "
                    f"{rule.describe()}; no binding in this scan uses it yet.",
                    evidence=f"unbound>{role.ref}#{rule.index}",
                )
