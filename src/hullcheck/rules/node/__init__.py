"""Rules of the node family: a Kubernetes node's kubelet and kube-proxy, read from its
filesystem and processes by ``hullcheck node`` (CIS Kubernetes Benchmark 1.10, section 4)."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.node.node001_file_permissions import NodeFilePermissions
from hullcheck.rules.node.node002_kubelet_settings import NodeKubeletSettings
from hullcheck.rules.node.node003_proxy_metrics import NodeProxyMetrics

RULES: list[type[Rule]] = [
    NodeFilePermissions,
    NodeKubeletSettings,
    NodeProxyMetrics,
]
