"""The Kubernetes manifests of one scan, as the engine judges them.

Built by ``hullcheck.inputs.kubernetes``: every object of every file, and each workload to judge
(a pod template whose controller is not in the scan) with its containers already normalised, and
the deployable units cross-resource rules judge one at a time (each unit's object graph is built
once, on first use).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from hullcheck.models.container import ContainerSpec
from hullcheck.models.kubernetes import KubeObject
from hullcheck.models.location import SourceRef, UnitRef
from hullcheck.models.pod import Pod

if TYPE_CHECKING:
    from hullcheck.models.graph import ObjectGraph


@dataclass
class Workload:
    """A pod the rules judge, with its containers as ``ContainerSpec`` (LimitRange defaults
    of its namespace applied).

    The containers are made on first use, in the process that judges the workload
    (``Engine.walk_manifests`` judges workloads in a child process on a large batch, and making
    them is a third of loading)."""

    pod: Pod
    make_containers: Callable[[], list[ContainerSpec]] = field(repr=False, compare=False)

    @cached_property
    def containers(self) -> list[ContainerSpec]:
        return self.make_containers()


@dataclass
class Unit:
    """One deployable unit: the objects applied together (a directory, a file, a kustomization
    and what it includes...), judged together by cross-resource rules and never with another
    unit's. An object may sit in several units (a base two overlays include)."""

    ref: UnitRef
    objects: list[KubeObject]
    # (path, object ref) of an object -> the template or file it came from, for a rendered unit
    # (a chart, a rendered kustomization) or a rendered stream on stdin.
    origins: dict[tuple[str, str], SourceRef] = field(default_factory=dict)
    # True when a renderer produced the objects: findings report their source's path and line.
    rendered: bool = False
    # What the report's overview keeps of the graph (``kube_overview.keep_exposure``), so the
    # graph itself can go once the cross-resource rules have judged the unit.
    exposure: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    _graph: ObjectGraph | None = field(default=None, repr=False, compare=False)

    @property
    def graph(self) -> ObjectGraph:
        """The unit's objects as one graph, built on first use and kept until
        ``release_graph``."""
        if self._graph is None:
            from hullcheck.models.graph import ObjectGraph

            self._graph = ObjectGraph(self.objects)
        return self._graph

    def release_graph(self) -> None:
        """Let the graph go: a scan of a thousand units holds one graph at a time, not all."""
        self._graph = None


@dataclass
class Manifests:
    objects: list[KubeObject]
    workloads: list[Workload] = field(default_factory=list)
    # Cross-resource rules judge each unit alone; without units, the whole batch is one.
    units: list[Unit] = field(default_factory=list)
    # A file's path -> the unit its pod and container findings report (the first that holds it).
    unit_of: dict[str, UnitRef] = field(default_factory=dict)
    # A rendered object (by id) -> its unit: a file two rendered kustomizations include is two
    # objects, each reporting in its own unit, which a path cannot say.
    unit_by_object: dict[int, Unit] = field(default_factory=dict)
    _by_ref: dict[UnitRef, Unit] = field(default_factory=dict, repr=False, compare=False)
    exposure: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    _graph: ObjectGraph | None = field(default=None, repr=False, compare=False)

    def objects_of_unit(self, obj: KubeObject) -> list[KubeObject]:
        """The objects of the unit ``obj``'s file reports in (``unit_of``), or every object
        when there are no units or the file is in none."""
        unit = self.unit_for(obj)
        return unit.objects if unit is not None else self.objects

    def unit_for(self, obj: KubeObject) -> Unit | None:
        """The unit ``obj``'s findings report in: its rendered unit, else the one its file
        reports in (``unit_of``); None without units."""
        unit = self.unit_by_object.get(id(obj))
        if unit is not None:
            return unit
        ref = self.unit_of.get(obj.path)
        if ref is None:
            return None
        if len(self._by_ref) != len(self.units):
            self._by_ref = {unit.ref: unit for unit in self.units}
        return self._by_ref.get(ref)

    @property
    def graph(self) -> ObjectGraph:
        """Every object of the scan as one graph, built on first use and kept until
        ``release_graph`` (only cross-resource rules and the overview need it)."""
        if self._graph is None:
            from hullcheck.models.graph import ObjectGraph

            self._graph = ObjectGraph(self.objects)
        return self._graph

    def release_graph(self) -> None:
        self._graph = None
