from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.node import KubeNode
from hullcheck.rules._file_modes import mode_finding
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.node._common import cis


@dataclass(frozen=True)
class NodeFileCheck:
    role: str  # NodeFile.role
    mode_check: str
    owner_check: str
    what: str
    max_mode: int = 0o600


NODE_FILE_CHECKS: tuple[NodeFileCheck, ...] = (
    NodeFileCheck("kubelet-unit", "4.1.1", "4.1.2", "kubelet service file"),
    NodeFileCheck("proxy-kubeconfig", "4.1.3", "4.1.4", "kube-proxy kubeconfig"),
    NodeFileCheck("kubelet-kubeconfig", "4.1.5", "4.1.6", "kubelet kubeconfig"),
    NodeFileCheck("client-ca", "4.1.7", "4.1.8", "kubelet client CA file"),
    NodeFileCheck("kubelet-config", "4.1.9", "4.1.10", "kubelet config file"),
)


class NodeFilePermissions(Rule):
    """A kubelet or kube-proxy file with the wrong owner or permissions (CIS Kubernetes 4.1).

    ## What it finds
    On a Kubernetes node: the kubelet's systemd unit and its drop-ins (wherever systemd loads
    them from), the kubelet's kubeconfig (``--kubeconfig``, kubeadm's
    ``/etc/kubernetes/kubelet.conf``), the client CA file its configuration names, its config
    file (``--config``, kubeadm's ``/var/lib/kubelet/config.yaml``) and kube-proxy's
    kubeconfig, owned by anyone but root:root or with permission bits beyond 600. Absent files
    are not applicable.

    ## Why it matters
    The kubeconfig holds the node's credentials; whoever can change the unit, the config or the
    CA file decides how the kubelet runs and whom it trusts: root on the node, and every pod on
    it.

    ## How to fix
    Before: ``-rw-r--r-- 1 root root /var/lib/kubelet/config.yaml``. After:

        chown root:root /var/lib/kubelet/config.yaml
        chmod 600 /var/lib/kubelet/config.yaml

    ## References
    CIS Kubernetes Benchmark 1.10, 4.1.1 to 4.1.10.
    """

    id = "NODE001"
    name = "node-file-permissions"
    title = "Kubelet or kube-proxy file has the wrong owner or permissions"
    severity = Severity.MEDIUM
    inputs = frozenset({"node"})
    references = cis(*(c for f in NODE_FILE_CHECKS for c in (f.mode_check, f.owner_check)))
    fix = "chown root:root and chmod 600 (see the message)."

    def check_node(self, ctx: Context, node: KubeNode) -> Iterable[Finding]:
        for check in NODE_FILE_CHECKS:
            for entry in node.files_of(check.role):
                info = entry.info
                if not info.exists or info.error or info.uid is None or info.mode is None:
                    continue
                if info.uid != 0 or info.gid != 0:
                    yield self.finding(
                        Location(path=info.path),
                        f"{check.what} {info.path} is owned by {info.owner}:{info.group}, "
                        "expected root:root",
                        references=cis(check.owner_check),
                        evidence=f"owner {info.path} {info.uid}:{info.gid}",
                        remediation=f"chown root:root {info.path}",
                    )
                found = mode_finding(self, info, check.what, check.max_mode,
                                     cis(check.mode_check))
                if found is not None:
                    yield found
