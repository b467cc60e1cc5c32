from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis, engine_location


class SwarmModeEnabled(Rule):
    """Swarm mode is enabled on the host.

    ## What it finds
    ``docker info`` reports the node in swarm mode (active, pending or locked).

    ## Why it matters
    Swarm mode opens management ports (2377, 7946, 4789) and runs the Raft store; on a host
    that does not need orchestration that is attack surface for nothing.

    ## How to fix
    Before: ``Swarm: active`` on a stand-alone host. After:

        docker swarm leave --force

    ## References
    CIS Docker Benchmark v1.6.0, 5.1.
    """

    id = "HOST007"
    name = "swarm-mode-enabled"
    title = "Swarm mode is enabled"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis("5.1")
    fix = "Leave the swarm if this host does not need it (docker swarm leave)."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if host.swarm_active:
            yield self.finding(
                engine_location(host),
                f"swarm mode is {host.swarm_state} on this host: confirm it is needed",
                evidence=f"swarm {host.swarm_state}",
            )
