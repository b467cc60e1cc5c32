"""IMG017: image signature missing or invalid."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import Finding, Location, Severity
from hullcheck.rules.base import Context, Rule

if TYPE_CHECKING:
    from hullcheck.models.container import ContainerSpec
    from hullcheck.models.image import Image
    from hullcheck.references import ImageReference
    from hullcheck.trust.policy import TrustVerdict


class ReferenceTrustRule(Rule):
    """What IMG017 and IMG019 share under ``scan --verify-signatures``: the image references a
    Dockerfile stage pulls and the image a compose service or a Kubernetes container runs, each
    judged once per run (one registry round trip per distinct reference and policy)."""

    def __init__(self) -> None:
        self._verdicts: dict[tuple[Any, ...], list[TrustVerdict]] = {}

    def _judge(self, ctx: Context, ref: str) -> list[TrustVerdict]:
        """The failed verdicts this rule reports for ``ref``."""
        raise NotImplementedError

    def _findings(self, ctx: Context, ref: str, location: Location) -> Iterator[Finding]:
        for verdict in self._judge(ctx, ref):
            what = f"{verdict.attestation}: " if verdict.attestation else ""
            yield self.finding(
                location, f"{ref}: {what}{verdict.code}: {verdict.message}",
                evidence=f"{ref}|{verdict.attestation + '|' if verdict.attestation else ''}"
                         f"{verdict.code}")

    def _policy(self, ctx: Context, ref: str) -> _Policy | None:
        """The keys, trust stores, identities and attestation types that apply to ``ref``
        (config and command line), or None when nothing is to be verified."""
        if not ctx.options.get("verify_signatures"):
            return None
        from hullcheck.references import InvalidReference, parse_reference
        from hullcheck.trust.policy import notation_scopes

        try:
            parsed = parse_reference(ref)
        except InvalidReference:
            return None
        extra = tuple(Path(k) for k in ctx.options.get("key") or [])
        keys = tuple(dict.fromkeys([*ctx.config.trust.keys_for(parsed), *extra]))
        extra_roots = tuple(Path(r) for r in ctx.options.get("notation_root") or [])
        roots = tuple(dict.fromkeys([*ctx.config.trust.roots_for(parsed), *extra_roots]))
        identities = tuple(dict.fromkeys([*ctx.config.trust.identities_for(parsed),
                                          *(ctx.options.get("keyless_identities") or [])]))
        predicates = tuple(ctx.config.trust.attestations_for(parsed))
        notation_identities = tuple(ctx.options.get("notation_identity") or [])
        scopes = notation_scopes(ctx.config.trust, parsed, extra_roots, notation_identities)
        return _Policy(parsed, keys, roots, identities, predicates, scopes)

    def _verify(self, ctx: Context, policy: _Policy, *, signature: bool,
                predicates: tuple[str, ...]) -> list[TrustVerdict]:
        from hullcheck.trust.policy import verify_image
        from hullcheck.trust.registry import RegistryOptions

        cache_key = (str(policy.ref), policy.keys, policy.roots, repr(policy.scopes),
                     policy.identities, signature, predicates)
        if cache_key not in self._verdicts:
            options = RegistryOptions.for_run(ctx.options)
            self._verdicts[cache_key] = verify_image(
                policy.ref, list(policy.keys), options, roots=list(policy.roots),
                notation_scopes=policy.scopes, identities=list(policy.identities),
                predicates=predicates, signature=signature)
        return self._verdicts[cache_key]

    def check_stage(self, ctx: Context, dockerfile: Any, stage: Any) -> Iterable[Finding]:
        if not ctx.options.get("verify_signatures"):
            return ()
        return self._stage_findings(ctx, dockerfile, stage)

    def _stage_findings(self, ctx: Context, dockerfile: Any, stage: Any) -> Iterator[Finding]:
        from hullcheck.rules.dockerfile._images import image_of, pulled_images

        image = image_of(stage)
        if image is not None:
            yield from self._findings(ctx, image, dockerfile.location(stage.line))
        # What else the stage pulls from a registry: COPY --from=<image> copies files of that
        # image into this one, RUN --mount=...,from=<image> runs with them; both are code from
        # that image, as much as a base is.
        for instruction in stage.instructions:
            for pulled in pulled_images(dockerfile, stage, instruction):
                yield from self._findings(
                    ctx, pulled.text,
                    dockerfile.location(instruction.line, instruction.end_line))

    def check_container(self, ctx: Context, spec: ContainerSpec) -> Iterable[Finding]:
        if not spec.image or not ctx.options.get("verify_signatures"):
            return ()
        return self._findings(ctx, spec.image, spec.loc("image", spec.image_line))


@dataclass(frozen=True)
class _Policy:
    ref: ImageReference
    keys: tuple[Path, ...]
    roots: tuple[Path, ...]
    identities: tuple[Any, ...]
    predicates: tuple[str, ...]
    scopes: list[Any]


class Signature(ReferenceTrustRule):
    """
    ## What it finds
    For images a key applies to (`--key`, or `trust.keys` in the configuration), a cosign signature
    that is missing, made with another key, over an altered payload, for another digest, or a
    Sigstore bundle no trusted key signed. Verified offline: the transparency log is not checked.
    Only a cosign *image signature* counts: the classic simple-signing payload, or cosign 3's
    in-toto statement of predicate type `https://sigstore.dev/cosign/sign/v1`. An attestation
    (SLSA provenance, an SBOM, a vulnerability report: any other predicate type) signed by the
    same key is not a signature (`no-signature`, naming what was found instead); required
    attestations are IMG019's.

    What is verified is the digest of what runs: a registry image's manifest; an OCI layout's
    manifest, against the signatures stored in the layout (what `cosign save` writes, as `cosign
    verify --local-image` does); an engine image's repo digest for the repository named (a
    local build or a retag without one is `unverifiable`: the registry's image under that tag
    is other content). A `docker save` archive keeps no signature: under a signature policy it
    is `no-signature`.

    For images a Notation trust store applies to (`--notation-root`, or `trust.notation`), a
    Notation (Notary Project) signature that is missing, signed by a certificate that does not
    chain to the trust store (`untrusted-certificate`), by a certificate that chains to it but is
    none of the trusted identities (`untrusted-identity`: `identities` in `trust.notation`, or
    `--notation-identity`), altered after signing (`tampered-payload`),
    for another digest, past its expiry (`expired`), with a certificate chain that breaks the
    specification's requirements or validity periods (`invalid-certificate`), or not a valid
    envelope (`invalid-envelope`; JWS and COSE envelopes are both verified). Revocation (OCSP/CRL)
    and RFC 3161 timestamps are not checked offline. When both kinds apply, one verified signature
    of either kind satisfies the policy.

    For images a keyless identity applies to (`--certificate-identity[-regexp]` with
    `--certificate-oidc-issuer[-regexp]`, or `trust.keyless`), a cosign keyless signature (Fulcio
    certificate, Rekor entry) that is missing, made by another identity (`identity-mismatch`) or
    issuer (`issuer-mismatch`), with a certificate not from Sigstore's public-good Fulcio
    (`untrusted-certificate`), with a transparency-log proof or SET that does not verify
    (`invalid-tlog-proof`), altered, or for another digest. Verified offline against the trusted
    root embedded in sigstore-python; Rekor is not queried online.

    `hullcheck image` always verifies when a key or trust store applies.
    `hullcheck scan --verify-signatures` applies the same check to every image a Dockerfile pulls
    (`FROM`, `COPY --from=<image>`, `RUN --mount=...,from=<image>`, in `ONBUILD` triggers too), a
    compose `image:` or a Kubernetes container names, fetching signatures from their registries
    (an unreachable registry is reported as `unverifiable`, never as a pass).

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
        # or, with a certificate issued under the trust store's root:
        notation sign --key acme registry.example.com/app@sha256:...
    ```

    ## References
    - `cis-docker-1.6:4.12`
    """

    id = "IMG017"
    name = "image-signature"
    title = "Image signature missing or invalid"
    severity = Severity.HIGH
    inputs = frozenset({"image", "dockerfile", "compose", "kubernetes"})
    references = ("cis-docker-1.6:4.12",)
    fix = (
        "Sign the image digest with cosign and the key the policy names, or with Notation and a"
        " certificate that chains to the policy's trust store."
    )

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for v in image.trust:
            if v.is_signature and not v.ok:
                yield self.finding(image.location(), f"{v.code}: {v.message}", evidence=v.code)

    def _judge(self, ctx: Context, ref: str) -> list[TrustVerdict]:
        policy = self._policy(ctx, ref)
        if policy is None or not (policy.keys or policy.roots or policy.identities):
            return []
        return [v for v in self._verify(ctx, policy, signature=True, predicates=())
                if not v.ok]
