"""Pods as Kubernetes runs them: the pod template of a workload object, with its containers.

``pod_of(obj)`` finds the pod template of any workload kind (Pod, Deployment, ReplicaSet,
StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate, Argo Rollouts'
``Rollout``, OpenShift's ``DeploymentConfig``) and returns a ``Pod`` that keeps the raw mappings
(with their lines) so rules can point at the offending field. It is a pure function of the
``KubeObject`` and is cached on it, so the workload rules and the cross-resource rules share one
``Pod`` per object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hullcheck.models.kubernetes import KubeObject
from hullcheck.models.lines import LineDict, LineList
from hullcheck.models.location import Location

# The container lists of a pod spec, in the order pod-security-admission visits them.
CONTAINER_LISTS: tuple[str, ...] = ("containers", "initContainers", "ephemeralContainers")

# kind -> (accepted API groups, path from the object to the pod template {metadata, spec}).
# A path of () means the object itself is the pod (metadata + spec).
_WORKLOADS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "Pod": (frozenset({""}), ()),
    "PodTemplate": (frozenset({""}), ("template",)),
    "ReplicationController": (frozenset({""}), ("spec", "template")),
    "Deployment": (frozenset({"apps", "extensions"}), ("spec", "template")),
    "ReplicaSet": (frozenset({"apps", "extensions"}), ("spec", "template")),
    "StatefulSet": (frozenset({"apps"}), ("spec", "template")),
    "DaemonSet": (frozenset({"apps", "extensions"}), ("spec", "template")),
    "Job": (frozenset({"batch"}), ("spec", "template")),
    "CronJob": (frozenset({"batch"}), ("spec", "jobTemplate", "spec", "template")),
    "Rollout": (frozenset({"argoproj.io"}), ("spec", "template")),
    # OpenShift: a DeploymentConfig runs its pods through ReplicationControllers it owns.
    "DeploymentConfig": (frozenset({"apps.openshift.io"}), ("spec", "template")),
}
WORKLOAD_KINDS = frozenset(_WORKLOADS)

LATEST_VERSION: tuple[int, int] = (1, 37)


def api_group(api_version: str) -> str:
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def mapping(value: Any) -> LineDict | None:
    """``value`` when it is a mapping (``null`` and scalars count as unset)."""
    return value if isinstance(value, LineDict) else None


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` or None when any step is missing or not a mapping."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def security_field(holder: LineDict, keys: tuple[str, ...]) -> Any:
    """A field of ``holder``'s securityContext (None when unset): ``dig`` written out, since
    every rule asks it of every container and pod (``PodContainer.sc``, ``Pod.psc``)."""
    value = holder.get("securityContext")
    if not isinstance(value, LineDict):
        return None
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def line_of(value: Any, *keys: str, default: int | None = None) -> int | None:
    """The line of the last key of ``keys`` inside ``value`` (or of the deepest one present)."""
    line = default
    for key in keys:
        if not isinstance(value, LineDict) or key not in value:
            return line
        line = value.line_of(key)
        value = value[key]
    return line


@dataclass(frozen=True)
class PssPolicy:
    """The Pod Security Standards level and version a pod is judged at, and who said so."""

    level: str  # privileged | baseline | restricted
    version: tuple[int, int]
    source: str  # "--pss-level" or "Namespace/<name> labels"

    @property
    def version_text(self) -> str:
        return f"v{self.version[0]}.{self.version[1]}"


DEFAULT_PSS = PssPolicy("restricted", LATEST_VERSION, "--pss-level")


@dataclass(slots=True)
class PodContainer:
    """One container of a pod as the Kubernetes-specific rules see it (the K8S and KNS families,
    through ``Pod.containers`` or ``PodTemplate.containers()``: the same objects). Rules read it
    through the accessors below, which keep each value's line; ``data`` is the raw mapping for
    the model itself and ``inputs.k8s_container``, which normalises it into the cross-platform
    ``ContainerSpec`` the container (CT) rules judge."""

    name: str  # as written, or ``<list>[<index>]`` when the container has no name
    list_name: str  # containers | initContainers | ephemeralContainers
    index: int
    data: LineDict
    line: int  # the container's ``name:`` line (where a missing field goes)

    def field(self, *keys: str) -> Any:
        """A field of the container (``field("lifecycle", "preStop")``); None when unset."""
        return dig(self.data, *keys)

    def entries(self, key: str) -> list[tuple[int, LineDict]]:
        """The mappings of a list field (``ports``, ``volumeMounts``, ``env``), each with its
        item's line; anything else in the list (or a field that is no list) is left out."""
        items = self.data.get(key)
        if not isinstance(items, LineList):
            return []
        return [(items.line_of(i), item) for i, item in enumerate(items)
                if isinstance(item, LineDict)]

    @property
    def ports(self) -> list[tuple[int, LineDict]]:
        return self.entries("ports")

    @property
    def volume_mounts(self) -> list[tuple[int, LineDict]]:
        return self.entries("volumeMounts")

    @property
    def resources(self) -> LineDict | None:
        return mapping(self.data.get("resources"))

    @property
    def security_context(self) -> LineDict | None:
        return mapping(self.data.get("securityContext"))

    def sc(self, *keys: str) -> Any:
        """A field of the container's securityContext (None when unset)."""
        return security_field(self.data, keys)

    def sc_line(self, *keys: str) -> int:
        """The line of a securityContext field, else of the deepest part present, else name."""
        sc = self.security_context
        if sc is None:
            return line_of(self.data, "securityContext", default=self.line) or self.line
        return line_of(sc, *keys, default=line_of(self.data, "securityContext")) or self.line


