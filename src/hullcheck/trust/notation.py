"""Offline verification of Notation (Notary Project) signatures with ``cryptography``.

A Notation signature is an OCI manifest attached to the image as a referrer (``artifactType``
or config media type ``application/vnd.cncf.notary.signature``) whose one layer is the signature
envelope: ``application/jose+json`` (JWS JSON serialization, flattened) or ``application/cose``
(COSE_Sign1, parsed in :mod:`hullcheck.trust.notation_cose`). The JWS envelope is judged as the
Notary Project specifications say (signature-specification, signature-envelope-jws,
trust-store-trust-policy); after parsing, both formats go through :func:`judge`:

1. integrity: the envelope parses (the four members ``payload``, ``protected``, ``header``,
   ``signature`` and nothing else); the protected header has ``cty``
   ``application/vnd.cncf.notary.payload.v1+json``, ``crit`` naming
   ``io.cncf.notary.signingScheme``, a signing scheme ``notary.x509`` (with
   ``io.cncf.notary.signingTime``) or ``notary.x509.signingAuthority`` (with a critical
   ``io.cncf.notary.authenticSigningTime``), a critical ``io.cncf.notary.expiry`` when present,
   and no critical header we do not understand (a verification plugin is refused: hullcheck cannot
   run plugins); ``alg`` matches the signing certificate's key (RSA 2048/3072/4096 -> PS256/384/512,
   EC P-256/384/521 -> ES256/384/512); the signature verifies with that key over
   ``BASE64URL(protected) '.' BASE64URL(payload)``;
2. authenticity: the ``x5c`` chain meets the certificate requirements, one of its
   certificates is in the trust store (see :mod:`hullcheck.trust.notation_certs`), and the
   signing certificate is one of that store's trusted identities, if it names any
   (:mod:`hullcheck.trust.notation_identity`; else ``untrusted-identity``);
3. expiry: ``io.cncf.notary.expiry`` has not passed;
4. validity: every certificate of the chain is valid at the signing time and, as no authentic
   timestamp is checked, now (``notary.x509.signingAuthority``: at the authentic signing time);
5. the payload's ``targetArtifact.digest`` is the image manifest digest.

Not checked offline, and every verdict says so: revocation (OCSP, CRL) and RFC 3161 timestamp
countersignatures (``io.cncf.notary.timestampSignature``); with a timestamp, a certificate that
expired since signing still fails here although ``notation verify`` with a TSA trust store may
accept it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import Any

from hullcheck.trust.cosign import OTHER_DIGEST, SIGNED, TAMPERED, SignatureVerdict
from hullcheck.trust.notation_certs import (
    ChainError,
    TrustStore,
    check_chain,
    check_validity,
    parse_chain,
    subject,
    trusted_by,
)

TrustStores = TrustStore | Sequence[TrustStore]

SIGNATURE_ARTIFACT = "application/vnd.cncf.notary.signature"
JWS = "application/jose+json"
COSE = "application/cose"
ENVELOPE_TYPES = (JWS, COSE)
PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json"

SIGNING_SCHEME = "io.cncf.notary.signingScheme"
SIGNING_TIME = "io.cncf.notary.signingTime"
AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime"
EXPIRY = "io.cncf.notary.expiry"
PLUGIN = "io.cncf.notary.verificationPlugin"
PLUGIN_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion"
TIMESTAMP = "io.cncf.notary.timestampSignature"
X509 = "notary.x509"
SIGNING_AUTHORITY = "notary.x509.signingAuthority"
UNDERSTOOD_CRITICAL = {SIGNING_SCHEME, AUTHENTIC_SIGNING_TIME, EXPIRY}
REGISTERED = {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}

OFFLINE_NOTE = "revocation (OCSP/CRL) not checked offline"
TIMESTAMP_NOTE = "RFC 3161 timestamp not checked offline"
FORM = "notation JWS"

# verdict codes beyond cosign's (signed, tampered-payload and other-digest are shared)
UNTRUSTED_CERT = "untrusted-certificate"
INVALID_CERT = "invalid-certificate"
EXPIRED = "expired"
INVALID_ENVELOPE = "invalid-envelope"
UNSUPPORTED_ENVELOPE = "unsupported-envelope"  # kept for old reports: COSE is verified now
UNTRUSTED_IDENTITY = "untrusted-identity"

# key -> the only `alg` the specification allows for it
_RSA_ALG = {2048: "PS256", 3072: "PS384", 4096: "PS512"}
_EC_ALG = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


class EnvelopeError(Exception):
    """An envelope that does not follow the specification."""


def _b64url(text: Any, what: str) -> bytes:
    if not isinstance(text, str) or "=" in text or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise EnvelopeError(f"{what} is not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"{what} is not unpadded base64url") from None


def parse_time(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise EnvelopeError(f"{name} is not an RFC 3339 date-time: {value!r}")
    try:
        when = dt.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        raise EnvelopeError(f"{name} is not an RFC 3339 date-time: {value!r}") from None
    return when.astimezone(dt.UTC)


def _utc(when: dt.datetime) -> str:
    return f"{when.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"


@dataclass(frozen=True)
class JwsEnvelope:
    protected_b64: str
    payload_b64: str
    protected: dict[str, Any]
    payload: bytes
    unprotected: dict[str, Any]
    signature: bytes

    @property
    def signing_input(self) -> bytes:
        return f"{self.protected_b64}.{self.payload_b64}".encode("ascii")


def parse_jws(blob: bytes) -> JwsEnvelope:
    try:
        doc = json.loads(blob)
    except (ValueError, UnicodeDecodeError):
        raise EnvelopeError("the JWS envelope is not JSON") from None
    if not isinstance(doc, dict):
        raise EnvelopeError("the JWS envelope is not a JSON object")
    if "signatures" in doc:
        raise EnvelopeError("general JWS JSON serialization; Notation uses the flattened form")
    missing = [k for k in ("payload", "protected", "header", "signature") if k not in doc]
    if missing:
        raise EnvelopeError(f"the JWS envelope lacks {', '.join(missing)}")
    extra = sorted(set(doc) - {"payload", "protected", "header", "signature"})
    if extra:
        raise EnvelopeError(f"unexpected top-level member(s) {', '.join(extra)}")
    protected_raw = _b64url(doc["protected"], "protected")
    try:
        protected = json.loads(protected_raw)
    except (ValueError, UnicodeDecodeError):
        raise EnvelopeError("the protected header is not JSON") from None
    if not isinstance(protected, dict):
        raise EnvelopeError("the protected header is not a JSON object")
    header = doc["header"]
    if not isinstance(header, dict):
        raise EnvelopeError("the unprotected header is not a JSON object")
    overlap = sorted(set(header) & set(protected))
    if overlap:  # RFC 7515 4: header names must be disjoint
        raise EnvelopeError(f"header(s) {', '.join(overlap)} both protected and unprotected")
    return JwsEnvelope(
        protected_b64=doc["protected"],
        payload_b64=doc["payload"] if isinstance(doc["payload"], str) else "",
        protected=protected,
        payload=_b64url(doc["payload"], "payload"),
        unprotected=header,
        signature=_b64url(doc["signature"], "signature"),
    )


@dataclass(frozen=True)
class SignedAttributes:
    scheme: str
    signing_time: dt.datetime  # signingTime, or authenticSigningTime for signingAuthority
    expiry: dt.datetime | None


def check_protected(
    protected: dict[Any, Any],
    read_time: Callable[[Any, str], dt.datetime] = parse_time,
    registered: Container[Any] = REGISTERED,
) -> SignedAttributes:
    """The signed attributes, as the envelope specifications require them. ``protected`` uses
    the JWS names (``alg``, ``cty``, ``crit``); ``read_time`` reads a date-time (JWS: RFC 3339
    strings, COSE: tagged epoch times); ``registered``: what ``crit`` must not name."""
    alg = protected.get("alg")
    if not isinstance(alg, str) or alg not in {*_RSA_ALG.values(), *_EC_ALG.values()}:
        raise EnvelopeError(f"alg {alg!r} is not one of PS256/384/512, ES256/384/512")
    if protected.get("cty") != PAYLOAD_TYPE:
        raise EnvelopeError(f"unsupported content type cty={protected.get('cty')!r}"
                            f" (expected {PAYLOAD_TYPE})")
    crit = protected.get("crit")
    if (not isinstance(crit, list) or not crit
            or not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in crit)):
        raise EnvelopeError("crit is missing or not a list of header names")
    if SIGNING_SCHEME not in crit:
        raise EnvelopeError(f"crit does not name {SIGNING_SCHEME}")
    for name in crit:
        if name in registered:
            raise EnvelopeError(f"crit names the registered header {name!r}")
        if name not in protected:
            raise EnvelopeError(f"crit names {name}, which the protected header lacks")
        if name in (PLUGIN, PLUGIN_MIN_VERSION):
            raise EnvelopeError(
                f"the signature requires the verification plugin {protected.get(PLUGIN)!r},"
                " which hullcheck cannot run"
            )
        if name not in UNDERSTOOD_CRITICAL:
            raise EnvelopeError(f"unknown critical header {name}")
    for name in (EXPIRY, AUTHENTIC_SIGNING_TIME, PLUGIN, PLUGIN_MIN_VERSION):
        if name in protected and name not in crit:
            raise EnvelopeError(f"{name} must be marked critical")
    scheme = protected.get(SIGNING_SCHEME)
    if scheme == X509:
        if AUTHENTIC_SIGNING_TIME in protected:
            raise EnvelopeError(f"{AUTHENTIC_SIGNING_TIME} is only valid with {SIGNING_AUTHORITY}")
        if SIGNING_TIME not in protected:
            raise EnvelopeError(f"signing scheme {X509} requires {SIGNING_TIME}")
        when = read_time(protected[SIGNING_TIME], SIGNING_TIME)
    elif scheme == SIGNING_AUTHORITY:
        if SIGNING_TIME in protected:
            raise EnvelopeError(f"{SIGNING_TIME} is only valid with {X509}")
        if AUTHENTIC_SIGNING_TIME not in protected:
            raise EnvelopeError(f"signing scheme {SIGNING_AUTHORITY} requires"
                                f" {AUTHENTIC_SIGNING_TIME}")
        when = read_time(protected[AUTHENTIC_SIGNING_TIME], AUTHENTIC_SIGNING_TIME)
    else:
        raise EnvelopeError(f"unsupported signing scheme {scheme!r}")
    expiry = read_time(protected[EXPIRY], EXPIRY) if EXPIRY in protected else None
    return SignedAttributes(str(scheme), when, expiry)


def expected_alg(cert: Any) -> str:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        raise EnvelopeError(f"signing certificate {subject(cert)}: unusable public key"
                            f" ({exc})") from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size in _RSA_ALG:
        return _RSA_ALG[key.key_size]
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _EC_ALG:
        return _EC_ALG[key.curve.name]
    size = getattr(key, "key_size", "?")
    raise EnvelopeError(f"signing certificate {subject(cert)}: a {type(key).__name__} of"
                        f" {size} bits has no Notary Project signature algorithm")


def verify_jws_signature(envelope: JwsEnvelope, cert: Any, alg: str) -> bool:
    return verify_raw_signature(envelope.signature, envelope.signing_input, cert, alg)


def verify_raw_signature(signature: bytes, signing_input: bytes, cert: Any, alg: str) -> bool:
    """PS*: RSASSA-PSS; ES*: ECDSA with the signature as R || S (JWS and COSE alike)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    hash_alg: hashes.HashAlgorithm = {"256": hashes.SHA256(), "384": hashes.SHA384(),
                                      "512": hashes.SHA512()}[alg[2:]]
    key = cert.public_key()
    try:
        if alg.startswith("ES"):
            # R || S, each the curve's size in bytes (RFC 7518 3.4, RFC 9053 2.1)
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(utils.encode_dss_signature(r, s), signing_input, ec.ECDSA(hash_alg))
        else:
            # RSASSA-PSS, MGF1 with the same hash, salt as long as the hash (RFC 7518 3.5)
            key.verify(signature, signing_input,
                       padding.PSS(padding.MGF1(hash_alg), hash_alg.digest_size), hash_alg)
    except (InvalidSignature, ValueError):
        return False
    return True


