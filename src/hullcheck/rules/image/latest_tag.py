"""IMG008: image referenced by latest or no tag."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.references import InvalidReference, parse_reference
from hullcheck.rules.base import Context, Rule


class LatestTag(Rule):
    """
    ## What it finds
    An image asked for as `name`, `name:latest` (and not pinned by digest).

    ## Why it matters
    `latest` moves: the image you audited is not the one that will run tomorrow.

    ## How to fix
    Before:

    ```
        hullcheck image nginx
    ```

    After:

    ```
        hullcheck image nginx:1.27@sha256:...
    ```

    ## References
    - `dockle:DKL-DI-0006`
    """

    id = "IMG008"
    name = "image-latest-tag"
    title = "Image referenced by latest or no tag"
    severity = Severity.LOW
    inputs = frozenset({"image"})
    references = ("dockle:DKL-DI-0006",)
    fix = "Reference a fixed version, ideally pinned by digest."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        if not image.requested:
            return
        try:
            ref = parse_reference(image.requested)
        except InvalidReference:
            return
        if ref.digest is None and ref.tag in (None, "latest"):
            yield self.finding(
                image.location(),
                f"{image.requested} uses the latest tag (or none)",
                evidence=f"ref={ref.name}",
            )
