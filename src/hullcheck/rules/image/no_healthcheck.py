"""IMG002: image has no health check."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class NoHealthcheck(Rule):
    """
    ## What it finds
    An image config without a `Healthcheck`. `HEALTHCHECK NONE` (a health check switched off on
    purpose, often one the base image defined) counts as a deliberate choice, as DF018 counts it
    in a Dockerfile.

    ## Why it matters
    Without a health check the engine and orchestrators cannot tell a hung service from a
    working one.

    ## How to fix
    Before:

    ```
        FROM nginx
    ```

    After:

    ```
        FROM nginx
        HEALTHCHECK CMD wget -qO- http://localhost/ || exit 1
    ```

    ## References
    - `cis-docker-1.6:4.6`
    - `dockle:CIS-DI-0006`
    """

    id = "IMG002"
    name = "image-no-healthcheck"
    title = "Image has no health check"
    severity = Severity.LOW
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_CONFIG})
    references = ("cis-docker-1.6:4.6", "dockle:CIS-DI-0006")
    fix = "Add a HEALTHCHECK instruction."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        hc = image.config.healthcheck
        if hc is None:
            yield self.finding(
                image.location(), "the image defines no health check", evidence="healthcheck"
            )
