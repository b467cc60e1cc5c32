"""A Kubernetes scan at a glance, for people reading the report (JSON's additive ``kubernetes``).

- ``namespaces``: each namespace of the scan with its workloads, its Pod Security labels, the
  level its pods were judged at (``judged_at``: the lowest of its pods', from ``--pss-level`` and
  the namespace's own ``enforce`` label) and, once the findings are final, the level it
  ``reaches``: ``privileged`` when a pod breaks a baseline control, ``baseline`` when one breaks a
  restricted control it was judged at, else the level it was judged at.
- ``exposure``: which Ingress, LoadBalancer and NodePort Services reach which workloads (by the
  Services' selectors, as Kubernetes selects pods; an Ingress through the Services it names).

Built from the models after the rules ran (``overview``), and completed with the findings after
suppression (``add_levels``): a suppressed finding still breaks the level (the pod would still be
refused), so every finding the selection kept counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hullcheck.findings import Finding
from hullcheck.models.manifests import Manifests, Unit

if TYPE_CHECKING:
    from hullcheck.models.graph import ObjectGraph
    from hullcheck.models.kubernetes import KubeObject

# Bounds (docs/security.md): workloads listed per namespace and exposure entries per scan.
MAX_WORKLOADS_LISTED = 1_000
MAX_EXPOSURE_ENTRIES = 10_000
_LEVELS = ("privileged", "baseline", "restricted")
ENFORCE = "pod-security.kubernetes.io/enforce"


def overview(manifests: Manifests) -> dict[str, Any]:
    """The namespaces and the exposure map of one batch of manifests. A Service reaches the
    pods of its own deployable unit, as the cluster rules judge it: each unit's graph (already
    built for those rules) answers, and an entry two units share is listed once."""
    namespaces: dict[str, dict[str, Any]] = {}
    declared: dict[str, KubeObject] = {}
    for obj in manifests.objects:
        if obj.kind == "Namespace":
            declared.setdefault(obj.name, obj)  # the first, as the object graph keeps it

    def entry(name: str) -> dict[str, Any]:
        ns = namespaces.get(name)
        if ns is None:
            obj = declared.get(name)
            ns = namespaces[name] = {
                "name": name, "workloads": [], "workload_count": 0,
                "enforce": (obj.labels.get(ENFORCE) if obj is not None else None),
                "judged_at": None, "reaches": None,
            }
        return ns

    for name in declared:
        entry(name)
    for workload in manifests.workloads:
        pod = workload.pod
        ns = entry(pod.owner.namespace or "default")
        ns["workload_count"] += 1
        if len(ns["workloads"]) < MAX_WORKLOADS_LISTED:
            ns["workloads"].append(pod.owner.ref)
        level = pod.pss.level if pod.pss is not None else None
        if level in _LEVELS and (ns["judged_at"] is None
                                 or _LEVELS.index(level) < _LEVELS.index(ns["judged_at"])):
            ns["judged_at"] = level

    exposure: dict[tuple[str, str, int, str], dict[str, Any]] = {}
    holders: list[Unit] | list[Manifests] = manifests.units or [manifests]
    for holder in holders:
        keep_exposure(holder)  # a no-op for a unit the cross-resource rules judged
        for item in holder.exposure or ():
            _add(exposure, item)
    return {"namespaces": list(namespaces.values()),
            "exposure": sorted(exposure.values(), key=lambda e: (e["path"], e["line"]))}


def keep_exposure(holder: Unit | Manifests) -> None:
    """Keep the exposure entries of a unit's (or a unit-less batch's) graph on it, then let
    the graph go (``engine.walk_manifests`` calls this once the unit is judged, so a scan
    holds one unit's graph at a time). Each unit's entries are the first
    ``MAX_EXPOSURE_ENTRIES`` distinct ones: merged in unit order by ``overview``, they give
    exactly the entries one shared table would."""
    if holder.exposure is None:
        into: dict[tuple[str, str, int, str], dict[str, Any]] = {}
        _exposure(holder.graph, into)
        holder.exposure = list(into.values())
    holder.release_graph()


def _add(into: dict[tuple[str, str, int, str], dict[str, Any]], item: dict[str, Any]) -> None:
    key = (item["via"], item["path"], item["line"], item.get("service", ""))
    if key not in into and len(into) < MAX_EXPOSURE_ENTRIES:
        into[key] = item


def _exposure(graph: ObjectGraph, into: dict[tuple[str, str, int, str], dict[str, Any]]
              ) -> None:
    """Add ``graph``'s LoadBalancer and NodePort Services and Ingress backends to ``into``."""
    from hullcheck.rules.cluster._ingress import backends, hosts

    def add(item: dict[str, Any]) -> None:
        _add(into, item)

    for svc in graph.by_kind.get("Service", []):
        spec = svc.data.get("spec")
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind not in ("LoadBalancer", "NodePort"):
            continue
        ports = spec.get("ports") if isinstance(spec, dict) else None
        add({"via": svc.ref, "type": str(kind), "path": svc.path, "line": svc.name_line,
             "ports": [str(p.get("port")) for p in ports if isinstance(p, dict)][:64]
             if isinstance(ports, list) else [],
             "workloads": sorted({p.ref for p in graph.service_pods(svc)})})
    for ing in graph.by_kind.get("Ingress", []):
        space = ing.namespace or "default"
        for backend in backends(ing):
            target = graph.get("Service", space, backend.service)
            add({"via": ing.ref, "type": "Ingress", "path": ing.path, "line": backend.line,
                 "hosts": sorted({h for h, _ in hosts(ing)})[:64],
                 "service": f"Service/{space}/{backend.service}",
                 "workloads": sorted({p.ref for p in graph.service_pods(target)})
                 if target is not None else []})


def join(into: dict[str, Any] | None, more: dict[str, Any]) -> dict[str, Any]:
    """Two batches' overviews as one."""
    if into is None:
        return more
    into["namespaces"] += more["namespaces"]
    into["exposure"] = (into["exposure"] + more["exposure"])[:MAX_EXPOSURE_ENTRIES]
    return into


def add_levels(kube: dict[str, Any], findings: list[Finding],
               judged: frozenset[str] = frozenset(("baseline", "restricted"))) -> None:
    """Each namespace's ``reaches``, from the Pod Security findings of the run. ``judged``: the
    levels whose controls the selected rules judge (a selection leaving out every baseline
    rule claims no level; one leaving out the restricted rules claims baseline at most)."""
    broken: dict[str, set[str]] = {}
    for f in findings:
        parts = (f.location.object or "").split("/")
        if len(parts) != 3:
            continue
        for tag in f.references:
            if tag.startswith("pss:baseline:"):
                broken.setdefault(parts[1], set()).add("baseline")
            elif tag.startswith("pss:restricted:"):
                broken.setdefault(parts[1], set()).add("restricted")
    for ns in kube.get("namespaces", []):
        level = ns.get("judged_at")
        if level == "restricted" and "restricted" not in judged:
            level = "baseline"
        if level not in ("baseline", "restricted") or "baseline" not in judged:
            ns["reaches"] = None  # no pod, or nothing judged: no level to claim
            continue
        hit = broken.get(ns["name"], set())
        if "baseline" in hit:
            ns["reaches"] = "privileged"
        elif "restricted" in hit and level == "restricted":
            ns["reaches"] = "baseline"
        else:
            ns["reaches"] = level
