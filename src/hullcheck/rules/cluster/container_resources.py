from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.models.limit_range import container_defaults
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule

_RESOURCES = ("cpu", "memory")


def _keys(value: Any) -> set[str]:
    return {str(k) for k in value} if isinstance(value, dict) else set()


def limit_range_defaults(graph: ObjectGraph, namespace: str) -> tuple[set[str], set[str]]:
    """Resources a LimitRange of the namespace gives containers by default: (limits, requests),
    after the API server's defaulting (a ``max`` is the default limit, a ``min`` the default
    request)."""
    defaults = container_defaults(graph.in_namespace(namespace, "LimitRange"))
    return set(defaults.limits), set(defaults.requests)


class ContainerResources(ClusterRule):
    """
    ## What it finds
    Containers (init containers included) without CPU and memory requests and limits, after the
    defaults a `LimitRange` of their namespace gives them (`default`, `defaultRequest`, and as
    the API server defaults them, `max` as the default limit and `min` as the default request;
    a limit alone also sets the request). Ephemeral containers cannot set resources and are not
    judged. The message lists what is missing.

    ## Why it matters
    A container without limits can take a node's memory and CPU: a compromised workload mines on
    your bill, a leaking one evicts its neighbours.

    ## How to fix
    Set requests and limits on every container, or give the namespace a LimitRange.

    Before:
    ```yaml
    containers:
    - name: web
      image: web:1.2
    ```
    After:
    ```yaml
    containers:
    - name: web
      image: web:1.2
      resources:
        requests: {cpu: 100m, memory: 128Mi}
        limits: {cpu: "1", memory: 256Mi}
    ```

    ## References
    - Kubernetes documentation, "Resource Management for Pods and Containers"
    """

    id = "KNS003"
    name = "container-without-resources"
    title = "Container has no resource requests or limits"
    severity = Severity.LOW
    fix = "Set resources.requests and resources.limits (cpu, memory), or add a LimitRange."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        defaults: dict[str, tuple[set[str], set[str]]] = {}
        for pod in graph.pods:
            ns = pod.namespace
            if ns not in defaults:
                defaults[ns] = limit_range_defaults(graph, ns)
            lr_limits, lr_requests = defaults[ns]
            for c in pod.containers(ephemeral=False):
                res: dict[str, Any] = c.resources or {}
                limits = _keys(res.get("limits")) | lr_limits
                requests = _keys(res.get("requests")) | lr_requests | limits
                missing = [f"limits.{r}" for r in _RESOURCES if r not in limits]
                missing += [f"requests.{r}" for r in _RESOURCES if r not in requests]
                if not missing:
                    continue
                name = c.name
                yield self.finding(
                    pod.obj.location(c.line, container=name),
                    f"Container {name} of {pod.ref} sets no {', '.join(missing)}"
                    + (" (no LimitRange in its namespace gives a default)."
                       if not (lr_limits or lr_requests) else "."),
                    evidence=",".join(missing),
                )
