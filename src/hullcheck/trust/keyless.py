"""Offline verification of cosign *keyless* signatures: a short-lived Fulcio certificate bound to
an OIDC identity, recorded in Rekor, judged against Sigstore's public-good trusted root (the
``trusted_root.json`` that sigstore-python embeds; no TUF refresh, no network) and an identity
policy (:mod:`hullcheck.trust.keyless_policy`).

Two forms, as for key-based signatures (:mod:`hullcheck.trust.cosign`):

- the Sigstore bundle (cosign 3's default: a DSSE envelope over an in-toto statement, attached as
  an OCI referrer) is verified by sigstore-python's ``Verifier``: the certificate chains to a
  Fulcio CA of the trusted root at the signing time; its embedded SCT verifies with a CT log key
  of the root; the certificate's identity and issuer match the policy; the Rekor entry's Merkle
  inclusion proof, its signed checkpoint and its signed entry timestamp (SET) verify with the
  Rekor key of the root; the log time lies within the certificate's validity; the DSSE signature
  verifies with the certificate's key; the log entry records this very envelope. Then the
  statement's subject digest must be the image manifest digest, and its predicate type
  ``https://sigstore.dev/cosign/sign/v1`` for a signature (any other is an attestation, judged
  only against the predicate type a policy requires: see :mod:`hullcheck.trust.cosign`).
- the classic ``sha256-<hex>.sig`` layer with ``dev.sigstore.cosign/certificate`` (and ``/chain``,
  ``/bundle``) annotations, which sigstore-python does not handle, is verified here with
  ``cryptography`` against the same trusted root: the certificate chains to a Fulcio CA at the
  log's integrated time; its SCT verifies with a CT log key; identity and issuer match; the SET
  of the ``dev.sigstore.cosign/bundle`` annotation verifies with the Rekor key named by its
  ``logID``; the integrated time lies within the certificate's validity; the signature over the
  simple-signing payload verifies with the certificate's key; the Rekor entry (hashedrekord)
  records this payload's hash, this signature and this certificate; the payload's
  ``docker-manifest-digest`` is the image digest. The annotation carries a SET (Rekor's signed
  promise to include the entry), not a Merkle inclusion proof: there is none to check.

Not checked offline, and every verdict says so: that the entry is still in the log as Rekor
serves it today (no online lookup, no consistency proof), and any change to Sigstore's trust
material since the sigstore-python release that embeds the root (rotated or withdrawn keys, new
CAs or logs: a signature by infrastructure newer than the embedded root fails as untrusted).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullcheck.trust.cosign import (
    INTOTO,
    OTHER_DIGEST,
    SIGNATURE_ANNOTATION,
    SIGNED,
    SIMPLE_SIGNING_TYPE,
    TAMPERED,
    SignatureVerdict,
    _subject_digests,
    bundle_predicate,
    claimed_predicate,
    message_signature_verdict,
    quote,
    wrong_kind,
)
from hullcheck.trust.keyless_policy import KeylessIdentity

CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
CHAIN_ANNOTATION = "dev.sigstore.cosign/chain"
REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"

# verdict codes beyond cosign's (signed, tampered-payload, other-digest are shared; the
# certificate codes are Notation's, so one vocabulary serves both)
IDENTITY_MISMATCH = "identity-mismatch"
ISSUER_MISMATCH = "issuer-mismatch"
UNTRUSTED_CERT = "untrusted-certificate"  # not from the trusted Fulcio (or no valid SCT)
INVALID_CERT = "invalid-certificate"  # not valid when logged, or not a signing certificate
INVALID_TLOG = "invalid-tlog-proof"  # SET, inclusion proof or checkpoint does not verify
NOT_KEYLESS = "not-keyless"  # a key-based signature, and no key is configured
INVALID = "invalid-signature"
FAILURE_CODES = (IDENTITY_MISMATCH, ISSUER_MISMATCH, INVALID_TLOG)

FORM_BUNDLE = "keyless bundle"
FORM_CLASSIC = "keyless classic"
FORM_ATTESTATION = "keyless attestation"
MAX_MESSAGE = 300  # a verifier's error text in a verdict: one line, at most this many characters

OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8"
OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"
OID_OTHERNAME_USERNAME = "1.3.6.1.4.1.57264.1.7"

_ROOT_DIR = "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"


def _note(tlog: str) -> str:
    return (f"{tlog} verified offline against the Sigstore public-good trusted root embedded in"
            f" sigstore {_sigstore_version()}; Rekor not queried online")


BUNDLE_NOTE = "Fulcio chain, SCT, Rekor inclusion proof, checkpoint and SET"
CLASSIC_NOTE = "Fulcio chain, SCT and Rekor SET (the classic form carries no inclusion proof)"


class RootError(Exception):
    """The embedded trusted root cannot be read (sigstore-python missing or changed)."""


def _sigstore_version() -> str:
    try:
        import sigstore
    except ImportError:
        return "(not installed)"
    return str(getattr(sigstore, "__version__", "?"))


def trusted_root_path() -> Path:
    """The production ``trusted_root.json`` shipped inside sigstore-python."""
    try:
        import sigstore
    except ImportError:
        raise RootError("keyless verification needs the 'sigstore' package") from None
    path = Path(sigstore.__file__).parent / "_store" / _ROOT_DIR / "trusted_root.json"
    if not path.is_file():
        raise RootError(f"sigstore {_sigstore_version()} has no embedded trusted root at {path}")
    return path


# --- the trusted root, parsed for the classic form ------------------------------------------


@dataclass(frozen=True)
class _LogKey:
    key_id: bytes
    key: Any  # cryptography public key
    start: dt.datetime | None
    end: dt.datetime | None

    def valid_at(self, when: dt.datetime) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(frozen=True)
class TrustMaterial:
    fulcio: tuple[Any, ...]  # every CA certificate (roots and intermediates), as sigstore does
    rekor: tuple[_LogKey, ...]
    ctlogs: tuple[_LogKey, ...]


def _time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _log_keys(entries: Any) -> tuple[_LogKey, ...]:
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    out: list[_LogKey] = []
    for entry in entries or []:
        pub = entry.get("publicKey") or {}
        try:
            key = load_der_public_key(base64.b64decode(pub["rawBytes"]))
            key_id = base64.b64decode(entry["logId"]["keyId"])
        except (KeyError, ValueError, TypeError, binascii.Error):
            continue  # a key type cryptography cannot load is simply not trusted here
        valid = pub.get("validFor") or {}
        out.append(_LogKey(key_id, key, _time(valid.get("start")), _time(valid.get("end"))))
    return tuple(out)


@functools.cache
def trust_material(path: Path | None = None) -> TrustMaterial:
    from cryptography import x509

    path = path or trusted_root_path()
    try:
        doc = json.loads(path.read_bytes())
        certs = [
            x509.load_der_x509_certificate(base64.b64decode(c["rawBytes"]))
            for ca in doc.get("certificateAuthorities") or []
            for c in ca["certChain"]["certificates"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RootError(f"{path}: cannot read the trusted root: {exc}") from None
    return TrustMaterial(tuple(certs), _log_keys(doc.get("tlogs")), _log_keys(doc.get("ctlogs")))


@functools.cache
def _verifier() -> Any:
    """sigstore-python's Verifier over the embedded root: built once, never refreshed."""
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    return Verifier(trusted_root=TrustedRoot.from_file(str(trusted_root_path())))