@dataclass(slots=True)
class Pod:
    """One pod template: the workload that owns it, its metadata and spec, its containers."""

    owner: KubeObject
    metadata: LineDict  # the template's metadata (the object's own for a Pod)
    spec: LineDict
    spec_path: str  # "spec", "spec.template.spec", ...
    containers: list[PodContainer]
    # Set by the Kubernetes input before rules run (namespace labels or --pss-level).
    pss: PssPolicy = DEFAULT_PSS  # immutable: one for every pod not given its own

    @property
    def ref(self) -> str:
        return self.owner.ref

    @property
    def annotations(self) -> dict[str, str]:
        ann = mapping(self.metadata.get("annotations"))
        if ann is None:
            return {}
        return {str(k): "" if v is None else str(v) for k, v in ann.items()}

    def annotation_line(self, key: str) -> int:
        ann = mapping(self.metadata.get("annotations"))
        if ann is not None and key in ann:
            return ann.line_of(key)
        return self.metadata.line

    @property
    def security_context(self) -> LineDict | None:
        return mapping(self.spec.get("securityContext"))

    def psc(self, *keys: str) -> Any:
        """A field of the pod-level securityContext (None when unset)."""
        return security_field(self.spec, keys)

    def psc_line(self, *keys: str) -> int:
        return line_of(self.spec, "securityContext", *keys, default=self.spec.line) or 1

    def spec_line(self, *keys: str) -> int:
        return line_of(self.spec, *keys, default=self.spec.line) or 1

    @property
    def host_users_false(self) -> bool:
        """``spec.hostUsers`` set and false: the pod runs in its own user namespace."""
        return self.spec.get("hostUsers") is False

    @property
    def is_windows(self) -> bool:
        return dig(self.spec, "os", "name") == "windows"

    def containers_in(self, *lists: str) -> list[PodContainer]:
        """The containers of the given lists (``"initContainers", "containers"``), in that
        order."""
        return [c for list_name in lists for c in self.containers if c.list_name == list_name]

    def container(self, name: str) -> PodContainer | None:
        return next((c for c in self.containers if c.name == name), None)

    def location(self, line: int | None = None, container: PodContainer | None = None
                 ) -> Location:
        if line is None:
            line = container.line if container is not None else self.owner.name_line
        return Location(path=self.owner.path, line=line, object=self.owner.ref,
                        container=container.name if container is not None else None)

    def volumes(self) -> Iterator[tuple[int, LineDict]]:
        vols = self.spec.get("volumes")
        if isinstance(vols, LineList):
            for i, v in enumerate(vols):
                if isinstance(v, LineDict):
                    yield vols.line_of(i), v


