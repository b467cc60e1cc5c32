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

Only a cosign image signature (a simple-signing payload, or an in-toto statement of predicate
type ``https://sigstore.dev/cosign/sign/v1``) or a Notation signature satisfies the signature
policy; an attestation (any other in-toto statement) never does. Attestations are judged only
when ``trust.attestations`` requires predicate types for the reference
(``policy.attestations_for``): one more verdict per type (``TrustVerdict.attestation`` names
it), verified with the same cosign keys and keyless identities, as ``cosign verify-attestation
--type`` does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
ATTESTED = "attested"
NO_ATTESTATION = "no-attestation"

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
        NO_ATTESTATION,
    )


@dataclass(frozen=True)
class TrustVerdict:
    code: str
    ok: bool
    message: str
    references: tuple[str, ...] = ()
    attestation: str | None = None  # the predicate type, for a required attestation's verdict

    @property
    def is_signature(self) -> bool:
        return SIGNED_ARTIFACTS in self.references and self.attestation is None

    @property
    def is_attestation(self) -> bool:
        return self.attestation is not None


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
    predicates = policy.attestations_for(parsed)
    if verify_signatures and (key_paths or root_paths or identities or predicates):
        out.extend(
            verify_image(
                parsed, key_paths, registry_options, digest=digest, client=client,
                roots=root_paths, identities=identities,
                notation_scopes=notation_scopes(policy, parsed, extra_roots,
                                                extra_notation_identities),
                predicates=predicates,
            )
        )
    return out