# --- what a Fulcio certificate says about its subject -----------------------------------------


def _der_utf8(raw: bytes) -> str | None:
    """A DER UTF8String (the encoding of Fulcio's v2 extensions)."""
    if len(raw) < 2 or raw[0] != 0x0C:
        return None
    length, offset = raw[1], 2
    if length & 0x80:
        n = length & 0x7F
        length, offset = int.from_bytes(raw[2 : 2 + n], "big"), 2 + n
    try:
        return raw[offset : offset + length].decode()
    except UnicodeDecodeError:
        return None


def certificate_identity(cert: Any) -> tuple[list[str], str | None]:
    """(subject alternative names, OIDC issuer) of a Fulcio certificate."""
    from cryptography import x509

    names: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if san is not None:
        names += san.get_values_for_type(x509.UniformResourceIdentifier)
        names += san.get_values_for_type(x509.RFC822Name)
        names += san.get_values_for_type(x509.DNSName)
        for other in san.get_values_for_type(x509.OtherName):
            if other.type_id.dotted_string == OID_OTHERNAME_USERNAME:
                names.append(_der_utf8(other.value) or other.value.decode(errors="replace"))
    issuer: str | None = None
    for oid, decode in ((OID_ISSUER_V2, _der_utf8),
                        (OID_ISSUER_V1, lambda b: b.decode(errors="replace"))):
        try:
            ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value
        except x509.ExtensionNotFound:
            continue
        issuer = decode(ext.value)
        if issuer:
            break
    return names, issuer


