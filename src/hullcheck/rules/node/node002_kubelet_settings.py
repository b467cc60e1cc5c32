from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.node import KubeNode
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.node._common import cis


def setting_rules() -> tuple[type[Rule], ...]:
    """The KubeletConfiguration rules of the cluster family (KNS031-KNS042), which judge one
    configuration: here they judge the kubelet's effective one."""
    from hullcheck.rules.cluster import RULES
    from hullcheck.rules.cluster._kubelet import KubeletRule

    return tuple(r for r in RULES if issubclass(r, KubeletRule))


class NodeKubeletSettings(Rule):
    """The kubelet running on this node is configured against CIS Kubernetes 4.2.

    ## What it finds
    The kubelet's effective settings: its config file (``--config``; zero durations take the
    kubelet's defaults, as the kubelet does when it loads the file), or the flags' defaults
    without one (anonymous auth on, ``AlwaysAllow``, read-only port 10255), with the flags of its
    command line over them (the running process's, else the command line its systemd units
    give). Each is judged as the cluster family's KubeletConfiguration rule for that check judges
    a file (KNS031 to KNS042, whose severity and title each finding takes): anonymous auth,
    ``AlwaysAllow``, no client CA, the read-only port, a zero streaming timeout, iptables
    chains off, a low event rate, no serving certificate, rotation off, weak TLS ciphers, no pod
    PID limit; and ``--hostname-override`` on the command line (4.2.7).

    ## Why it matters
    The kubelet's API on port 10250 runs commands in every pod of the node; what a config file
    in a repository says is not what runs when a flag or a default overrides it.

    ## How to fix
    Set the value in the kubelet's config file and remove the flag that overrides it.

    Before (the unit's command line):

        ExecStart=/usr/bin/kubelet --anonymous-auth=true --config=/var/lib/kubelet/config.yaml

    After, with ``authentication.anonymous.enabled: false`` in the file:

        ExecStart=/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml

    ## References
    CIS Kubernetes Benchmark 1.10, 4.2.1 to 4.2.13.
    """

    id = "NODE002"
    name = "node-kubelet-settings"
    title = "Kubelet setting fails the CIS Kubernetes Benchmark"
    severity = Severity.HIGH
    inputs = frozenset({"node"})
    references = cis(*(f"4.2.{n}" for n in range(1, 14)))
    fix = "Set the value in the kubelet's config file and remove the flag overriding it."

    def check_node(self, ctx: Context, node: KubeNode) -> Iterable[Finding]:
        if node.kubelet_args is None and node.kubelet_config is None:
            return
        for rule_cls in setting_rules():
            verdict = rule_cls().judge(node.kubelet)  # type: ignore[attr-defined]
            if verdict is None:
                continue
            path, message = verdict
            # KNS038 names no key when the certificate itself is missing: that is where it goes.
            dotted = ".".join(path) or "tlsCertFile"
            source = node.source_of(dotted)
            in_file = source == node.kubelet_config_path
            yield self.finding(
                Location(setting=f"kubelet {dotted}", path=source if in_file else None),
                f"kubelet: {message} (from {source})",
                references=rule_cls.references,
                severity=rule_cls.severity,
                title=rule_cls.title,
                evidence=f"{rule_cls.id} {dotted}",
                remediation=rule_cls.fix,
            )
        args = node.kubelet_args or []
        if any(a == "--hostname-override" or a.startswith("--hostname-override=") for a in args):
            yield self.finding(
                Location(setting="kubelet --hostname-override"),
                f"kubelet: --hostname-override is set (on {node.kubelet_args_source}): the node's "
                "name no longer matches its certificate, breaking TLS verification between the "
                "API server and the kubelet.",
                references=cis("4.2.7"),
                severity=Severity.LOW,
                title="Kubelet overrides its hostname",
                evidence="--hostname-override",
                remediation="Remove --hostname-override from the kubelet's command line.",
            )
