"""Default-deny detection shared by the ingress and egress rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from hullcheck.findings import Finding
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule


class DefaultDenyRule(ClusterRule):
    direction: ClassVar[str] = "Ingress"

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for ns in graph.workload_namespaces():
            policies = graph.policies(ns)
            if not policies:
                continue  # KNS005
            # Every pod, present and future, is isolated in this direction when one policy with
            # an empty podSelector has the direction among its (effective) policyTypes.
            if any(p.selects_all and self.direction in p.types for p in policies):
                continue
            verb = "accept connections from" if self.direction == "Ingress" else "connect to"
            yield self.finding(
                graph.namespace_anchor(ns).location(),
                f"Namespace {ns} has NetworkPolicies but none isolates every pod for "
                f"{self.direction} (podSelector: {{}} with {self.direction} in policyTypes): "
                f"pods they do not select, and new ones, {verb} anything.",
                evidence=f"ns={ns}",
            )