def target_digest(payload: bytes) -> str:
    try:
        doc = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise EnvelopeError("the signed payload is not JSON") from None
    target = doc.get("targetArtifact") if isinstance(doc, dict) else None
    if not isinstance(target, dict):
        raise EnvelopeError("the signed payload has no targetArtifact descriptor")
    for field, kind in (("mediaType", str), ("digest", str), ("size", int)):
        if not isinstance(target.get(field), kind) or isinstance(target.get(field), bool):
            raise EnvelopeError(f"targetArtifact.{field} is missing or not a {kind.__name__}")
    return str(target["digest"])


def verify_jws(
    blob: bytes, store: TrustStores, image_digest: str, now: dt.datetime | None = None
) -> SignatureVerdict:
    """One JWS envelope judged against the trust store(s), in the specification's order."""
    try:
        envelope = parse_jws(blob)
        attrs = check_protected(envelope.protected)
        try:
            chain = parse_chain(envelope.unprotected.get("x5c"))
        except ValueError as exc:
            raise EnvelopeError(str(exc)) from None
        alg = check_alg(envelope.protected["alg"], chain[0])
    except EnvelopeError as exc:
        return SignatureVerdict(INVALID_ENVELOPE, f"invalid Notation envelope: {exc}", FORM)
    return judge(
        Signed(chain, attrs, alg, envelope.signature, envelope.signing_input, envelope.payload,
               TIMESTAMP in envelope.unprotected),
        store, image_digest, now, FORM,
    )


