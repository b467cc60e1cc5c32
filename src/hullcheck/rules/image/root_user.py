"""IMG001: image runs as root."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class RootUser(Rule):
    """
    ## What it finds
    An image whose config has no `User`, or `root` / `0`: its containers run as root unless the
    runtime overrides it.

    ## Why it matters
    A process that escapes the container, or abuses a mounted socket or volume, does so as root.

    ## How to fix
    Before:

    ```
        FROM alpine
        CMD ["app"]
    ```

    After:

    ```
        FROM alpine
        RUN adduser -D app
        USER app
        CMD ["app"]
    ```

    ## References
    - `cis-docker-1.6:4.1`
    - `dockle:CIS-DI-0001`
    """

    id = "IMG001"
    name = "image-root-user"
    title = "Image runs as root"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_CONFIG})
    references = ("cis-docker-1.6:4.1", "dockle:CIS-DI-0001")
    fix = "Create an unprivileged user and switch to it with USER."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        user = image.config.user.split(":", 1)[0].strip()
        if user in ("", "root", "0"):
            shown = image.config.user or "unset"
            yield self.finding(
                image.location(),
                f"the image runs as root (User: {shown})",
                evidence=f"user={shown}",
            )