class _PolicyFailure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def judge_identity(cert: Any, identities: Sequence[KeylessIdentity]) -> KeylessIdentity:
    """The first policy entry the certificate satisfies; else a :class:`_PolicyFailure` that
    names what the certificate holds and what was wanted."""
    names, issuer = certificate_identity(cert)
    for entry in identities:
        if entry.identity_matches(names) and entry.issuer_matches(issuer):
            return entry
    held = f"identity {', '.join(names) or '(none)'} from issuer {issuer or '(none)'}"
    wanted = "; ".join(e.describe() for e in identities)
    if any(e.identity_matches(names) for e in identities):
        raise _PolicyFailure(ISSUER_MISMATCH,
                             f"the certificate's issuer does not match: it holds {held},"
                             f" the policy wants {wanted}")
    raise _PolicyFailure(IDENTITY_MISMATCH,
                         f"the certificate's identity does not match: it holds {held},"
                         f" the policy wants {wanted}")


def _signed(cert: Any, tlog_note: str, form: str, predicate: str | None = None
            ) -> SignatureVerdict:
    names, issuer = certificate_identity(cert)
    what = "signed" if predicate is None else f"attested ({predicate})"
    return SignatureVerdict(
        SIGNED,
        f"{what} keyless by identity {', '.join(names)} from issuer {issuer};"
        f" {_note(tlog_note)}",
        form,
    )


# --- the Sigstore bundle (sigstore-python) ----------------------------------------------------


class _Policy:
    """A sigstore-python ``VerificationPolicy`` for cosign's exact/regexp identity and issuer."""

    def __init__(self, identities: Sequence[KeylessIdentity]) -> None:
        self.identities = identities

    def verify(self, cert: Any) -> None:
        judge_identity(cert, self.identities)


def _classify(message: str) -> str:
    text = message.lower()
    if "failed to build timestamp certificate chain" in text or "sct" in text:
        return UNTRUSTED_CERT
    if "expired at time of signing" in text or "usage" in text:
        return INVALID_CERT
    if any(w in text for w in ("log entry", "inclusion", "checkpoint", "set:", "verified time",
                               "integrated time", "merkle")):
        if "does not match bundle" in text:
            return TAMPERED
        return INVALID_TLOG
    if "dsse: invalid signature" in text:
        return TAMPERED
    return INVALID


_EXPLAIN = {
    UNTRUSTED_CERT: "the certificate is not from the trusted Fulcio (Sigstore public-good)",
    INVALID_CERT: "the certificate was not a valid signing certificate when the entry was logged",
    INVALID_TLOG: "the transparency-log proof does not verify",
    TAMPERED: "the signed content was altered after signing",
    INVALID: "the bundle does not verify",
}


