"""What every cluster rule shares: the graph of the scan, built once, and message helpers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from hullcheck.findings import Finding
from hullcheck.models.graph import ObjectGraph, PodTemplate, graph_for
from hullcheck.rules.base import Context, Rule

# Names of workloads shown in one message before "and N more".
MAX_NAMED = 5


class ClusterRule(Rule):
    """A rule judging the whole scan. Subclasses implement ``check_graph``."""

    inputs: ClassVar[frozenset[str]] = frozenset({"kubernetes"})

    def check_objects(self, ctx: Context, graph: Any) -> Iterable[Finding]:
        return self.check_graph(ctx, graph_for(graph))

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterable[Finding]:
        return ()


def name_pods(pods: list[PodTemplate]) -> str:
    """``Deployment/prod/web, StatefulSet/prod/db`` (deduplicated, at most MAX_NAMED)."""
    refs = list(dict.fromkeys(p.ref for p in pods))
    if not refs:
        return "no workload in this scan"
    shown = ", ".join(refs[:MAX_NAMED])
    if len(refs) > MAX_NAMED:
        shown += f" and {len(refs) - MAX_NAMED} more"
    return shown
