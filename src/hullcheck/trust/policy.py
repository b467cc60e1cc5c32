"""The one trust policy, applied to any image reference (image command, Dockerfile ``FROM``,
compose ``image:``, Kubernetes pod images).

Entry point for every layer::

    judge_reference(ref, policy, *, extra_keys=(), verify_signatures=False,
                    registry_options=None, digest=None) -> list[TrustVerdict]

Allowed registries and digest pinning are judged statically. Signatures are verified when
``verify_signatures`` is true and a cosign key or a Notation trust store applies to the reference
(``policy.keys_for`` plus ``extra_keys``, e.g. ``--key``; ``policy.roots_for`` plus
``extra_roots``, e.g. ``--notation-root``); that needs the registry, and an unreachable one gives
an ``unverifiable`` verdict (not a pass). With both kinds configured, one verified signature of
either kind (a cosign signature by a trusted key, or a Notation signature chaining to the trust
store and, when the policy names them, by one of its trusted identities) satisfies the
policy. Keyless cosign signatures are judged when a certificate identity applies
(``policy.identities_for`` plus ``extra_identities``, e.g. ``--certificate-identity``; see
:mod:`hullcheck.trust.keyless`); a verified one satisfies the policy too. ``digest`` is the
manifest digest when the caller already knows it (the image command does), saving a round trip.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.references import ImageReference, InvalidReference, parse_reference
from hullcheck.trust import cosign

if TYPE_CHECKING:
    from hullcheck.config import TrustPolicy, TrustRoots
    from hullcheck.trust.keyless_policy import KeylessIdentity
    from hullcheck.trust.notation import TrustStores
    from hullcheck.trust.registry import RegistryClient, RegistryOptions

TRUSTED_SOURCES = "cis-docker-1.6:4.2"
SIGNED_ARTIFACTS = "cis-docker-1.6:4.12"

# verdict codes beyond cosign's
ALLOWED = "allowed"
NOT_ALLOWED = "not-allowed"
PINNED = "pinned"
NOT_PINNED = "not-pinned"
UNVERIFIABLE = "unverifiable"
BAD_REFERENCE = "invalid-reference"
BAD_KEY = "bad-key"
BAD_TRUST_STORE = "bad-trust-store"

@functools.cache
def _failure_order() -> tuple[str, ...]:
    """The most telling failure first, for when several signatures all fail. Built on first use:
    the keyless and Notation modules (and what they import) stay unloaded in runs that verify
    nothing, such as a scan whose rules only read a verdict code."""
    from hullcheck.trust import keyless, notation

    return (
        cosign.TAMPERED,
        cosign.OTHER_DIGEST,
        *keyless.FAILURE_CODES,
        notation.EXPIRED,
        notation.INVALID_CERT,
        notation.UNTRUSTED_IDENTITY,
        notation.UNTRUSTED_CERT,
        cosign.WRONG_KEY,
        cosign.INVALID,
        notation.INVALID_ENVELOPE,
        notation.UNSUPPORTED_ENVELOPE,
        cosign.UNTRUSTED_BUNDLE,
        keyless.NOT_KEYLESS,
        cosign.NO_SIGNATURE,
    )


@dataclass(frozen=True)
class TrustVerdict:
    code: str
    ok: bool
    message: str
    references: tuple[str, ...] = ()

    @property
    def is_signature(self) -> bool:
        return SIGNED_ARTIFACTS in self.references


def judge_reference(
    ref: str,
    policy: TrustPolicy,
    *,
    extra_keys: Sequence[Path] = (),
    verify_signatures: bool = False,
    registry_options: RegistryOptions | None = None,
    digest: str | None = None,
    client: RegistryClient | None = None,
    extra_roots: Sequence[Path] = (),
    extra_identities: Sequence[KeylessIdentity] = (),
    extra_notation_identities: Sequence[str] = (),
) -> list[TrustVerdict]:
    try:
        parsed = parse_reference(ref)
    except InvalidReference as exc:
        return [TrustVerdict(BAD_REFERENCE, False, str(exc))]
    out = judge_static(parsed, policy)
    key_paths = [*policy.keys_for(parsed), *extra_keys]
    root_paths = [*policy.roots_for(parsed), *extra_roots]
    identities = [*policy.identities_for(parsed), *extra_identities]
    if verify_signatures and (key_paths or root_paths or identities):
        out.append(
            verify_signature(
                parsed, key_paths, registry_options, digest=digest, client=client,
                roots=root_paths, identities=identities,
                notation_scopes=notation_scopes(policy, parsed, extra_roots,
                                                extra_notation_identities),
            )
        )
    return out


def notation_scopes(
    policy: TrustPolicy,
    ref: ImageReference,
    extra_roots: Sequence[Path] = (),
    extra_identities: Sequence[str] = (),
) -> list[TrustRoots]:
    """The Notation trust stores that apply to ``ref``, each with its trusted identities: the
    config's entries, and the command line's roots (``--notation-root``) restricted to the
    command line's identities (``--notation-identity``). Identities given without roots on the
    command line replace those of the config's entries for this run."""
    from dataclasses import replace

    from hullcheck.config import TrustRoots

    scopes = policy.notation_for(ref)
    if extra_identities and not extra_roots:
        scopes = [replace(s, identities=list(extra_identities)) for s in scopes]
    if extra_roots:
        scopes.append(TrustRoots(None, list(extra_roots), list(extra_identities) or None))
    return scopes


