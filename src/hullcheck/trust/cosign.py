"""Offline verification of cosign key-based signatures with ``cryptography``.

Two forms:

- classic (cosign 1/2): a manifest tagged ``sha256-<hex>.sig`` whose layers are simple-signing
  payloads (``application/vnd.dev.cosign.simplesigning.v1+json``) with the base64 signature in the
  ``dev.cosignproject.cosign/signature`` annotation; the payload's
  ``critical.image.docker-manifest-digest`` must equal the image digest.
- cosign 3's default: a Sigstore bundle (v0.3) attached as an OCI 1.1 referrer, holding a DSSE
  envelope over an in-toto statement whose subject digest must equal the image digest.

The transparency log (Rekor) is NOT checked: offline, a signature proves who signed (the key) and
what (the digest), not when, nor that it was logged. Every verdict says so.

Failures are told apart where the material allows it: a bundle's ``publicKey.hint`` or a classic
signature's Rekor bundle annotation names the signer's key and the hash of what was signed, which
separates *signed by another key* from *payload altered after signing*.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"
BUNDLE_TYPES = (
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.2+json",
)
INTOTO = "application/vnd.in-toto+json"
TLOG_NOTE = "transparency log not checked (offline verification)"

# verdict codes
SIGNED = "signed"
NO_SIGNATURE = "no-signature"
WRONG_KEY = "wrong-key"
TAMPERED = "tampered-payload"
OTHER_DIGEST = "other-digest"
UNTRUSTED_BUNDLE = "untrusted-bundle"
INVALID = "invalid-signature"  # fails with our keys; the material cannot tell why


class KeyError_(ValueError):
    """A public key file that cannot be used."""


@dataclass(frozen=True)
class PublicKey:
    source: str
    key: Any  # cryptography public key

    @property
    def der(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return bytes(
            self.key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def hints(self) -> set[str]:
        digest = hashlib.sha256(self.der).digest()
        return {
            base64.b64encode(digest).decode(),
            base64.urlsafe_b64encode(digest).decode(),
            digest.hex(),
        }

    def verify(self, signature: bytes, data: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

        try:
            if isinstance(self.key, ec.EllipticCurvePublicKey):
                self.key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            elif isinstance(self.key, rsa.RSAPublicKey):
                self.key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            elif isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, data)
            else:
                return False
        except (InvalidSignature, ValueError):
            return False
        return True


def load_public_key(pem: bytes, source: str) -> PublicKey:
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise KeyError_(f"{source}: not a PEM public key ({exc})") from None
    return PublicKey(source, key)


def load_key_file(path: Path) -> PublicKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise KeyError_(f"{path}: cannot read key: {exc.strerror or exc}") from None
    return load_public_key(pem, str(path))


@dataclass(frozen=True)
class SignatureVerdict:
    code: str
    message: str
    form: str = ""  # classic | bundle

    @property
    def ok(self) -> bool:
        return self.code == SIGNED


def _b64(text: Any) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding."""
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def _subject_digests(statement: Any) -> list[str]:
    out: list[str] = []
    if isinstance(statement, dict) and isinstance(statement.get("subject"), list):
        for subject in statement["subject"]:
            if isinstance(subject, dict) and isinstance(subject.get("digest"), dict):
                value = subject["digest"].get("sha256")
                if isinstance(value, str):
                    out.append(value.lower())
    return out


def verify_dsse(
    envelope: Any, keys: list[PublicKey], digest_hex: str, hint: str | None = None
) -> SignatureVerdict:
    """Verify a DSSE envelope over an in-toto statement about the artifact ``sha256:digest_hex``."""
    if not isinstance(envelope, dict):
        return SignatureVerdict(INVALID, "DSSE envelope is not an object", "bundle")
    payload = _b64(envelope.get("payload"))
    payload_type = envelope.get("payloadType")
    sigs = envelope.get("signatures")
    if payload is None or not isinstance(payload_type, str) or not isinstance(sigs, list):
        return SignatureVerdict(INVALID, "malformed DSSE envelope", "bundle")
    signed_by: PublicKey | None = None
    for sig in sigs:
        raw = _b64(sig.get("sig")) if isinstance(sig, dict) else None
        if raw is None:
            continue
        for key in keys:
            if key.verify(raw, pae(payload_type, payload)):
                signed_by = key
                break
        if signed_by:
            break
    if signed_by is None:
        if hint and keys and not any(hint in k.hints() for k in keys):
            return SignatureVerdict(
                WRONG_KEY, f"signed by another key (key hint {hint}), not a trusted key", "bundle"
            )
        if hint and keys:
            return SignatureVerdict(
                TAMPERED,
                "the signature does not match the payload although the trusted key signed"
                " this envelope: the payload was altered after signing",
                "bundle",
            )
        return SignatureVerdict(
            INVALID,
            "the DSSE signature does not verify with the trusted key(s)"
            " (another key, or an altered payload)",
            "bundle",
        )
    if payload_type != INTOTO:
        return SignatureVerdict(INVALID, f"unexpected DSSE payload type {payload_type}", "bundle")
    try:
        statement = json.loads(payload)
    except ValueError:
        return SignatureVerdict(TAMPERED, "signed payload is not JSON", "bundle")
    subjects = _subject_digests(statement)
    if digest_hex.lower() not in subjects:
        named = ", ".join(f"sha256:{s}" for s in subjects) or "no sha256 subject"
        return SignatureVerdict(
            OTHER_DIGEST, f"signature is for another artifact ({named})", "bundle"
        )
    return SignatureVerdict(SIGNED, f"signed by {signed_by.source}; {TLOG_NOTE}", "bundle")


