"""IMG004: add used in the image history."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import ADD, shorten


class HistoryAdd(Rule):
    """
    ## What it finds
    `ADD` steps in the image history, except the first one (the base image's root filesystem).

    ## Why it matters
    ADD fetches URLs and unpacks archives implicitly: what lands in the image is not what the reader
    of the Dockerfile expects.

    ## How to fix
    Before:

    ```
        ADD app.tar.gz /app/
    ```

    After:

    ```
        COPY app/ /app/
    ```

    ## References
    - `cis-docker-1.6:4.9`
    - `dockle:CIS-DI-0009`
    """

    id = "IMG004"
    name = "image-history-add"
    title = "ADD used in the image history"
    severity = Severity.LOW
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_HISTORY})
    references = ("cis-docker-1.6:4.9", "dockle:CIS-DI-0009")
    fix = "Use COPY for local files; download with checksums in RUN."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        adds = [h for h in image.history if ADD.search(h.created_by)]
        for h in adds[1:] if adds and adds[0] is image.history[0] else adds:
            yield self.finding(
                image.location(layer=h.layer),
                f"history step uses ADD: {shorten(h.created_by)}",
                evidence=h.created_by,
            )
