from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._kubelet import KubeletRule

# A Go duration of zero: "0", "0s", "0h0m0s"...
_ZERO = re.compile(r"(?:0+(?:\.0+)?(?:ns|us|µs|ms|s|m|h)?)+")


class KubeletStreamingTimeout(KubeletRule):
    """
    ## What it finds
    A kubelet whose streaming connections never time out: `--streaming-connection-idle-timeout=0`
    on its command line (`hullcheck node`, CIS 4.2.5). A zero in a KubeletConfiguration file is
    not one: the kubelet replaces a zero duration in its file with the default, 4h
    (`SetDefaults_KubeletConfiguration`), so kubeadm's `streamingConnectionIdleTimeout: 0s` is
    4h and `scan` does not report it. This rule therefore fires only where the flag can be seen.

    ## Why it matters
    Idle exec, attach and port-forward sessions stay open forever, holding resources and a way in.

    ## How to fix
    Set streamingConnectionIdleTimeout to a duration such as 5m.

    Before (the kubelet's command line):
    ```text
    --streaming-connection-idle-timeout=0
    ```
    After: drop the flag (the default is 4h), or set a duration such as 5m.

    ## References
    - CIS Kubernetes Benchmark 1.10, 4.2.5
    """

    id = "KNS035"
    name = "kubelet-streaming-timeout"
    title = "Kubelet streaming connections never time out"
    severity = Severity.LOW
    # Seen only on a node's command line: NODE002 judges the kubelet's effective settings with
    # this rule (cis-k8s-1.10:4.2.5); a file never shows the problem (see check_graph).
    inputs = frozenset({"node"})
    references = ("cis-k8s-1.10:4.2.5",)
    fix = "Set streamingConnectionIdleTimeout to a duration such as 5m."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        # A file is judged as the kubelet loads it: its zero durations become the defaults
        # (models.node.zero_defaulted), so a file alone never disables the timeout.
        return iter(())

    def judge(self, config: Any) -> tuple[tuple[str, ...], str] | None:
        value = config.get("streamingConnectionIdleTimeout") if isinstance(config, dict) else None
        if value is not None and _ZERO.fullmatch(str(value).strip()):
            return ("streamingConnectionIdleTimeout",), \
                f"streamingConnectionIdleTimeout is {value}: streaming connections never time out."
        return None
