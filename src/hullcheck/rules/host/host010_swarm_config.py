from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis, engine_location

SWARM_PORT = 2377


class SwarmInsecureConfig(Rule):
    """A swarm manager configured below the benchmark (CIS section 7).

    ## What it finds
    On a swarm manager: an even number of managers or more than seven (7.1: an even count adds
    no fault tolerance, more than seven slows Raft), the management port 2377 listening on every
    interface (7.2, from this host's listening sockets), overlay networks without the
    ``encrypted`` option (7.3) and managers without auto-lock (7.5).

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
        for address, port in host.listening or []:
            if port == SWARM_PORT and address in ("0.0.0.0", "::"):
                yield self.finding(
                    Location(setting="swarm listen-addr"),
                    f"the swarm management port {SWARM_PORT} listens on every interface "
                    f"({address})",
                    references=cis("7.2"),
                    evidence=f"listen {address}:{port}",
                )
                break
        for net in host.networks:
            if net.get("Driver") != "overlay":
                continue
            if "encrypted" not in (net.get("Options") or {}):
                name = str(net.get("Name") or net.get("Id"))
                yield self.finding(
                    Location(object=f"Network/{name}"),
                    f"overlay network {name} is not encrypted",
                    references=cis("7.3"),
                    evidence=f"network {name}",
                )
        spec = (swarm.get("Cluster") or {}).get("Spec") or {}
        if not (spec.get("EncryptionConfig") or {}).get("AutoLockManagers"):
            yield self.finding(
                engine_location(host),
                "swarm managers are not auto-locked: the Raft keys sit unencrypted on disk",
                references=cis("7.5"),
                evidence="autolock off",
            )