def judge_static(ref: ImageReference, policy: TrustPolicy) -> list[TrustVerdict]:
    out: list[TrustVerdict] = []
    if not policy.is_allowed(ref):
        out.append(
            TrustVerdict(
                NOT_ALLOWED,
                False,
                f"{ref.name} is outside the allowed registries and repositories"
                f" ({', '.join(policy.allowed)})",
                (TRUSTED_SOURCES,),
            )
        )
    if policy.require_digest and not ref.digest:
        out.append(
            TrustVerdict(
                NOT_PINNED,
                False,
                f"{ref.familiar} is not pinned by digest (the policy requires @sha256:...)",
                (TRUSTED_SOURCES,),
            )
        )
    return out


def verify_signature(
    ref: ImageReference,
    key_paths: Sequence[Path],
    registry_options: RegistryOptions | None = None,
    *,
    digest: str | None = None,
    client: RegistryClient | None = None,
    roots: Sequence[Path] = (),
    notation_scopes: Sequence[TrustRoots] | None = None,
    identities: Sequence[KeylessIdentity] = (),
) -> TrustVerdict:
    """``key_paths``: cosign public keys; ``roots``: the Notation trust store (PEM CA
    certificates), any signer trusted; or ``notation_scopes``: trust stores each with its
    trusted identities (see :func:`notation_scopes`); ``identities``: keyless cosign signers.
    Any may be empty; a signature verified by any of them satisfies the policy."""
    from hullcheck.trust import notation
    from hullcheck.trust.notation_certs import TrustStoreError, load_trust_store
    from hullcheck.trust.notation_identity import IdentityError, parse_identities
    from hullcheck.trust.registry import RegistryClient, RegistryError

    keys: list[cosign.PublicKey] = []
    for path in dict.fromkeys(key_paths):
        try:
            keys.append(cosign.load_key_file(path))
        except cosign.KeyError_ as exc:
            return TrustVerdict(BAD_KEY, False, str(exc), (SIGNED_ARTIFACTS,))
    scopes: list[tuple[Sequence[Path], list[str] | None]] = (
        [(s.trust_store, s.identities) for s in notation_scopes]
        if notation_scopes is not None else ([(roots, None)] if roots else [])
    )
    store: list[notation.TrustStore] | None = None
    if scopes:
        try:
            store = [load_trust_store(paths, parse_identities(identities or ()))
                     for paths, identities in scopes]
        except (TrustStoreError, IdentityError) as exc:
            return TrustVerdict(BAD_TRUST_STORE, False, str(exc), (SIGNED_ARTIFACTS,))
    try:
        client = client or RegistryClient(ref.registry, registry_options)
        if digest is None:
            digest = ref.digest
        if digest is None:
            found = client.get_manifest(ref.repository, ref.tag_or_latest)
            if found is None:
                return TrustVerdict(
                    UNVERIFIABLE,
                    False,
                    f"{ref.familiar}: no such image in the registry",
                    (SIGNED_ARTIFACTS,),
                )
            digest = found[2]
        verdicts = find_and_verify(
            client, ref.repository, digest, keys, store,
            cosign_wanted=bool(key_paths or identities), identities=identities,
        )
    except RegistryError as exc:
        return TrustVerdict(
            UNVERIFIABLE, False, f"signature not verified: {exc}", (SIGNED_ARTIFACTS,)
        )
    return summarise(verdicts, digest, cosign_wanted=bool(key_paths or identities),
                     notation_wanted=bool(scopes))


_NO_COSIGN = "no cosign signature (no sha256-<hex>.sig tag and no Sigstore bundle referrer)"
_NO_NOTATION = "no Notation signature (no application/vnd.cncf.notary.signature referrer)"


def summarise(
    verdicts: list[cosign.SignatureVerdict],
    digest: str,
    *,
    cosign_wanted: bool = True,
    notation_wanted: bool = False,
) -> TrustVerdict:
    for v in verdicts:
        if v.ok:
            return TrustVerdict(
                cosign.SIGNED, True, f"{digest}: {v.message} ({v.form} form)", (SIGNED_ARTIFACTS,)
            )
    if not verdicts:
        missing = [m for m, wanted in ((_NO_COSIGN, cosign_wanted),
                                       (_NO_NOTATION, notation_wanted)) if wanted]
        return TrustVerdict(
            cosign.NO_SIGNATURE,
            False,
            f"{digest}: {' and '.join(missing) or _NO_COSIGN}",
            (SIGNED_ARTIFACTS,),
        )
    order = _failure_order()
    worst = min(
        verdicts,
        key=lambda v: (
            order.index(v.code) if v.code in order else len(order)
        ),
    )
    return TrustVerdict(
        worst.code, False, f"{digest}: {worst.message} ({worst.form} form)", (SIGNED_ARTIFACTS,)
    )


