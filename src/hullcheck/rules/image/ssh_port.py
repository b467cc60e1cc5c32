"""IMG007: image exposes port 22."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class SshPort(Rule):
    """
    ## What it finds
    An image config that exposes port 22 (SSH).

    ## Why it matters
    An SSH daemon in a container is an extra door with its own keys and passwords to manage.

    ## How to fix
    Before:

    ```
        EXPOSE 22 8080
    ```

    After:

    ```
        EXPOSE 8080
    ```

    ## References
    - none: no benchmark or peer rule covers this
    """

    id = "IMG007"
    name = "image-ssh-port"
    title = "Image exposes port 22"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_CONFIG})
    references = ()
    fix = "Do not run SSH in containers; use docker exec / kubectl exec."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for port in image.config.exposed_ports:
            if port.split("/", 1)[0] == "22":
                yield self.finding(
                    image.location(), f"the image exposes {port} (SSH)", evidence=f"port={port}"
                )