def _template(obj: KubeObject) -> tuple[LineDict, LineDict, str] | None:
    entry = _WORKLOADS.get(obj.kind)
    if entry is None:
        return None
    groups, path = entry
    if api_group(obj.api_version) not in groups:
        return None
    holder: Any = obj.data
    for key in path:
        holder = holder.get(key) if isinstance(holder, dict) else None
    if not isinstance(holder, LineDict):
        return None  # e.g. a Rollout with spec.workloadRef has no template of its own
    spec = mapping(holder.get("spec"))
    if spec is None:
        return None
    meta = mapping(holder.get("metadata")) or LineDict(holder.line)
    return meta, spec, ".".join((*path, "spec"))


def _containers(spec: LineDict) -> list[PodContainer]:
    out: list[PodContainer] = []
    for list_name in CONTAINER_LISTS:
        items = spec.get(list_name)
        if not isinstance(items, LineList):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, LineDict):
                continue
            name = item.get("name")
            line = item.line_of("name") if "name" in item else items.line_of(i)
            out.append(PodContainer(name=str(name) if name is not None else f"{list_name}[{i}]",
                                    list_name=list_name, index=i, data=item, line=line))
    return out


def pod_of(obj: KubeObject) -> Pod | None:
    """The pod template of a workload object, or None for anything else (cached on ``obj``).

    Exposed for cross-resource rules too (which pods a NetworkPolicy selects, which workloads
    reach the node): ``pod.metadata`` carries the template's labels.
    """
    if obj.pod_cache is not False:
        cached: Pod | None = obj.pod_cache
        return cached
    found = _template(obj)
    pod: Pod | None = None
    if found is not None:
        meta, spec, spec_path = found
        pod = Pod(owner=obj, metadata=meta, spec=spec, spec_path=spec_path,
                  containers=_containers(spec))
    obj.pod_cache = pod
    return pod


def controlled_in_scan(objects: list[KubeObject]) -> set[int]:
    """``id()`` of the workload objects whose controller (an ``ownerReferences`` entry with
    ``controller: true``) is a workload of the same scan: a ``kubectl get -A`` dump holds the
    Deployment, its ReplicaSet and their Pods, and each pod template is judged once, on the
    controller."""
    keys = {(o.kind, o.namespace, o.name) for o in objects if o.kind in WORKLOAD_KINDS}
    out: set[int] = set()
    for obj in objects:
        if obj.kind not in WORKLOAD_KINDS:
            continue
        refs = obj.metadata.get("ownerReferences")
        if isinstance(refs, list) and any(
            isinstance(r, dict) and r.get("controller") is True
            and (str(r.get("kind")), obj.namespace, str(r.get("name"))) in keys
            for r in refs
        ):
            out.add(id(obj))
    return out


def pods_of(objects: list[KubeObject]) -> list[Pod]:
    """Every pod template among ``objects``, in order."""
    return [p for p in (pod_of(o) for o in objects) if p is not None]


def parse_version(text: str) -> tuple[int, int]:
    """``1.30``, ``v1.30``, ``1.30.2`` or ``latest``; newer than the newest known is clamped,
    as pod-security-admission does."""
    t = text.strip().lower()
    if t in ("", "latest"):
        return LATEST_VERSION
    t = t.removeprefix("v")
    parts = t.split(".")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts) or parts[0] != "1":
        raise ValueError(f"{text!r} is not a Kubernetes version (expected 1.30, v1.30 or latest)")
    version = (1, int(parts[1]))
    return min(version, LATEST_VERSION)
