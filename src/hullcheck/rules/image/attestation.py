"""IMG019: a required image attestation missing or invalid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hullcheck.findings import Finding, Severity
from hullcheck.rules.base import Context
from hullcheck.rules.image.signature import ReferenceTrustRule

if TYPE_CHECKING:
    from hullcheck.models.image import Image
    from hullcheck.trust.policy import TrustVerdict


class Attestation(ReferenceTrustRule):
    """
    ## What it finds
    For images `trust.attestations` requires in-toto attestations of (`predicate-types`, per image
    pattern), each required predicate type without a verified attestation: none of that type is
    attached (`no-attestation`), or the ones attached are signed by another key
    (`wrong-key`), altered (`tampered-payload`), about another digest (`other-digest`), made by
    another keyless identity (`identity-mismatch`, `issuer-mismatch`), or no cosign key or
    keyless identity applies to the image to verify them (`unverifiable`). Attestations are
    verified offline with the same keys (`--key`, `trust.keys`) and keyless identities
    (`--certificate-identity`, `trust.keyless`) as signatures, as
    `cosign verify-attestation --type` does: a Sigstore bundle attached as an OCI 1.1 referrer
    (cosign 3) or a classic `sha256-<hex>.att` manifest (cosign 2, key-based), whose in-toto
    statement has that `predicateType` and names the image digest as its subject. An
    attestation never counts as the image's signature (IMG017), and a signature never as an
    attestation.

    `hullcheck image` judges them whenever the policy requires some; `hullcheck scan
    --verify-signatures` does for every image a Dockerfile pulls, a compose `image:` or a
    Kubernetes container names.

    ## Why it matters
    An attestation is what the builder states about the exact digest you run: SLSA provenance
    (which source, which workflow built it), an SBOM, a vulnerability scan. A policy that
    requires one only holds if it was signed by a key you trust, for that digest.

    ## How to fix
    Before:

    ```
        cosign sign --key cosign.key registry.example.com/app@sha256:...   # signature only
    ```

    After:

    ```
        cosign attest --key cosign.key --type slsaprovenance1 \\
            --predicate provenance.json registry.example.com/app@sha256:...
    ```

    ## References
    - `cis-docker-1.6:4.12`
    """

    id = "IMG019"
    name = "image-attestation"
    title = "Required image attestation missing or invalid"
    severity = Severity.HIGH
    inputs = frozenset({"image", "dockerfile", "compose", "kubernetes"})
    references = ("cis-docker-1.6:4.12",)
    fix = (
        "Attest the image digest with cosign (cosign attest --type ...) and the key or keyless"
        " identity the policy trusts, for every predicate type trust.attestations requires."
    )

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for v in image.trust:
            if v.is_attestation and not v.ok:
                yield self.finding(image.location(), f"{v.attestation}: {v.code}: {v.message}",
                                   evidence=f"{v.attestation}|{v.code}")

    def _judge(self, ctx: Context, ref: str) -> list[TrustVerdict]:
        policy = self._policy(ctx, ref)
        if policy is None or not policy.predicates:
            return []
        return [v for v in self._verify(ctx, policy, signature=False,
                                         predicates=policy.predicates) if not v.ok]
