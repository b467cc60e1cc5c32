"""IMG016: image not pinned by digest."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.rules.base import Context, Rule
from hullcheck.trust.policy import NOT_PINNED


class DigestNotPinned(Rule):
    """
    ## What it finds
    With `trust.require-digest`, an image referenced by tag only.

    ## Why it matters
    A tag can be moved to other content at any time; a digest names exactly what was audited.

    ## How to fix
    Before:

    ```
        hullcheck image nginx:1.27
    ```

    After:

    ```
        hullcheck image nginx:1.27@sha256:...
    ```

    ## References
    - `cis-docker-1.6:4.2`
    """

    id = "IMG016"
    name = "image-digest-not-pinned"
    title = "Image not pinned by digest"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.2",)
    fix = "Reference the image as name@sha256:<digest>."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for v in image.trust:
            if v.code == NOT_PINNED:
                yield self.finding(image.location(), v.message, evidence=v.code)
