"""IMG018: docker content trust is not enabled."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.environment import Environment
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import RETIREMENT_NOTE


class ContentTrust(Rule):
    """
    ## What it finds
    `DOCKER_CONTENT_TRUST` is not `1` in the environment hullcheck runs in. Docker Content Trust
    (Notary v1) is being retired (Docker Hub's Notary service shuts down on 2026-12-08), so this is
    informational: hullcheck verifies cosign signatures instead (IMG017).

    ## Why it matters
    Without any signature check, a pulled tag is trusted blindly.

    ## How to fix
    Before:

    ```
        export DOCKER_CONTENT_TRUST=0
    ```

    After:

    ```
        hullcheck image --key cosign.pub registry.example.com/app:1.0
    ```

    ## References
    - `cis-docker-1.6:4.5`
    - `dockle:CIS-DI-0005`
    """

    id = "IMG018"
    name = "image-content-trust"
    title = "Docker Content Trust is not enabled"
    severity = Severity.INFO
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.5", "dockle:CIS-DI-0005")
    fix = "Verify cosign signatures instead (hullcheck image --key cosign.pub)."

    def check_environment(self, ctx: Context, env: Environment) -> Iterable[Finding]:
        # Once per run of `image` and `host` (the client setting, not a property of an image).
        if env.content_trust == "1":
            return ()
        return (self.finding(
            Location(setting="DOCKER_CONTENT_TRUST"),
            f"DOCKER_CONTENT_TRUST is {env.content_trust or 'unset'}; {RETIREMENT_NOTE}",
            evidence="DOCKER_CONTENT_TRUST",
        ),)
