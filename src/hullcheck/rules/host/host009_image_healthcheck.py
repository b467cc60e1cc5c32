from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


class ImageWithoutHealthcheck(Rule):
    """An image on the host without a HEALTHCHECK.

    ## What it finds
    Images whose config has no ``Healthcheck``, or ``HEALTHCHECK NONE``.

    ## Why it matters
    Without a health check the engine (and orchestrators reading its state) cannot tell a hung
    service from a healthy one.

    ## How to fix
    Before: no ``HEALTHCHECK``. After:

        HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/health

    ## References
    CIS Docker Benchmark v1.6.0, 4.6.
    """

    id = "HOST009"
    name = "image-without-healthcheck"
    title = "Image has no HEALTHCHECK"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis("4.6")
    fix = "Add a HEALTHCHECK instruction to the image."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for image in host.images:
            health = image.config.get("Healthcheck") or {}
            test = [str(t) for t in health.get("Test") or []]
            if not test or test[0].upper() == "NONE":
                said = "HEALTHCHECK NONE" if test else "no HEALTHCHECK"
                yield self.finding(
                    image.location, f"image {image.ref} has {said}", evidence=said
                )
