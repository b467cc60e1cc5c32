"""IMG015: image from outside the allowed registries."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.rules.base import Context, Rule
from hullcheck.trust.policy import NOT_ALLOWED


class UntrustedSource(Rule):
    """
    ## What it finds
    An image whose reference is outside `trust.allowed` in the configuration.

    ## Why it matters
    Images from unvetted sources are the easiest way to run someone else's code with your
    privileges.

    ## How to fix
    Before:

    ```
        hullcheck image randomuser/nginx
    ```

    After:

    ```
        hullcheck image registry.example.com/base/nginx:1.27
    ```

    ## References
    - `cis-docker-1.6:4.2`
    """

    id = "IMG015"
    name = "image-untrusted-source"
    title = "Image from outside the allowed registries"
    severity = Severity.HIGH
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.2",)
    fix = "Use images from the registries and repositories the trust policy allows."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for v in image.trust:
            if v.code == NOT_ALLOWED:
                yield self.finding(image.location(), v.message, evidence=v.code)