def _first_line(exc: BaseException) -> str:
    """One short line of an exception's text (pydantic and sigstore errors run to many lines and
    may quote the hostile input)."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    line = "".join(c if c.isprintable() else "?" for c in line)
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE] + "..."


def verify_bundle(
    bundle: Any, identities: Sequence[KeylessIdentity], digest_hex: str,
    predicate: str | None = None,
) -> SignatureVerdict:
    """A keyless Sigstore bundle about ``sha256:digest_hex``: a DSSE in-toto statement, judged
    as an image signature (``predicate`` None: predicate type
    ``https://sigstore.dev/cosign/sign/v1``) or as an attestation of ``predicate``."""
    form = FORM_BUNDLE if predicate is None else FORM_ATTESTATION
    try:
        doc = json.loads(bundle) if isinstance(bundle, str | bytes) else bundle
    except ValueError:
        doc = None
    # Told apart before any (costly) verification: what is not the kind judged is not judged.
    if isinstance(doc, dict) and doc.get("dsseEnvelope") is None and isinstance(
            doc.get("messageSignature"), dict):
        return message_signature_verdict(predicate, form)
    other = wrong_kind(bundle_predicate(doc), predicate, form)
    if other is not None:
        return other
    try:
        from sigstore.errors import Error as SigstoreError
        from sigstore.models import Bundle
    except ImportError:
        return SignatureVerdict(INVALID, "keyless verification needs the 'sigstore' package",
                                form)
    raw = bundle if isinstance(bundle, str | bytes) else json.dumps(bundle)
    try:
        parsed = Bundle.from_json(raw)
        verifier = _verifier()
    except RootError as exc:
        return SignatureVerdict(INVALID, str(exc), form)
    except Exception as exc:  # pydantic, InvalidBundle, base64, X.509: all "not a usable bundle"
        return SignatureVerdict(INVALID, f"not a valid Sigstore bundle: {_first_line(exc)}",
                                form)
    if parsed._dsse_envelope is None:  # the documented way to tell the two kinds apart
        return message_signature_verdict(predicate, form)
    policy = _Policy(identities)
    try:
        payload_type, payload = verifier.verify_dsse(parsed, policy)
    except _PolicyFailure as exc:
        return SignatureVerdict(exc.code, exc.message, form)
    except (SigstoreError, ValueError) as exc:
        message = _first_line(exc)
        code = _classify(message)
        return SignatureVerdict(code, f"{_EXPLAIN.get(code, 'invalid')}: {message}", form)
    if payload_type != INTOTO:
        return SignatureVerdict(INVALID, f"unexpected DSSE payload type {quote(payload_type)}",
                                form)
    try:
        statement = json.loads(payload)
    except ValueError:
        return SignatureVerdict(TAMPERED, "signed payload is not JSON", form)
    other = wrong_kind(claimed_predicate(payload_type, payload) or "", predicate, form)
    if other is not None:
        return other
    subjects = _subject_digests(statement)
    if digest_hex.lower() not in subjects:
        named = ", ".join(f"sha256:{s}" for s in subjects[:5]) or "no sha256 subject"
        return SignatureVerdict(OTHER_DIGEST, f"signature is for another artifact ({named})",
                                form)
    return _signed(parsed.signing_certificate, BUNDLE_NOTE, form, predicate)


# --- the classic form (cryptography) ------------------------------------------------------------


class _Fail(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _pem_certs(text: str | None) -> list[Any]:
    from cryptography import x509

    if not text:
        return []
    try:
        return list(x509.load_pem_x509_certificates(text.encode()))
    except (ValueError, x509.InvalidVersion):
        raise _Fail(INVALID, "certificate annotation is not PEM") from None


def _verify_with(key: Any, signature: bytes, data: bytes, hash_alg: Any = None) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_alg or hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hash_alg or hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _chain(cert: Any, intermediates: list[Any], when: dt.datetime,
           trust: TrustMaterial) -> list[Any]:
    """The verified chain (leaf first) to a Fulcio CA of the trusted root, at ``when``."""
    from cryptography.x509 import ExtendedKeyUsage
    from cryptography.x509.verification import (
        Criticality,
        ExtensionPolicy,
        PolicyBuilder,
        Store,
        VerificationError,
    )

    # Fulcio certificates carry the code-signing EKU, not client-auth: allow any EKU here (as
    # sigstore-python does) and require code signing below.
    ca_policy = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        ExtendedKeyUsage, Criticality.NON_CRITICAL, None)
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        ExtendedKeyUsage, Criticality.NON_CRITICAL, None)
    verifier = (PolicyBuilder().store(Store(list(trust.fulcio))).time(when)
                .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
                .build_client_verifier())
    try:
        return list(verifier.verify(cert, intermediates).chain)
    except (VerificationError, ValueError) as exc:
        raise _Fail(UNTRUSTED_CERT, "the certificate is not from the trusted Fulcio (it does not"
                    f" chain to a Sigstore public-good CA at the signing time: {exc})") from None


