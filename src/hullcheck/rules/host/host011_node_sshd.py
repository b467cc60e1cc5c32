from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule


class NodeSshListening(Rule):
    """An SSH daemon listens on a Kubernetes node.

    ## What it finds
    On a host that is a Kubernetes node (a kubelet runs or has its config file here), a TCP
    socket listening on port 22 on a non-loopback address, read from ``/proc/net/tcp``. Nodes
    are meant to be reached through the API server, not SSH.

    ## Why it matters
    SSH access to a node bypasses Kubernetes RBAC and audit logging and reaches every pod's
    secrets and the kubelet's credentials.

    ## How to fix
    Before: ``sshd`` enabled on every node. After:

        systemctl disable --now ssh

    and use ``kubectl debug node/NAME`` for break-glass access.

    ## References
    Kubernetes hardening guidance (NSA/CISA): limit node access.
    """

    id = "HOST011"
    name = "node-ssh-listening"
    title = "SSH daemon listening on a Kubernetes node"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = ()
    fix = "Disable SSH on nodes; use kubectl debug node/NAME."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if host.kubelet_config is None and host.kubelet_args is None:
            return
        for address, port in host.listening or []:
            if port == 22 and not (address.startswith("127.") or address == "::1"):
                yield self.finding(
                    Location(setting="sshd"),
                    f"an SSH daemon listens on {address}:22 on this Kubernetes node",
                    evidence=f"listen {address}:22",
                )
                return
