from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, PodTemplate
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule, name_pods
from hullcheck.yamlutil import LineDict, LineList

SSH_PORT = 22


def _ssh_port_names(pods: list[PodTemplate]) -> set[str]:
    """Names the selected pods give their container port 22 (a Service may target a name)."""
    names = {"ssh"}
    for pod in pods:
        for container in pod.containers(ephemeral=False):
            for _line, port in container.ports:
                if port.get("containerPort") == SSH_PORT and port.get("name"):
                    names.add(str(port["name"]))
    return names


def _is_ssh(port: dict[str, Any], ssh_names: set[str]) -> bool:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, str) and not target.isdigit():
        return target in ssh_names
    try:
        return int(str(target)) == SSH_PORT
    except ValueError:
        return False


class SshExposed(ClusterRule):
    """
    ## What it finds
    SSH servers reachable through Kubernetes:
    - a Service whose port leads to port 22 of its pods (`targetPort: 22`, `port: 22` without a
      target, or a named target such as `ssh`): `high` for a `NodePort` or `LoadBalancer`
      Service (reachable from outside the cluster), `medium` inside it;
    - a container port 22 in a pod on the node's network (`hostNetwork: true`) or bound to the
      node's port 22 (`hostPort: 22`): the SSH server listens on the node's own address (`high`).

    ## Why it matters
    An SSH server in a cluster is a way into a node or a pod that bypasses the API server: no
    RBAC, no audit log, no admission control, and its keys or passwords to guard. On the node's
    network it is indistinguishable from, and competes with, the node's own SSH. Debugging
    belongs to `kubectl exec` or `kubectl debug`, which RBAC governs (KNS020) and the API server
    records.

    ## How to fix
    Remove the SSH server; use `kubectl debug` or `kubectl exec` for access. If a workload must
    speak SSH (a Git server), keep its Service internal (`ClusterIP`), restrict it with a
    NetworkPolicy and never run it on the host network.

    Before:
    ```yaml
    kind: Service
    spec: {type: NodePort, ports: [{port: 22, targetPort: 22}]}
    ```
    After: no Service on port 22; `kubectl debug -it pod/web --image=busybox`.

    ## References
    - CIS Docker Benchmark 1.6, 5.7 (do not run SSH within containers), carried to Kubernetes
    - NSA/CISA Kubernetes Hardening Guide: limit access to nodes
    """

    id = "KNS044"
    name = "ssh-exposed"
    title = "SSH server reachable in the cluster"
    severity = Severity.MEDIUM
    fix = "Remove the SSH server; use kubectl exec/debug, which RBAC and the audit log govern."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        yield from self._services(graph)
        yield from self._host_network(graph)

    def _services(self, graph: ObjectGraph) -> Iterator[Finding]:
        for svc in graph.by_kind.get("Service", []):
            spec = svc.data.get("spec")
            if not isinstance(spec, LineDict):
                continue
            kind = str(spec.get("type") or "ClusterIP")
            ports = spec.get("ports")
            if kind == "ExternalName" or not isinstance(ports, LineList):
                continue
            pods = graph.service_pods(svc)
            names = _ssh_port_names(pods)
            for index, port in enumerate(ports):
                if not isinstance(port, dict) or not _is_ssh(port, names):
                    continue
                outside = kind in ("NodePort", "LoadBalancer")
                where = "from outside the cluster" if outside else "inside the cluster"
                yield self.finding(
                    svc.location(ports.line_of(index)),
                    f"{svc.ref} ({kind}) port {port.get('port')} leads to SSH on "
                    f"{name_pods(pods)}: reachable {where}.",
                    evidence=f"service-port={port.get('port')}",
                    severity=Severity.HIGH if outside else None,
                )

    def _host_network(self, graph: ObjectGraph) -> Iterator[Finding]:
        for pod in graph.pods:
            host_network = pod.spec.get("hostNetwork") is True
            for container in pod.containers(ephemeral=False):
                for line, port in container.ports:
                    on_node = port.get("hostPort") == SSH_PORT or (
                        host_network and port.get("containerPort") == SSH_PORT)
                    if not on_node:
                        continue
                    how = "hostPort 22" if port.get("hostPort") == SSH_PORT else \
                        "port 22 on the host network"
                    yield self.finding(
                        pod.obj.location(line),
                        f"{pod.ref} container {container.name}: SSH listens on the "
                        f"node's own address ({how}).",
                        evidence=f"{container.name}:{how}",
                        severity=Severity.HIGH,
                    )
