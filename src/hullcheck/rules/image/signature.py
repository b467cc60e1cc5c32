"""IMG017: image signature missing or invalid."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.rules.base import Context, Rule


class Signature(Rule):
    """
    ## What it finds
    For images a key applies to (`--key`, or `trust.keys` in the configuration), a cosign signature
    that is missing, made with another key, over an altered payload, for another digest, or a
    Sigstore bundle no trusted key signed. Verified offline: the transparency log is not checked.

    ## Why it matters
    Only a signature verified against a key you trust proves who published the exact digest you run.

    ## How to fix
    Before:

    ```
        cosign sign registry.example.com/app:1.0   # keyless, not in the policy
    ```

    After:

    ```
        cosign sign --key cosign.key registry.example.com/app@sha256:...
    ```

    ## References
    - `cis-docker-1.6:4.12`
    """

    id = "IMG017"
    name = "image-signature"
    title = "Image signature missing or invalid"
    severity = Severity.HIGH
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.12",)
    fix = "Sign the image digest with cosign and the key the policy names."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for v in image.trust:
            if v.is_signature and not v.ok:
                yield self.finding(image.location(), f"{v.code}: {v.message}", evidence=v.code)
