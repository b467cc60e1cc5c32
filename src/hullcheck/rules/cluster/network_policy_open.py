from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.graph import ObjectGraph, label_selector
from hullcheck.rules.base import Context
from hullcheck.rules.cluster._base import ClusterRule
from hullcheck.yamlutil import LineDict, LineList

# The RFC 1918 ranges: where clusters put their nodes, pods and services. A `0.0.0.0/0` block
# that excepts all three reaches the internet but not the cluster.
_PRIVATE_V4 = tuple(ipaddress.IPv4Network(n)
                    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_DNS_PORT = 53


def _network(cidr: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        return None


def _private_left_open(block: dict[Any, Any]) -> list[str]:
    """The private IPv4 ranges an open `0.0.0.0/0` block still admits (not wholly excepted)."""
    excepts = block.get("except")
    listed = excepts if isinstance(excepts, list) else []
    nets = [n for n in map(_network, listed) if isinstance(n, ipaddress.IPv4Network)]
    return [str(p) for p in _PRIVATE_V4 if not any(p.subnet_of(n) for n in nets)]


def _excepts(block: dict[Any, Any]) -> str:
    excepts = block.get("except")
    return ", ".join(map(str, excepts)) if isinstance(excepts, list) else str(excepts)


def _line(d: Any, key: str, fallback: int) -> int:
    return d.line_of(key) if isinstance(d, LineDict) else fallback


def _dns_only(ports: Any) -> bool:
    """Every port entry is port 53 (any protocol, no range beyond it): the DNS allowance."""
    if not isinstance(ports, list) or not ports:
        return False
    for entry in ports:
        if not isinstance(entry, dict):
            return False
        port, end = entry.get("port"), entry.get("endPort")
        if str(port).strip() != str(_DNS_PORT) or (end is not None and str(end) != str(_DNS_PORT)):
            return False
    return True


class NetworkPolicyOpen(ClusterRule):
    """
    ## What it finds
    NetworkPolicy rules that admit everything in their direction:
    - a peer with `namespaceSelector: {}` (every namespace: alone, every pod of the cluster),
      except in an egress rule whose ports are all port 53: `to: [{namespaceSelector: {}}]` with
      `ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]` is the standard DNS
      allowance and is not reported (any other port, a port range, or no ports still is; named
      ports are not taken for DNS, as any pod may name a port `dns`);
    - an `ipBlock` of `0.0.0.0/0` or `::/0` (any address). An `except` list that leaves a private
      IPv4 range (`10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`) admitted is reported with the
      ranges still open; one that excepts all three is the usual "the internet but not the
      cluster" rule and is reported at `info` severity only, as internet access (the pods reach,
      or are reached from, every public address), not as an open policy. `::/0` has no such
      carve-out (IPv6 pods often have global addresses, so no range is "the cluster" by itself);
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
    - Not tagged CIS Kubernetes Benchmark 1.10, 5.3.2: that item asks only that every
      namespace has NetworkPolicies, which this finding's namespace has; it does not ask for
      a policy that admits narrowly (KNS005 carries 5.3.2)
    """

    id = "KNS009"
    name = "network-policy-allows-all"
    title = "NetworkPolicy admits every source or destination"
    severity = Severity.MEDIUM
    # Not cis-k8s-1.10:5.3.2 (every namespace has NetworkPolicies): KNS005 judges that.
    references = ()
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
            if "namespaceSelector" in peer and label_selector(ns_sel or {}).is_empty \
                    and not (direction == "egress" and _dns_only(rule.get("ports"))):
                pods = peer.get("podSelector")
                scope = "every pod of every namespace" if pods is None or \
                    label_selector(pods).is_empty else "matching pods of every namespace"
                yield self.finding(
                    pol.location(_line(peer, "namespaceSelector", peer_line)),
                    f"{pol.ref}: namespaceSelector: {{}} admits {scope} ({direction}).",
                    evidence=f"{direction}:namespaces:{scope}",
                )
            block = peer.get("ipBlock")
            if isinstance(block, dict):
                yield from self._ip_block(pol, direction, block, peer_line)

    def _ip_block(self, pol: Any, direction: str, block: dict[Any, Any], line: int
                  ) -> Iterator[Finding]:
        net = _network(block.get("cidr", ""))
        if net is None or net.prefixlen != 0:
            return
        cidr = str(block.get("cidr")).strip()
        where = "from" if direction == "ingress" else "to"
        location = pol.location(_line(block, "cidr", line))
        if isinstance(net, ipaddress.IPv6Network) or not block.get("except"):
            yield self.finding(
                location,
                f"{pol.ref}: ipBlock {cidr} admits connections {where} every address "
                f"({direction}).",
                evidence=f"{direction}:cidr:{cidr}",
            )
            return
        still_open = _private_left_open(block)
        if still_open:
            yield self.finding(
                location,
                f"{pol.ref}: ipBlock {cidr} except {_excepts(block)} still "
                f"admits connections {where} the private ranges {', '.join(still_open)} (where "
                f"the cluster's nodes and pods usually are) and every public address "
                f"({direction}).",
                evidence=f"{direction}:cidr:{cidr}:open:{','.join(still_open)}",
            )
            return
        yield self.finding(
            location,
            f"{pol.ref}: ipBlock {cidr} excepting the private ranges admits connections {where} "
            f"every public (internet) address ({direction}): internet access, not an open "
            f"policy.",
            evidence=f"{direction}:internet:{cidr}",
            severity=Severity.INFO,
            title="NetworkPolicy admits the whole internet",
            remediation="Where the peers are known, name their ranges instead of the internet "
                        "(or send egress through a proxy).",
        )
