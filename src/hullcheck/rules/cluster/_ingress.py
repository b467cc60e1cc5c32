"""Reading Ingress objects (networking.k8s.io/v1 and the old v1beta1 shape)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hullcheck.models.graph import ObjectGraph, PodTemplate
from hullcheck.models.kubernetes import KubeObject
from hullcheck.yamlutil import LineDict, LineList


@dataclass(frozen=True)
class Backend:
    service: str
    line: int


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield (value.line_of(i) if isinstance(value, LineList) else 0), item


def _backend(raw: Any, fallback: int) -> Backend | None:
    if not isinstance(raw, dict):
        return None
    svc = raw.get("service")
    if isinstance(svc, dict) and svc.get("name"):
        line = svc.line_of("name") if isinstance(svc, LineDict) else fallback
        return Backend(str(svc["name"]), line)
    if raw.get("serviceName"):  # extensions/v1beta1, networking.k8s.io/v1beta1
        line = raw.line_of("serviceName") if isinstance(raw, LineDict) else fallback
        return Backend(str(raw["serviceName"]), line)
    return None  # a resource backend


def backends(ingress: KubeObject) -> list[Backend]:
    spec = ingress.data.get("spec")
    if not isinstance(spec, dict):
        return []
    out = []
    for key in ("defaultBackend", "backend"):
        b = _backend(spec.get(key), ingress.line)
        if b:
            out.append(b)
    for _line, rule in _items(spec.get("rules")):
        http = rule.get("http") if isinstance(rule, dict) else None
        for pline, path in _items(http.get("paths") if isinstance(http, dict) else None):
            b = _backend(path.get("backend") if isinstance(path, dict) else None, pline)
            if b:
                out.append(b)
    return out


def hosts(ingress: KubeObject) -> list[tuple[str, int]]:
    spec = ingress.data.get("spec")
    out = []
    for line, rule in _items(spec.get("rules") if isinstance(spec, dict) else None):
        if isinstance(rule, dict) and rule.get("host"):
            out.append((str(rule["host"]), rule.line_of("host") if isinstance(rule, LineDict)
                        else line))
    return out


def host_backends(ingress: KubeObject, host: str) -> list[Backend]:
    """The backends serving ``host``: its rules' paths, and the default backend for a rule
    with no paths (or for a request no path matches)."""
    spec = ingress.data.get("spec")
    if not isinstance(spec, dict):
        return []
    out = []
    for _line, rule in _items(spec.get("rules")):
        if not isinstance(rule, dict) or str(rule.get("host") or "") != host:
            continue
        http = rule.get("http")
        for pline, path in _items(http.get("paths") if isinstance(http, dict) else None):
            b = _backend(path.get("backend") if isinstance(path, dict) else None, pline)
            if b:
                out.append(b)
    for key in ("defaultBackend", "backend"):
        b = _backend(spec.get(key), ingress.line)
        if b:
            out.append(b)
    return out


def exposed_pods(graph: ObjectGraph, ingress: KubeObject, host: str | None = None
                 ) -> list[PodTemplate]:
    """The pods behind the Ingress, or behind one of its hosts."""
    ns = ingress.namespace or "default"
    pods: list[PodTemplate] = []
    for b in backends(ingress) if host is None else host_backends(ingress, host):
        svc = graph.get("Service", ns, b.service)
        if svc is not None:
            pods.extend(graph.service_pods(svc))
    return pods