def verify_bundle(bundle: Any, keys: list[PublicKey], digest_hex: str) -> SignatureVerdict:
    """A Sigstore bundle (v0.2/v0.3) judged against our keys."""
    if not isinstance(bundle, dict):
        return SignatureVerdict(INVALID, "Sigstore bundle is not an object", "bundle")
    material = bundle.get("verificationMaterial") or {}
    hint = None
    if isinstance(material, dict) and isinstance(material.get("publicKey"), dict):
        hint = material["publicKey"].get("hint")
    has_cert = isinstance(material, dict) and (
        "certificate" in material or "x509CertificateChain" in material
    )
    if not keys:
        return SignatureVerdict(
            UNTRUSTED_BUNDLE, "a Sigstore bundle, but no key is configured to verify it", "bundle"
        )
    envelope = bundle.get("dsseEnvelope")
    if envelope is None:
        message_sig = bundle.get("messageSignature")
        if isinstance(message_sig, dict):
            return _verify_message_signature(message_sig, keys, digest_hex, has_cert)
        return SignatureVerdict(INVALID, "bundle has neither a DSSE envelope nor a signature")
    verdict = verify_dsse(envelope, keys, digest_hex, hint if isinstance(hint, str) else None)
    if has_cert and verdict.code in (INVALID, WRONG_KEY):
        return SignatureVerdict(
            UNTRUSTED_BUNDLE,
            "keyless Sigstore bundle (a Fulcio certificate, not one of our keys): no key we"
            " trust signed it; certificate identities are not verified offline",
            "bundle",
        )
    return verdict


def _verify_message_signature(
    sig: dict[str, Any], keys: list[PublicKey], digest_hex: str, has_cert: bool
) -> SignatureVerdict:
    raw = _b64(sig.get("signature"))
    md = sig.get("messageDigest") or {}
    value = _b64(md.get("digest")) if isinstance(md, dict) else None
    if raw is None or value is None:
        return SignatureVerdict(INVALID, "malformed message signature in bundle", "bundle")
    if value.hex() != digest_hex.lower():
        return SignatureVerdict(OTHER_DIGEST, "bundle signs another artifact digest", "bundle")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    for key in keys:
        try:
            if isinstance(key.key, ec.EllipticCurvePublicKey):
                key.key.verify(raw, value, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
                return SignatureVerdict(SIGNED, f"signed by {key.source}; {TLOG_NOTE}", "bundle")
        except Exception:
            continue
    code = UNTRUSTED_BUNDLE if has_cert else INVALID
    return SignatureVerdict(code, "bundle signature does not verify with the trusted key(s)")


def verify_simple_signing(
    payload: bytes,
    signature_b64: str | None,
    keys: list[PublicKey],
    image_digest: str,
    rekor_bundle: str | None = None,
) -> SignatureVerdict:
    """One classic cosign signature layer."""
    sig = _b64(signature_b64)
    if sig is None:
        return SignatureVerdict(INVALID, "signature annotation missing or not base64", "classic")
    signer = next((k for k in keys if k.verify(sig, payload)), None)
    if signer is None:
        return _classic_failure(payload, keys, rekor_bundle)
    try:
        doc = json.loads(payload)
        signed_digest = doc["critical"]["image"]["docker-manifest-digest"]
        kind = doc["critical"]["type"]
    except (ValueError, KeyError, TypeError):
        return SignatureVerdict(
            INVALID, "signed payload is not a simple-signing document", "classic"
        )
    if kind != "cosign container image signature":
        return SignatureVerdict(INVALID, f"unexpected simple-signing type {kind!r}", "classic")
    if signed_digest != image_digest:
        return SignatureVerdict(
            OTHER_DIGEST, f"signature is for another image digest ({signed_digest})", "classic"
        )
    return SignatureVerdict(SIGNED, f"signed by {signer.source}; {TLOG_NOTE}", "classic")


def _classic_failure(
    payload: bytes, keys: list[PublicKey], rekor_bundle: str | None
) -> SignatureVerdict:
    """Tell *another key* from *altered payload* with what the Rekor bundle annotation records
    (the signer's public key and the hash of the signed payload); it is a hint, not trusted."""
    signed_hash, signer_pem = _rekor_claims(rekor_bundle)
    if signed_hash and signed_hash != hashlib.sha256(payload).hexdigest():
        return SignatureVerdict(
            TAMPERED,
            "the payload differs from what was signed: it was altered after signing",
            "classic",
        )
    if signer_pem:
        try:
            signer = load_public_key(signer_pem, "signature bundle")
        except KeyError_:
            signer = None
        if signer is not None and all(signer.der != k.der for k in keys):
            return SignatureVerdict(
                WRONG_KEY, "signed by another key, not a trusted key", "classic"
            )
    return SignatureVerdict(
        INVALID,
        "the signature does not verify with the trusted key(s) (another key, or an altered"
        " payload)",
        "classic",
    )


def _rekor_claims(annotation: str | None) -> tuple[str | None, bytes | None]:
    if not annotation:
        return None, None
    try:
        doc = json.loads(annotation)
        body = json.loads(base64.b64decode(doc["Payload"]["body"]))
        spec = body["spec"]
        hashed = spec["data"]["hash"]["value"]
        pem = base64.b64decode(spec["signature"]["publicKey"]["content"])
        return str(hashed).lower(), pem
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None, None
