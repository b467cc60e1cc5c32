"""KubeletConfiguration files (kubelet.config.k8s.io/v1beta1): CIS 4.2 where a file can show it.

Defaults are those of the configuration file, which differ from the command-line flags' (the file
defaults anonymous auth off, authorization to Webhook, the read-only port to 0, certificate
rotation off). Command-line flags and drop-in files override a file; only the file is judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Location
from hullcheck.models.graph import ObjectGraph
from hullcheck.models.kubernetes import KubeObject
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict

KIND = "KubeletConfiguration"


def get(config: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(config, dict):
            return None
        config = config.get(key)
    return config


def line_of(obj: KubeObject, *path: str) -> int:
    """The line of the deepest key of ``path`` present (where the fix goes)."""
    node: Any = obj.data
    line = obj.line
    for key in path:
        if not isinstance(node, LineDict) or key not in node:
            break
        line = node.line_of(key)
        node = node[key]
    return line


class KubeletRule(ClusterRule):
    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for obj in graph.by_kind.get(KIND, []):
            if not obj.api_version.startswith("kubelet.config.k8s.io/"):
                continue
            verdict = self.judge(obj.data)
            if verdict is None:
                continue
            path, message = verdict
            yield self.finding(
                Location(path=obj.path, line=line_of(obj, *path), object=KIND),
                message, evidence=".".join(path),
            )

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        raise NotImplementedError
