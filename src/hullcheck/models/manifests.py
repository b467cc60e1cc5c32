"""The Kubernetes manifests of one scan, as the engine judges them.

Built by ``hullcheck.inputs.kubernetes``: every object of every file, and each workload to judge
(a pod template whose controller is not in the scan) with its containers already normalised. The
object graph that cross-resource rules read is built once, on first use, for the whole scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullcheck.models.container import ContainerSpec
from hullcheck.models.kubernetes import KubeObject
from hullcheck.models.pod import Pod

if TYPE_CHECKING:
    from hullcheck.models.graph import ObjectGraph


@dataclass
class Workload:
    """A pod the rules judge, with its containers as ``ContainerSpec`` (LimitRange defaults
    of its namespace applied)."""

    pod: Pod
    containers: list[ContainerSpec]


@dataclass
class Manifests:
    objects: list[KubeObject]
    workloads: list[Workload] = field(default_factory=list)
    _graph: ObjectGraph | None = field(default=None, repr=False, compare=False)

    @property
    def graph(self) -> ObjectGraph:
        """Every object of the scan as one graph, built on first use and kept (only
        cross-resource rules need it)."""
        if self._graph is None:
            from hullcheck.models.graph import ObjectGraph

            self._graph = ObjectGraph(self.objects)
        return self._graph
