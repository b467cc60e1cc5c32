from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, label_selector
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict, LineList


def _open_cidr(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def _line(d: Any, key: str, fallback: int) -> int:
    return d.line_of(key) if isinstance(d, LineDict) else fallback


class NetworkPolicyOpen(ClusterRule):
    """
    ## What it finds
    NetworkPolicy rules that admit everything in their direction:
    - a peer with `namespaceSelector: {}` (every namespace: alone, every pod of the cluster);
    - an `ipBlock` of `0.0.0.0/0` or `::/0` (any address, `except` lists notwithstanding);
    - a rule with neither peers nor ports (`- {}`), which allows all traffic.
    A rule that lists ports but no peers is not reported (`egress: [{ports: [{port: 53}]}]` is
    the usual DNS allowance).

    ## Why it matters
    Such a rule cancels the isolation the policy seems to give: a reviewer sees a policy, the
    network sees none.

    ## How to fix
    Name the namespaces (by `kubernetes.io/metadata.name`) and pods, or the address ranges.

    Before:
    ```yaml
    ingress:
    - from: [{namespaceSelector: {}}]
    ```
    After:
    ```yaml
    ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress}}}]
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.3.2
    """

    id = "KNS009"
    name = "network-policy-allows-all"
    title = "NetworkPolicy admits every source or destination"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:5.3.2",)
    fix = "Restrict namespaceSelector/ipBlock to the namespaces, pods and ranges needed."

    def check_graph(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
        for pol in graph.by_kind.get("NetworkPolicy", []):
            spec = pol.data.get("spec")
            if not isinstance(spec, dict):
                continue
            for direction, peers_key in (("ingress", "from"), ("egress", "to")):
                rules = spec.get(direction)
                if not isinstance(rules, list):
                    continue
                for i, rule in enumerate(rules):
                    rule_line = rules.line_of(i) if isinstance(rules, LineList) else pol.line
                    yield from self._rule(pol, direction, peers_key, rule, rule_line)

    def _rule(self, pol: Any, direction: str, peers_key: str, rule: Any, line: int
              ) -> Iterator[Finding]:
        where = "from" if direction == "ingress" else "to"
        if not isinstance(rule, dict) or (not rule.get(peers_key) and not rule.get("ports")):
            yield self.finding(pol.location(line),
                               f"{pol.ref}: an {direction} rule with no peers and no ports "
                               f"allows all traffic {where} anywhere.",
                               evidence=f"{direction}:all")
            return
        peers = rule.get(peers_key)
        if not isinstance(peers, list):
            return
        for j, peer in enumerate(peers):
            if not isinstance(peer, dict):
                continue
            peer_line = peers.line_of(j) if isinstance(peers, LineList) else line
            ns_sel = peer.get("namespaceSelector", None)
            if "namespaceSelector" in peer and label_selector(ns_sel or {}).is_empty:
                pods = peer.get("podSelector")
                scope = "every pod of every namespace" if pods is None or \
                    label_selector(pods).is_empty else "matching pods of every namespace"
                yield self.finding(
                    pol.location(_line(peer, "namespaceSelector", peer_line)),
                    f"{pol.ref}: namespaceSelector: {{}} admits {scope} ({direction}).",
                    evidence=f"{direction}:namespaces:{scope}",
                )
            block = peer.get("ipBlock")
            if isinstance(block, dict) and _open_cidr(str(block.get("cidr", ""))):
                yield self.finding(
                    pol.location(_line(block, "cidr", peer_line)),
                    f"{pol.ref}: ipBlock {block.get('cidr')} admits every address {where} "
                    f"the pods ({direction}).",
                    evidence=f"{direction}:cidr:{block.get('cidr')}",
                )