def find_and_verify(
    client: RegistryClient,
    repo: str,
    digest: str,
    keys: list[cosign.PublicKey],
    store: TrustStores | None = None,
    *,
    cosign_wanted: bool = True,
    identities: Sequence[KeylessIdentity] = (),
) -> list[cosign.SignatureVerdict]:
    """Every signature attached to ``repo@digest`` that the policy can judge, each judged: cosign
    ones when ``cosign_wanted`` (keys or keyless identities are configured; one with a Fulcio
    certificate is judged keyless when ``identities`` is not empty), Notation ones when there
    is a ``store``."""
    from hullcheck.trust import keyless
    from hullcheck.trust.registry import RegistryError

    verdicts: list[cosign.SignatureVerdict] = []
    hex_digest = digest.split(":", 1)[1]
    found = client.get_manifest(repo, f"sha256-{hex_digest}.sig") if cosign_wanted else None
    manifest = _json_object(found[0]) if found is not None else None
    if found is not None and manifest is None:
        verdicts.append(cosign.SignatureVerdict(
            cosign.INVALID, "the .sig manifest is not a JSON object", "classic"))
    for layer in (manifest or {}).get("layers") or []:
        if not isinstance(layer, dict) or layer.get("mediaType") != cosign.SIMPLESIGNING:
            continue
        annotations = layer.get("annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        payload = client.read_blob(repo, str(layer.get("digest")))
        if identities and (keyless.CERTIFICATE_ANNOTATION in annotations or not keys):
            verdicts.append(_guarded("classic", keyless.verify_classic, payload, annotations,
                                     identities, digest))
            continue
        verdicts.append(_guarded(
            "classic", cosign.verify_simple_signing, payload,
            annotations.get(cosign.SIGNATURE_ANNOTATION), keys, digest,
            annotations.get(cosign.REKOR_BUNDLE_ANNOTATION),
        ))
    referrers, _how = client.referrers(repo, digest)
    if store is not None:
        from hullcheck.trust.notation_registry import verify_referrers

        try:
            verdicts.extend(verify_referrers(client, repo, digest, referrers, store))
        except RegistryError:
            raise
        except Exception as exc:  # hostile signature data: a verdict, never a traceback
            verdicts.append(cosign.SignatureVerdict(
                cosign.INVALID, f"a Notation signature could not be judged ({_short(exc)})",
                "notation"))
    for desc in referrers:
        if not cosign_wanted:
            break
        if not isinstance(desc, dict) or desc.get("artifactType") not in cosign.BUNDLE_TYPES:
            continue
        got = client.get_manifest(repo, str(desc.get("digest")))
        if got is None:
            continue
        manifest = _json_object(got[0])
        if manifest is None:
            verdicts.append(cosign.SignatureVerdict(
                cosign.INVALID, "a bundle manifest is not a JSON object", "bundle"))
            continue
        subject = manifest.get("subject")
        subject = subject if isinstance(subject, dict) else {}
        if subject.get("digest") not in (None, digest):
            continue  # a referrers index that lists something about another image
        for layer in manifest.get("layers") or []:
            if isinstance(layer, dict) and layer.get("mediaType") in cosign.BUNDLE_TYPES:
                blob = client.read_blob(repo, str(layer.get("digest")))
                try:
                    bundle = json.loads(blob)
                except ValueError:
                    verdicts.append(
                        cosign.SignatureVerdict(cosign.INVALID, "bundle is not JSON", "bundle")
                    )
                    continue
                verdicts.append(_guarded("bundle", _judge_bundle, bundle, keys, identities,
                                         hex_digest))
    return verdicts


def _json_object(data: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _guarded(form: str, verify: Callable[..., cosign.SignatureVerdict], *args: Any
             ) -> cosign.SignatureVerdict:
    """A verifier's verdict; whatever it raises on hostile signature data (a registry is not
    trusted to send well-formed material) is an ``invalid`` verdict naming the error, never a
    traceback. Registry errors still end the verification as unverifiable."""
    from hullcheck.trust.registry import RegistryError

    try:
        return verify(*args)
    except RegistryError:
        raise
    except Exception as exc:
        return cosign.SignatureVerdict(
            cosign.INVALID, f"the signature could not be judged ({_short(exc)})", form)


def _judge_bundle(
    bundle: object, keys: list[cosign.PublicKey], identities: Sequence[KeylessIdentity],
    hex_digest: str,
) -> cosign.SignatureVerdict:
    """Keyless when the bundle carries a certificate and identities apply, else by key."""
    from hullcheck.trust import keyless

    material = bundle.get("verificationMaterial") if isinstance(bundle, dict) else None
    has_cert = isinstance(material, dict) and (
        "certificate" in material or "x509CertificateChain" in material
    )
    if identities and has_cert:
        return keyless.verify_bundle(bundle, identities, hex_digest)
    if identities and not keys:
        return cosign.SignatureVerdict(
            keyless.NOT_KEYLESS,
            "a key-based Sigstore bundle (no Fulcio certificate) and no key is configured",
            "bundle",
        )
    return cosign.verify_bundle(bundle, keys, hex_digest)
