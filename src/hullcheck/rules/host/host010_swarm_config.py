from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis, engine_location

# Manager ports that follow --listen-addr; 4789 (VXLAN, UDP) binds in the kernel and is not
# seen as a listening TCP socket.
SWARM_PORTS = {2377: "management", 7946: "node gossip"}
WILDCARD = ("0.0.0.0", "::")


def swarm_wildcard_ports(host: DockerHost) -> list[int]:
    """Swarm ports listening on every interface, from this host's listening sockets."""
    return sorted({p for a, p in host.listening or [] if p in SWARM_PORTS and a in WILDCARD})


class SwarmInsecureConfig(Rule):
    """A swarm manager configured below the benchmark (CIS section 7).

    ## What it finds
    On a swarm manager: an even number of managers or more than seven (7.1: an even count adds
    no fault tolerance, more than seven slows Raft), the management port 2377 or the gossip port
    7946 listening on every interface (7.2, from this host's listening sockets: ``docker swarm
    init`` without ``--listen-addr`` binds both to every interface), overlay networks without
    the ``encrypted`` option, Docker's own ``ingress`` included (7.3) and managers without
    auto-lock (7.5).

    ## Why it matters
    Manager nodes hold the cluster's Raft log with its secrets; overlay traffic crosses the
    network in clear unless encrypted.

    ## How to fix
    Before: ``docker swarm init``. After:

        docker swarm init --autolock --advertise-addr 10.0.0.5 --listen-addr 10.0.0.5:2377
        docker network create -d overlay --opt encrypted backend

    ## References
    CIS Docker Benchmark v1.6.0, 7.1, 7.2, 7.3 and 7.5.
    """

    id = "HOST010"
    name = "swarm-insecure-config"
    title = "Swarm manager configuration below the benchmark"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = cis("7.1", "7.2", "7.3", "7.5")
    fix = "Use an odd number of managers, bind 2377 to one address, encrypt overlays, autolock."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if not host.swarm_active or not host.swarm_manager:
            return
        swarm = host.info.get("Swarm") or {}
        managers = int(swarm.get("Managers") or 0)
        if managers and (managers % 2 == 0 or managers > 7):
            yield self.finding(
                engine_location(host),
                f"the swarm has {managers} managers: use an odd number, at most 7",
                references=cis("7.1"),
                evidence=f"managers {managers}",
            )
        wildcard = swarm_wildcard_ports(host)
        if wildcard:
            ports = ", ".join(f"{port} ({SWARM_PORTS[port]})" for port in wildcard)
            yield self.finding(
                Location(setting="swarm listen-addr"),
                f"the swarm port(s) {ports} listen on every interface: re-create the swarm "
                "with --listen-addr on one interface",
                references=cis("7.2"),
                evidence="listen wildcard " + ",".join(str(p) for p in wildcard),
            )
        for net in host.networks:
            if net.get("Driver") != "overlay":
                continue
            if "encrypted" not in (net.get("Options") or {}):
                name = str(net.get("Name") or net.get("Id"))
                what = (
                    " (the routing-mesh network Docker creates: re-create it with "
                    "--ingress --opt encrypted)" if net.get("Ingress") or name == "ingress"
                    else ""
                )
                yield self.finding(
                    Location(object=f"Network/{name}"),
                    f"overlay network {name} is not encrypted{what}",
                    references=cis("7.3"),
                    evidence=f"network {name}",
                )
        if not host.swarm_autolock:
            yield self.finding(
                engine_location(host),
                "swarm managers are not auto-locked: the Raft keys sit unencrypted on disk",
                references=cis("7.5"),
                evidence="autolock off",
            )