def _check_sct(cert: Any, issuer: Any, trust: TrustMaterial) -> None:
    """The certificate's embedded SCT (RFC 6962 precertificate entry) verifies with a CT log key
    of the trusted root."""
    from cryptography import x509

    try:
        scts = cert.extensions.get_extension_for_class(
            x509.PrecertificateSignedCertificateTimestamps).value
    except x509.ExtensionNotFound:
        raise _Fail(UNTRUSTED_CERT, "the certificate has no SCT (not from the trusted"
                    " Fulcio)") from None
    from cryptography.hazmat.primitives import serialization

    issuer_key_hash = hashlib.sha256(issuer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).digest()
    tbs = cert.tbs_precertificate_bytes
    for sct in scts:
        log = next((k for k in trust.ctlogs if k.key_id == sct.log_id), None)
        if log is None:
            continue
        ext = sct.extension_bytes
        ms = round(sct.timestamp.replace(tzinfo=dt.UTC).timestamp() * 1000)
        signed = (b"\x00\x00" + ms.to_bytes(8, "big") + b"\x00\x01" + issuer_key_hash
                  + len(tbs).to_bytes(3, "big") + tbs + len(ext).to_bytes(2, "big") + ext)
        if _verify_with(log.key, sct.signature, signed, sct.signature_hash_algorithm):
            return
    raise _Fail(UNTRUSTED_CERT, "the certificate's SCT does not verify with a CT log of the"
                " trusted root (not from the trusted Fulcio)")