def check_alg(alg: Any, leaf: Any) -> str:
    """The signing certificate's algorithm, which the signed ``alg`` must name."""
    expected = expected_alg(leaf)
    if alg != expected:
        raise EnvelopeError(f"alg {alg} does not match the signing certificate's key (which"
                            f" requires {expected})")
    return expected


@dataclass(frozen=True)
class Signed:
    """What any envelope format yields once parsed: judged the same way for JWS and COSE."""

    chain: list[Any]
    attrs: SignedAttributes
    alg: str
    signature: bytes
    signing_input: bytes  # JWS: protected.payload; COSE: the Sig_structure
    payload: bytes
    timestamped: bool


def _stores(store: TrustStores) -> list[TrustStore]:
    return [store] if isinstance(store, TrustStore) else list(store)


def _identity_verdict(chain: list[Any], failed: list[tuple[TrustStore, Any]],
                      form: str) -> SignatureVerdict:
    from hullcheck.trust.notation_identity import render

    wanted = "; ".join(
        " | ".join(render(i) for i in s.identities or ()) + f" (trust store {s.label})"
        for s, _ in failed
    )
    return SignatureVerdict(
        UNTRUSTED_IDENTITY,
        f"signed by {subject(chain[0])}, whose chain is trusted (through"
        f" {subject(failed[0][1])}), but that signer is none of the trusted identities: {wanted}",
        form,
    )


