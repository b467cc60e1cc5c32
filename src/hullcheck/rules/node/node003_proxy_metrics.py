from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.node import KubeNode
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.node._common import cis


def loopback(address: str) -> bool:
    """``127.0.0.1:10249``, ``[::1]:10249``, ``localhost:10249``: bound to loopback only."""
    host = address.strip()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.rsplit(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # "", "0.0.0.0/0"-like or a name: not loopback
        return False


class NodeProxyMetrics(Rule):
    """kube-proxy serves its metrics on an address other than loopback (CIS Kubernetes 4.3.1).

    ## What it finds
    kube-proxy's effective metrics address: ``--metrics-bind-address`` on its command line,
    else ``metricsBindAddress`` in its config file (read through the process's own filesystem
    when it runs in a pod, as kubeadm runs it), else the default ``127.0.0.1:10249``; anything
    but a loopback address (``0.0.0.0:10249``, ``:10249``, a node IP) is reported.

    ## Why it matters
    The metrics endpoint needs no authentication; bound beyond loopback it tells anyone on the
    network about the node's services and endpoints.

    ## How to fix
    Before: ``metricsBindAddress: 0.0.0.0:10249``. After: ``metricsBindAddress:
    127.0.0.1:10249`` (or remove it).

    ## References
    CIS Kubernetes Benchmark 1.10, 4.3.1.
    """

    id = "NODE003"
    name = "node-proxy-metrics-address"
    title = "kube-proxy metrics are served beyond loopback"
    severity = Severity.MEDIUM
    inputs = frozenset({"node"})
    references = cis("4.3.1")
    fix = "Bind kube-proxy's metrics to 127.0.0.1:10249 (metricsBindAddress)."

    def check_node(self, ctx: Context, node: KubeNode) -> Iterable[Finding]:
        found = node.proxy_metrics_address()
        if found is None:
            return
        address, source = found
        if not loopback(address):
            yield self.finding(
                Location(setting="kube-proxy metricsBindAddress",
                         path=node.proxy_config_path if "metricsBindAddress" in source else None),
                f"kube-proxy serves metrics on {address or '(every address)'} ({source})",
                evidence=f"metricsBindAddress {address}",
            )