def _canonical(doc: Any) -> bytes:
    """RFC 8785-style canonical JSON for the SET's payload (string/int values only here)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _rekor_entry(annotation: str | None) -> tuple[dict[str, Any], bytes, Any]:
    if not annotation:
        raise _Fail(INVALID_TLOG, "no Rekor bundle annotation (dev.sigstore.cosign/bundle):"
                    " the signature was not logged, nothing proves when it was made")
    try:
        doc = json.loads(annotation)
        payload = doc["Payload"]
        set_sig = base64.b64decode(doc["SignedEntryTimestamp"])
        body_text = str(payload["body"])
        entry = {
            "body": body_text,
            "integratedTime": int(payload["integratedTime"]),
            "logID": str(payload["logID"]),
            "logIndex": int(payload["logIndex"]),
        }
        body = json.loads(base64.b64decode(body_text))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise _Fail(INVALID_TLOG, "the Rekor bundle annotation is malformed") from None
    return entry, set_sig, body


def _check_set(entry: dict[str, Any], set_sig: bytes, trust: TrustMaterial) -> dt.datetime:
    when = dt.datetime.fromtimestamp(entry["integratedTime"], dt.UTC)
    try:
        log_id = bytes.fromhex(entry["logID"])
    except ValueError:
        raise _Fail(INVALID_TLOG, "the Rekor bundle's logID is not hex") from None
    log = next((k for k in trust.rekor if k.key_id == log_id), None)
    if log is None:
        raise _Fail(INVALID_TLOG, f"the Rekor log {entry['logID'][:16]}... is not in the"
                    " trusted root")
    if not log.valid_at(when):
        raise _Fail(INVALID_TLOG, "the Rekor log key was not valid at the integrated time")
    if not _verify_with(log.key, set_sig, _canonical(entry)):
        raise _Fail(INVALID_TLOG, "the Rekor signed entry timestamp (SET) does not verify with"
                    " the trusted Rekor key")
    return when


def _check_body(body: Any, payload: bytes, signature_b64: str, cert: Any) -> None:
    """The hashedrekord entry is about this payload, signature and certificate (else an entry
    for something else could vouch for this signature)."""
    from cryptography import x509

    try:
        spec = body["spec"]
        if body.get("kind") != "hashedrekord":
            raise _Fail(INVALID_TLOG, f"unexpected Rekor entry kind {body.get('kind')!r}")
        logged_hash = str(spec["data"]["hash"]["value"]).lower()
        logged_sig = base64.b64decode(spec["signature"]["content"])
        logged_cert = x509.load_pem_x509_certificate(
            base64.b64decode(spec["signature"]["publicKey"]["content"]))
    except (KeyError, TypeError, ValueError, binascii.Error, x509.InvalidVersion):
        raise _Fail(INVALID_TLOG, "the Rekor entry body is malformed") from None
    if logged_hash != hashlib.sha256(payload).hexdigest():
        raise _Fail(TAMPERED, "the payload differs from the one logged in Rekor: it was altered"
                    " after signing")
    if logged_sig != base64.b64decode(signature_b64) or logged_cert != cert:
        raise _Fail(INVALID_TLOG, "the Rekor entry records another signature or certificate")


def verify_classic(
    payload: bytes,
    annotations: dict[str, Any],
    identities: Sequence[KeylessIdentity],
    image_digest: str,
    trust: TrustMaterial | None = None,
) -> SignatureVerdict:
    """One classic cosign signature layer made keyless (certificate + Rekor bundle
    annotations)."""
    try:
        trust = trust or trust_material()
        cert, *_ = _pem_certs(annotations.get(CERTIFICATE_ANNOTATION)) or [None]
        if cert is None:
            raise _Fail(NOT_KEYLESS, "a key-based signature (no Fulcio certificate) and no key"
                        " is configured for it")
        intermediates = _pem_certs(annotations.get(CHAIN_ANNOTATION))
        entry, set_sig, body = _rekor_entry(annotations.get(REKOR_BUNDLE_ANNOTATION))
        when = dt.datetime.fromtimestamp(entry["integratedTime"], dt.UTC)
        chain = _chain(cert, intermediates, when, trust)
        _check_sct(cert, chain[1], trust)
        _check_usage(cert)
        judge_identity(cert, identities)
        _check_set(entry, set_sig, trust)
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            raise _Fail(INVALID_CERT, f"the entry was logged at {when:%Y-%m-%dT%H:%M:%SZ},"
                        " outside the certificate's validity")
        signature_b64 = annotations.get(SIGNATURE_ANNOTATION)
        try:
            sig = base64.b64decode(str(signature_b64), validate=True)
        except (binascii.Error, ValueError):
            raise _Fail(INVALID, "signature annotation missing or not base64") from None
        if not _verify_with(cert.public_key(), sig, payload):
            _check_body(body, payload, str(signature_b64), cert)  # names an altered payload
            raise _Fail(INVALID, "the signature does not verify with the certificate's key")
        _check_body(body, payload, str(signature_b64), cert)
        _check_digest(payload, image_digest)
    except _PolicyFailure as exc:
        return SignatureVerdict(exc.code, exc.message, FORM_CLASSIC)
    except _Fail as exc:
        return SignatureVerdict(exc.code, exc.message, FORM_CLASSIC)
    except RootError as exc:
        return SignatureVerdict(INVALID, str(exc), FORM_CLASSIC)
    return _signed(cert, CLASSIC_NOTE, FORM_CLASSIC)


def _check_usage(cert: Any) -> None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise _Fail(INVALID_CERT, "the certificate is not a code-signing certificate") from None
    if not usage.digital_signature or ExtendedKeyUsageOID.CODE_SIGNING not in eku:
        raise _Fail(INVALID_CERT, "the certificate is not a code-signing certificate")


def _check_digest(payload: bytes, image_digest: str) -> None:
    try:
        doc = json.loads(payload)
        signed_digest = doc["critical"]["image"]["docker-manifest-digest"]
        kind = doc["critical"]["type"]
    except (ValueError, KeyError, TypeError):
        raise _Fail(INVALID, "signed payload is not a simple-signing document") from None
    if kind != SIMPLE_SIGNING_TYPE:
        raise _Fail(INVALID, f"unexpected simple-signing type {quote(str(kind))}")
    if signed_digest != image_digest:
        raise _Fail(OTHER_DIGEST, f"signature is for another image digest ({signed_digest})")
