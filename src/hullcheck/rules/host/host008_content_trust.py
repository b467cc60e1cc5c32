from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


class ContentTrustDisabled(Rule):
    """Docker Content Trust is not enabled for the environment running the audit.

    ## What it finds
    ``DOCKER_CONTENT_TRUST`` is not ``1`` in the environment of the audit. Content trust is a
    client setting: this says the shell (or CI job) that ran ``hullcheck host`` pulls unsigned
    images; other users' shells may differ. Image signatures themselves are judged by the image
    audit (``trust:`` keys).

    ## Why it matters
    Without it, ``docker pull`` and ``docker run`` accept any image the registry serves.

    ## How to fix
    Before: ``docker pull app:1``. After:

        export DOCKER_CONTENT_TRUST=1
        docker pull app:1

    ## References
    CIS Docker Benchmark v1.6.0, 4.5.
    """

    id = "HOST008"
    name = "content-trust-disabled"
    title = "Docker Content Trust is not enabled"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis("4.5")
    fix = "export DOCKER_CONTENT_TRUST=1 in the environment of Docker clients."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if not host.content_trust:
            yield self.finding(
                Location(setting="DOCKER_CONTENT_TRUST"),
                "DOCKER_CONTENT_TRUST is not 1 in this environment: unsigned images are accepted",
                evidence="DOCKER_CONTENT_TRUST unset",
            )