def notation_scopes(
    policy: TrustPolicy,
    ref: ImageReference | None,
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


class ArtifactStore(Protocol):
    """Where an image's signatures are read from: a registry (:class:`RegistryClient`) or an
    OCI image layout on disk (:class:`hullcheck.trust.oci_layout.LayoutStore`)."""

    def get_manifest(self, repo: str, reference: str, accept: Iterable[str] = ...
                     ) -> tuple[bytes, str, str] | None: ...

    def read_blob(self, repo: str, digest: str, limit: int = ...) -> bytes: ...

    def referrers(self, repo: str, digest: str) -> tuple[list[dict[str, Any]], str]: ...


def verify_signature(
    ref: ImageReference | None,
    key_paths: Sequence[Path],
    registry_options: RegistryOptions | None = None,
    *,
    digest: str | None = None,
    client: ArtifactStore | None = None,
    roots: Sequence[Path] = (),
    notation_scopes: Sequence[TrustRoots] | None = None,
    identities: Sequence[KeylessIdentity] = (),
) -> TrustVerdict:
    """``key_paths``: cosign public keys; ``roots``: the Notation trust store (PEM CA
    certificates), any signer trusted; or ``notation_scopes``: trust stores each with its
    trusted identities (see :func:`notation_scopes`); ``identities``: keyless cosign signers.
    Any may be empty; a signature verified by any of them satisfies the policy. ``ref`` may be
    None when ``client`` and ``digest`` are given (an image read from an OCI layout)."""
    out = verify_image(ref, key_paths, registry_options, digest=digest, client=client,
                       roots=roots, notation_scopes=notation_scopes, identities=identities)
    return out[0] if out else TrustVerdict(
        cosign.NO_SIGNATURE, False, "no key, trust store or keyless identity to verify with",
        (SIGNED_ARTIFACTS,))


def verify_image(
    ref: ImageReference | None,
    key_paths: Sequence[Path],
    registry_options: RegistryOptions | None = None,
    *,
    digest: str | None = None,
    client: ArtifactStore | None = None,
    roots: Sequence[Path] = (),
    notation_scopes: Sequence[TrustRoots] | None = None,
    identities: Sequence[KeylessIdentity] = (),
    predicates: Sequence[str] = (),
    signature: bool = True,
) -> list[TrustVerdict]:
    """The signature verdict (when ``signature`` and a key, trust store or identity applies)
    followed by one verdict per required attestation predicate type (verified with the same
    keys and keyless identities, as ``cosign verify-attestation --type``), from one read of what
    is attached to the image: see :func:`verify_signature`."""
    from hullcheck.trust import notation
    from hullcheck.trust.notation_certs import TrustStoreError, load_trust_store
    from hullcheck.trust.notation_identity import IdentityError, parse_identities
    from hullcheck.trust.registry import RegistryClient, RegistryError

    scopes: list[tuple[Sequence[Path], list[str] | None]] = (
        [(s.trust_store, s.identities) for s in notation_scopes]
        if notation_scopes is not None else ([(roots, None)] if roots else [])
    ) if signature else []
    cosign_wanted = bool(key_paths or identities)
    signature_wanted = signature and bool(cosign_wanted or scopes)
    predicates = list(dict.fromkeys(predicates))

    def each(code: str, message: str) -> list[TrustVerdict]:
        return same_verdict(code, message, signature=signature_wanted, predicates=predicates)

    keys: list[cosign.PublicKey] = []
    for path in dict.fromkeys(key_paths):
        try:
            keys.append(cosign.load_key_file(path))
        except cosign.KeyError_ as exc:
            return each(BAD_KEY, str(exc))
    store: list[notation.TrustStore] | None = None
    if scopes:
        try:
            store = [load_trust_store(paths, parse_identities(identities or ()))
                     for paths, identities in scopes]
        except (TrustStoreError, IdentityError) as exc:
            return each(BAD_TRUST_STORE, str(exc))
    unattestable: list[TrustVerdict] = []
    if predicates and not cosign_wanted:
        # An attestation is an in-toto statement signed by a cosign key or a keyless identity:
        # with neither, none can be verified (never a pass).
        unattestable = [TrustVerdict(
            UNVERIFIABLE, False,
            "an attestation is required but no cosign key or keyless identity applies to this"
            " image to verify it (--key, --certificate-identity, trust.keys or trust.keyless)",
            (SIGNED_ARTIFACTS,), attestation=p) for p in predicates]
        predicates = []
        if not signature_wanted:
            return unattestable
    repo = ref.repository if ref is not None else ""
    try:
        if client is None:
            if ref is None:
                raise ValueError("verify_image needs a reference or a client")
            client = RegistryClient(ref.registry, registry_options)
        if digest is None and ref is not None:
            digest = ref.digest
        if digest is None and ref is not None:
            found = client.get_manifest(repo, ref.tag_or_latest)
            if found is None:
                return each(UNVERIFIABLE, f"{ref.familiar}: no such image in the registry"
                            ) + unattestable
            digest = found[2]
        if digest is None:
            raise ValueError("verify_image needs a digest without a reference")
        attached = collect(client, repo, digest, signatures=signature_wanted and cosign_wanted,
                           attestations=bool(predicates))
        out: list[TrustVerdict] = []
        if signature_wanted:
            verdicts = judge_signatures(attached, keys, identities, digest,
                                        cosign_wanted=cosign_wanted)
            if store is not None:
                verdicts.extend(_notation_verdicts(client, repo, digest, attached, store))
            out.append(summarise(verdicts, digest, cosign_wanted=cosign_wanted,
                                 notation_wanted=bool(scopes)))
        for predicate in predicates:
            out.append(summarise_attestation(
                judge_attestations(attached, keys, identities, digest, predicate),
                digest, predicate))
    except RegistryError as exc:
        return each(UNVERIFIABLE, f"signature not verified: {exc}") + unattestable
    return out + unattestable


def same_verdict(code: str, message: str, *, signature: bool, predicates: Sequence[str]
                 ) -> list[TrustVerdict]:
    """The same failure for everything that was to be verified: the signature (when
    ``signature``) and each required attestation (the verdict names its predicate type in
    ``attestation``, which findings show)."""
    out = [TrustVerdict(code, False, message, (SIGNED_ARTIFACTS,))] if signature else []
    out += [TrustVerdict(code, False, message, (SIGNED_ARTIFACTS,), attestation=p)
            for p in predicates]
    return out


_NO_COSIGN = "no cosign signature (no sha256-<hex>.sig tag and no Sigstore bundle referrer)"
_NO_NOTATION = "no Notation signature (no application/vnd.cncf.notary.signature referrer)"


def summarise(
    verdicts: list[cosign.SignatureVerdict],
    digest: str,
    *,
    cosign_wanted: bool = True,
    notation_wanted: bool = False,
) -> TrustVerdict:
    """One verdict from every signature judged: the first verified one, else the most telling
    failure. Attestations (``not-a-signature``) are no signature: with nothing else, the image
    has no signature, and the message says what was found instead."""
    for v in verdicts:
        if v.ok:
            return TrustVerdict(
                cosign.SIGNED, True, f"{digest}: {v.message} ({v.form} form)", (SIGNED_ARTIFACTS,)
            )
    not_signatures = [v for v in verdicts if v.code == cosign.NOT_A_SIGNATURE]
    verdicts = [v for v in verdicts if v.code != cosign.NOT_A_SIGNATURE]
    if not verdicts:
        missing = [m for m, wanted in ((_NO_COSIGN, cosign_wanted),
                                       (_NO_NOTATION, notation_wanted)) if wanted]
        found = ""
        if not_signatures:
            more = f" (and {len(not_signatures) - 1} more)" if len(not_signatures) > 1 else ""
            found = f"; found {not_signatures[0].message}{more}"
        return TrustVerdict(
            cosign.NO_SIGNATURE,
            False,
            f"{digest}: {' and '.join(missing) or _NO_COSIGN}{found}",
            (SIGNED_ARTIFACTS,),
        )
    worst = _worst(verdicts)
    return TrustVerdict(
        worst.code, False, f"{digest}: {worst.message} ({worst.form} form)", (SIGNED_ARTIFACTS,)
    )


def summarise_attestation(
    verdicts: list[cosign.SignatureVerdict], digest: str, predicate: str
) -> TrustVerdict:
    """One verdict for a required predicate type: attested when one statement of that type
    about this digest verifies, else the most telling failure; statements of other types do not
    count."""
    for v in verdicts:
        if v.ok:
            return TrustVerdict(ATTESTED, True, f"{digest}: {v.message} ({v.form} form)",
                                (SIGNED_ARTIFACTS,), attestation=predicate)
    verdicts = [v for v in verdicts if v.code != cosign.OTHER_PREDICATE]
    if not verdicts:
        return TrustVerdict(
            NO_ATTESTATION, False,
            f"{digest}: no attestation of predicate type {predicate} (no verified statement"
            " of that type in a sha256-<hex>.att tag or a Sigstore bundle referrer)",
            (SIGNED_ARTIFACTS,), attestation=predicate)
    worst = _worst(verdicts)
    return TrustVerdict(worst.code, False, f"{digest}: {worst.message} ({worst.form} form)",
                        (SIGNED_ARTIFACTS,), attestation=predicate)


def _worst(verdicts: list[cosign.SignatureVerdict]) -> cosign.SignatureVerdict:
    order = _failure_order()
    return min(verdicts, key=lambda v: order.index(v.code) if v.code in order else len(order))


MAX_ATTACHED = 64  # signature layers, .att layers and bundle referrers judged per image, each
MAX_SIGNATURE_BLOB = 1 << 20  # one payload, DSSE envelope or bundle (real ones are < 16 KiB)
MAX_ATTACHED_BYTES = 16 << 20  # all of them together, for one image


@dataclass
class Attached:
    """What is attached to one image digest, read once: the classic ``.sig`` layers
    (simple-signing payload, annotations), the classic ``.att`` layers (DSSE envelope blob,
    annotations), the Sigstore bundles of the referrers (parsed JSON), the referrer
    descriptors (for Notation), and verdicts on what could not be read."""

    sig_layers: list[tuple[bytes, dict[str, Any]]]
    att_layers: list[tuple[bytes, dict[str, Any]]]
    bundles: list[Any]
    referrers: list[dict[str, Any]]
    problems: list[cosign.SignatureVerdict]


class _Reader:
    """Reads signature blobs within the caps: one blob at most :data:`MAX_SIGNATURE_BLOB`, all
    of an image's at most :data:`MAX_ATTACHED_BYTES`. A blob whose descriptor declares more is
    not fetched and becomes one verdict (the other signatures are still judged); one that is
    bigger than it declared ends the verification as unverifiable (the registry lied)."""

    def __init__(self, client: ArtifactStore, repo: str,
                 problems: list[cosign.SignatureVerdict]) -> None:
        self.client = client
        self.repo = repo
        self.problems = problems
        self.left = MAX_ATTACHED_BYTES

    def read(self, desc: dict[str, Any], form: str) -> bytes | None:
        size = desc.get("size")
        declared = size if isinstance(size, int) and not isinstance(size, bool) else 0
        limit = min(MAX_SIGNATURE_BLOB, self.left)
        if declared > limit:
            why = (f"over the {MAX_SIGNATURE_BLOB >> 10} KiB cap" if declared > MAX_SIGNATURE_BLOB
                   else f"past the {MAX_ATTACHED_BYTES >> 20} MiB read for one image's"
                   " signatures")
            self.problems.append(cosign.SignatureVerdict(
                cosign.INVALID, f"a signature blob of {declared} bytes, {why} (not read)", form))
            return None
        data = self.client.read_blob(self.repo, str(desc.get("digest")), limit=limit)
        self.left -= len(data)
        return data


def _layers(reader: _Reader, tag: str, media_type: str, form: str
            ) -> list[tuple[bytes, dict[str, Any]]]:
    """The layers of ``media_type`` of the manifest tagged ``tag`` (a classic ``.sig`` or
    ``.att``), each read (bounded) with its annotations."""
    found = reader.client.get_manifest(reader.repo, tag)
    if found is None:
        return []
    manifest = _json_object(found[0])
    if manifest is None:
        reader.problems.append(cosign.SignatureVerdict(
            cosign.INVALID, f"the {tag[-4:]} manifest is not a JSON object", form))
        return []
    layers = manifest.get("layers")
    wanted = [la for la in (layers if isinstance(layers, list) else [])
              if isinstance(la, dict) and la.get("mediaType") == media_type]
    if len(wanted) > MAX_ATTACHED:
        reader.problems.append(cosign.SignatureVerdict(
            cosign.INVALID, f"the {tag[-4:]} manifest has {len(wanted)} layers; only the first"
            f" {MAX_ATTACHED} are judged", form))
    out: list[tuple[bytes, dict[str, Any]]] = []
    for layer in wanted[:MAX_ATTACHED]:
        data = reader.read(layer, form)
        if data is not None:
            notes = layer.get("annotations")
            out.append((data, notes if isinstance(notes, dict) else {}))
    return out


def collect(client: ArtifactStore, repo: str, digest: str, *, signatures: bool = True,
            attestations: bool = False) -> Attached:
    """Read what is attached to ``repo@digest``: the ``.sig`` tag when cosign ``signatures``
    are judged, the ``.att`` tag when ``attestations`` are, and the referrers (Sigstore
    bundles for either; Notation signatures are read from the descriptors later)."""
    hex_digest = digest.split(":", 1)[1]
    problems: list[cosign.SignatureVerdict] = []
    reader = _Reader(client, repo, problems)
    sig_layers = (_layers(reader, f"sha256-{hex_digest}.sig", cosign.SIMPLESIGNING, "classic")
                  if signatures else [])
    att_layers = (_layers(reader, f"sha256-{hex_digest}.att", cosign.DSSE_LAYER,
                          "classic attestation") if attestations else [])
    referrers, _how = client.referrers(repo, digest)
    bundles: list[Any] = []
    if signatures or attestations:
        candidates = [d for d in referrers
                      if isinstance(d, dict) and d.get("artifactType") in cosign.BUNDLE_TYPES]
        if len(candidates) > MAX_ATTACHED:
            problems.append(cosign.SignatureVerdict(
                cosign.INVALID, f"{len(candidates)} Sigstore bundle referrers; only the first"
                f" {MAX_ATTACHED} are judged", "bundle"))
        for desc in candidates[:MAX_ATTACHED]:
            _read_bundles(reader, digest, desc, bundles)
    return Attached(sig_layers, att_layers, bundles, referrers, problems)


def _read_bundles(reader: _Reader, digest: str, desc: dict[str, Any], bundles: list[Any]
                  ) -> None:
    got = reader.client.get_manifest(reader.repo, str(desc.get("digest")))
    if got is None:
        return
    manifest = _json_object(got[0])
    if manifest is None:
        reader.problems.append(cosign.SignatureVerdict(
            cosign.INVALID, "a bundle manifest is not a JSON object", "bundle"))
        return
    subject = manifest.get("subject")
    subject = subject if isinstance(subject, dict) else {}
    if subject.get("digest") not in (None, digest):
        return  # a referrers index that lists something about another image
    layers = manifest.get("layers")
    for layer in (layers if isinstance(layers, list) else [])[:4]:
        if isinstance(layer, dict) and layer.get("mediaType") in cosign.BUNDLE_TYPES:
            blob = reader.read(layer, "bundle")
            if blob is None:
                continue
            try:
                bundles.append(json.loads(blob))
            except ValueError:
                reader.problems.append(
                    cosign.SignatureVerdict(cosign.INVALID, "bundle is not JSON", "bundle"))


def judge_signatures(
    attached: Attached,
    keys: list[cosign.PublicKey],
    identities: Sequence[KeylessIdentity],
    digest: str,
    *,
    cosign_wanted: bool = True,
) -> list[cosign.SignatureVerdict]:
    """Every cosign signature attached, judged as an image signature (a classic layer with a
    Fulcio certificate, or any when only identities apply, is judged keyless)."""
    from hullcheck.trust import keyless

    if not cosign_wanted:
        return []
    verdicts = list(attached.problems)
    hex_digest = digest.split(":", 1)[1]
    for payload, notes in attached.sig_layers:
        if identities and (keyless.CERTIFICATE_ANNOTATION in notes or not keys):
            verdicts.append(_guarded("classic", keyless.verify_classic, payload, notes,
                                     identities, digest))
            continue
        verdicts.append(_guarded(
            "classic", cosign.verify_simple_signing, payload,
            notes.get(cosign.SIGNATURE_ANNOTATION), keys, digest,
            notes.get(cosign.REKOR_BUNDLE_ANNOTATION),
        ))
    for bundle in attached.bundles:
        verdicts.append(_guarded("bundle", _judge_bundle, bundle, keys, identities, hex_digest))
    return verdicts


def judge_attestations(
    attached: Attached,
    keys: list[cosign.PublicKey],
    identities: Sequence[KeylessIdentity],
    digest: str,
    predicate: str,
) -> list[cosign.SignatureVerdict]:
    """Every attestation attached (classic ``.att`` layers, Sigstore bundle referrers), judged
    as an attestation of ``predicate`` about ``digest``."""
    from hullcheck.trust import keyless

    verdicts = list(attached.problems)
    hex_digest = digest.split(":", 1)[1]
    for blob, notes in attached.att_layers:
        if keyless.CERTIFICATE_ANNOTATION in notes:
            # A classic keyless .att is logged in Rekor as an intoto entry, which the offline
            # classic verifier does not rebuild: refused, never passed.
            verdicts.append(cosign.wrong_kind(_envelope_predicate(blob), predicate,
                                              "classic attestation") or cosign.SignatureVerdict(
                cosign.INVALID, "a keyless classic attestation (.att with a certificate) is not"
                " verified offline; attach it as a Sigstore bundle (cosign 3) instead",
                "classic attestation"))
            continue
        verdicts.append(_guarded("classic attestation", _judge_att_layer, blob, keys,
                                 hex_digest, predicate))
    for bundle in attached.bundles:
        verdicts.append(_guarded("attestation", _judge_bundle, bundle, keys, identities,
                                 hex_digest, predicate))
    return verdicts


def _envelope_predicate(blob: bytes) -> str | None:
    envelope = _json_object(blob)
    if envelope is None:
        return None
    return cosign.bundle_predicate({"dsseEnvelope": envelope})


def _judge_att_layer(blob: bytes, keys: list[cosign.PublicKey], hex_digest: str,
                     predicate: str) -> cosign.SignatureVerdict:
    envelope = _json_object(blob)
    if envelope is None:
        return cosign.SignatureVerdict(cosign.INVALID, "an .att layer is not a DSSE envelope",
                                       "classic attestation")
    verdict = cosign.verify_dsse(envelope, keys, hex_digest, None, predicate)
    return cosign.SignatureVerdict(verdict.code, verdict.message, "classic attestation")


def _notation_verdicts(client: ArtifactStore, repo: str, digest: str, attached: Attached,
                       store: TrustStores) -> list[cosign.SignatureVerdict]:
    from hullcheck.trust.notation_registry import verify_referrers
    from hullcheck.trust.registry import RegistryError

    try:
        return verify_referrers(client, repo, digest, attached.referrers, store)
    except RegistryError:
        raise
    except Exception as exc:  # hostile signature data: a verdict, never a traceback
        return [cosign.SignatureVerdict(
            cosign.INVALID, f"a Notation signature could not be judged ({_short(exc)})",
            "notation")]


def find_and_verify(
    client: ArtifactStore,
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
    attached = collect(client, repo, digest, signatures=cosign_wanted)
    verdicts = judge_signatures(attached, keys, identities, digest, cosign_wanted=cosign_wanted)
    if store is not None:
        verdicts.extend(_notation_verdicts(client, repo, digest, attached, store))
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
    hex_digest: str, predicate: str | None = None,
) -> cosign.SignatureVerdict:
    """Keyless when the bundle carries a certificate and identities apply, else by key; as an
    image signature, or as an attestation of ``predicate``."""
    from hullcheck.trust import keyless

    material = bundle.get("verificationMaterial") if isinstance(bundle, dict) else None
    has_cert = isinstance(material, dict) and (
        "certificate" in material or "x509CertificateChain" in material
    )
    if identities and has_cert:
        return keyless.verify_bundle(bundle, identities, hex_digest, predicate)
    if identities and not keys:
        form = "bundle" if predicate is None else "attestation"
        return cosign.wrong_kind(cosign.bundle_predicate(bundle), predicate, form) or (
            cosign.SignatureVerdict(
                keyless.NOT_KEYLESS,
                "a key-based Sigstore bundle (no Fulcio certificate) and no key is configured",
                form,
            ))
    return cosign.verify_bundle(bundle, keys, hex_digest, predicate)