def judge(signed: Signed, store: TrustStores, image_digest: str,
          now: dt.datetime | None = None, form: str = FORM) -> SignatureVerdict:
    """Integrity, authenticity (chain, trust store, trusted identity), expiry, validity and the
    signed digest, in the specification's order; the first failure is the verdict."""
    from hullcheck.trust.notation_identity import matches

    now = now or dt.datetime.now(dt.UTC)
    chain, attrs = signed.chain, signed.attrs
    if not verify_raw_signature(signed.signature, signed.signing_input, chain[0], signed.alg):
        return SignatureVerdict(
            TAMPERED,
            "the envelope's signature does not verify with its own signing certificate"
            f" ({subject(chain[0])}): the payload or signed headers were altered after signing",
            form,
        )
    try:
        check_chain(chain)
    except ChainError as exc:
        return SignatureVerdict(INVALID_CERT, f"certificate requirements not met: {exc}", form)
    except ValueError as exc:  # a field cryptography parses lazily and finds malformed
        return SignatureVerdict(INVALID_CERT, f"unreadable certificate in the chain: {exc}"[:300],
                                form)
    stores = _stores(store)
    anchor = None
    identity_failures: list[tuple[TrustStore, Any]] = []
    for candidate in stores:
        found = trusted_by(chain, candidate)
        if found is None:
            continue
        if matches(candidate.identities, chain[0]):
            anchor = found
            break
        identity_failures.append((candidate, found))
    if anchor is None:
        if identity_failures:
            return _identity_verdict(chain, identity_failures, form)
        return SignatureVerdict(
            UNTRUSTED_CERT,
            f"signed by {subject(chain[0])}, whose chain (root {subject(chain[-1])}) leads to no"
            f" certificate of the trust store ({', '.join(s.label for s in stores)})",
            form,
        )
    if attrs.expiry is not None and now >= attrs.expiry:
        return SignatureVerdict(EXPIRED, f"the signature expired on {_utc(attrs.expiry)}", form)
    try:
        if attrs.scheme == SIGNING_AUTHORITY:
            check_validity(chain, attrs.signing_time, "authentic signing time")
        else:
            check_validity(chain, attrs.signing_time, "signing time")
            check_validity(chain, now, "now" + (f"; {TIMESTAMP_NOTE}" if signed.timestamped
                                                else ""))
    except ChainError as exc:
        return SignatureVerdict(INVALID_CERT, str(exc), form)
    try:
        signed_digest = target_digest(signed.payload)
    except EnvelopeError as exc:
        return SignatureVerdict(INVALID_ENVELOPE, f"invalid Notation payload: {exc}", form)
    if signed_digest != image_digest:
        return SignatureVerdict(OTHER_DIGEST, f"signature is for another artifact"
                                f" ({signed_digest})", form)
    notes = [OFFLINE_NOTE] + ([TIMESTAMP_NOTE] if signed.timestamped else [])
    return SignatureVerdict(
        SIGNED,
        f"signed by {subject(chain[0])} (trusted through {subject(anchor)},"
        f" {attrs.scheme}); {'; '.join(notes)}",
        form,
    )


def verify_envelope(
    media_type: str, blob: bytes, store: TrustStores, image_digest: str,
    now: dt.datetime | None = None,
) -> SignatureVerdict:
    if media_type == JWS:
        return verify_jws(blob, store, image_digest, now)
    if media_type == COSE:
        from hullcheck.trust.notation_cose import verify_cose

        return verify_cose(blob, store, image_digest, now)
    return SignatureVerdict(INVALID_ENVELOPE, f"unknown envelope media type {media_type!r}",
                            "notation")
