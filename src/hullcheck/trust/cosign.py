"""Offline verification of cosign key-based signatures with ``cryptography``.

Two forms:

- classic (cosign 1/2): a manifest tagged ``sha256-<hex>.sig`` whose layers are simple-signing
  payloads (``application/vnd.dev.cosign.simplesigning.v1+json``) with the base64 signature in the
  ``dev.cosignproject.cosign/signature`` annotation; the payload's
  ``critical.image.docker-manifest-digest`` must equal the image digest.
- cosign 3's default: a Sigstore bundle (v0.3) attached as an OCI 1.1 referrer, holding a DSSE
  envelope over an in-toto statement whose subject digest must equal the image digest and whose
  ``predicateType`` is ``https://sigstore.dev/cosign/sign/v1``.

Only those two are image *signatures*. Any other in-toto statement (SLSA provenance, an SBOM, a
vulnerability report: what ``cosign attest`` writes, as a bundle or in a classic
``sha256-<hex>.att`` manifest) is an *attestation*: a key that signs attestations says nothing
about whether the image itself was released, so an attestation never passes as a signature
(``not-a-signature``). Attestations are judged only against a predicate type the policy requires
(``predicate=``), as ``cosign verify-attestation --type`` does. A message-signature bundle (what
``cosign sign-blob`` writes) is not an image signature either.

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
DSSE_LAYER = "application/vnd.dsse.envelope.v1+json"  # a classic .att layer: one DSSE envelope
SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1"  # what makes a statement a signature
SIMPLE_SIGNING_TYPE = "cosign container image signature"
TLOG_NOTE = "transparency log not checked (offline verification)"

# verdict codes
SIGNED = "signed"
NO_SIGNATURE = "no-signature"
WRONG_KEY = "wrong-key"
TAMPERED = "tampered-payload"
OTHER_DIGEST = "other-digest"
UNTRUSTED_BUNDLE = "untrusted-bundle"
INVALID = "invalid-signature"  # fails with our keys; the material cannot tell why
NOT_A_SIGNATURE = "not-a-signature"  # an attestation (or a blob signature), judged as a signature
OTHER_PREDICATE = "other-predicate-type"  # an attestation of a type other than the one judged


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


MAX_KEY_FILE = 64 << 10  # a PEM public key is well under 2 KiB; a bigger file is not a key


def load_public_key(pem: bytes, source: str) -> PublicKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split())[:160]
        raise KeyError_(f"{source}: not a PEM public key ({reason})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey
                      | ed25519.Ed25519PublicKey):
        raise KeyError_(f"{source}: a {type(key).__name__.lstrip('_')}, not a key cosign"
                        " signs with (ECDSA, RSA or Ed25519)")
    return PublicKey(source, key)


def load_key_file(path: Path) -> PublicKey:
    """A cosign public key file (PEM), read with a bound: a device or a huge file is refused
    rather than read."""
    try:
        if not path.is_file():
            raise KeyError_(f"{path}: cannot read key: "
                            f"{'not a regular file' if path.exists() else 'no such file'}")
        with path.open("rb") as fh:
            pem = fh.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyError_(f"{path}: cannot read key: {exc.strerror or exc}") from None
    if len(pem) > MAX_KEY_FILE:
        raise KeyError_(f"{path}: not a PEM public key (larger than {MAX_KEY_FILE >> 10} KiB)")
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


def quote(text: str, limit: int = 120) -> str:
    """A value from signed (or hostile) material, printable and short enough for one line."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return repr(clean if len(clean) <= limit else clean[:limit] + "...")


def claimed_predicate(payload_type: Any, payload: bytes | None) -> str | None:
    """The ``predicateType`` an in-toto payload claims, before any signature is checked: ``""``
    for a statement without one, None when the payload is not an in-toto statement at all."""
    if payload_type != INTOTO or payload is None:
        return None
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    value = doc.get("predicateType")
    return value if isinstance(value, str) else ""


def wrong_kind(claimed: str | None, predicate: str | None, form: str) -> SignatureVerdict | None:
    """The verdict for a statement that is not what is being judged: an attestation judged as a
    signature (``predicate`` None) or an attestation of another predicate type; None when it
    is of the wanted kind, or cannot be told (``claimed`` None: judged on)."""
    if claimed is None:
        return None
    if predicate is None:
        if claimed == SIGN_PREDICATE:
            return None
        return SignatureVerdict(
            NOT_A_SIGNATURE,
            f"an attestation (predicate type {quote(claimed or '(none)')}), not a signature: a"
            f" cosign image signature has predicate type {SIGN_PREDICATE}",
            form,
        )
    if claimed == predicate:
        return None
    return SignatureVerdict(
        OTHER_PREDICATE,
        f"an in-toto statement of predicate type {quote(claimed or '(none)')}, not"
        f" {quote(predicate)}",
        form,
    )


def verify_dsse(
    envelope: Any,
    keys: list[PublicKey],
    digest_hex: str,
    hint: str | None = None,
    predicate: str | None = None,
) -> SignatureVerdict:
    """Verify a DSSE envelope over an in-toto statement about the artifact ``sha256:digest_hex``:
    as an image signature (``predicate`` None: the statement must have predicate type
    ``https://sigstore.dev/cosign/sign/v1``), or as an attestation of ``predicate``."""
    form = "bundle" if predicate is None else "attestation"
    if not isinstance(envelope, dict):
        return SignatureVerdict(INVALID, "DSSE envelope is not an object", form)
    payload = _b64(envelope.get("payload"))
    payload_type = envelope.get("payloadType")
    sigs = envelope.get("signatures")
    if payload is None or not isinstance(payload_type, str) or not isinstance(sigs, list):
        return SignatureVerdict(INVALID, "malformed DSSE envelope", form)
    # What the statement claims to be decides whether it is judged at all: an attestation is no
    # signature whoever signed it (and an altered type only makes the signature fail below).
    other = wrong_kind(claimed_predicate(payload_type, payload), predicate, form)
    if other is not None:
        return other
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
                WRONG_KEY, f"signed by another key (key hint {hint}), not a trusted key", form
            )
        if hint and keys:
            return SignatureVerdict(
                TAMPERED,
                "the signature does not match the payload although the trusted key signed"
                " this envelope: the payload was altered after signing",
                form,
            )
        return SignatureVerdict(
            INVALID,
            "the DSSE signature does not verify with the trusted key(s)"
            " (another key, or an altered payload)",
            form,
        )
    if payload_type != INTOTO:
        return SignatureVerdict(INVALID, f"unexpected DSSE payload type {quote(payload_type)}",
                                form)
    try:
        statement = json.loads(payload)
    except ValueError:
        return SignatureVerdict(TAMPERED, "signed payload is not JSON", form)
    other = wrong_kind(claimed_predicate(payload_type, payload) or "", predicate, form)
    if other is not None:  # a signed in-toto payload that is not a statement object
        return other
    subjects = _subject_digests(statement)
    if digest_hex.lower() not in subjects:
        named = ", ".join(f"sha256:{s}" for s in subjects[:5]) or "no sha256 subject"
        return SignatureVerdict(
            OTHER_DIGEST, f"signature is for another artifact ({named})", form
        )
    what = "signed" if predicate is None else f"attested ({predicate})"
    return SignatureVerdict(SIGNED, f"{what} by {signed_by.source}; {TLOG_NOTE}", form)


def bundle_predicate(bundle: Any) -> str | None:
    """The predicate type a bundle's DSSE statement claims (unverified), ``""`` for a statement
    without one or a bundle without a DSSE envelope (a message signature), None when the
    envelope cannot be read (judged on, to fail with its own reason)."""
    if not isinstance(bundle, dict):
        return None
    envelope = bundle.get("dsseEnvelope")
    if envelope is None:
        return "" if isinstance(bundle.get("messageSignature"), dict) else None
    if not isinstance(envelope, dict):
        return None
    return claimed_predicate(envelope.get("payloadType"), _b64(envelope.get("payload")))


MESSAGE_SIGNATURE_NOTE = (
    "a message-signature bundle (cosign sign-blob), not a cosign image signature: cosign signs"
    f" an image with an in-toto statement of predicate type {SIGN_PREDICATE}"
)


def message_signature_verdict(predicate: str | None, form: str) -> SignatureVerdict:
    """A message-signature bundle signs bytes, not a statement: neither an image signature nor
    an attestation of any predicate type."""
    if predicate is None:
        return SignatureVerdict(NOT_A_SIGNATURE, MESSAGE_SIGNATURE_NOTE, form)
    return SignatureVerdict(
        OTHER_PREDICATE, f"a message-signature bundle, not an attestation of {quote(predicate)}",
        form)


def verify_bundle(
    bundle: Any, keys: list[PublicKey], digest_hex: str, predicate: str | None = None
) -> SignatureVerdict:
    """A Sigstore bundle (v0.2/v0.3) judged against our keys, as an image signature or (with
    ``predicate``) as an attestation of that predicate type."""
    form = "bundle" if predicate is None else "attestation"
    if not isinstance(bundle, dict):
        return SignatureVerdict(INVALID, "Sigstore bundle is not an object", form)
    material = bundle.get("verificationMaterial") or {}
    hint = None
    if isinstance(material, dict) and isinstance(material.get("publicKey"), dict):
        hint = material["publicKey"].get("hint")
    has_cert = isinstance(material, dict) and (
        "certificate" in material or "x509CertificateChain" in material
    )
    envelope = bundle.get("dsseEnvelope")
    if envelope is None:
        if isinstance(bundle.get("messageSignature"), dict):
            return message_signature_verdict(predicate, form)
        return SignatureVerdict(INVALID, "bundle has neither a DSSE envelope nor a signature",
                                form)
    other = wrong_kind(bundle_predicate(bundle), predicate, form)
    if other is not None:
        return other
    if not keys:
        return SignatureVerdict(
            UNTRUSTED_BUNDLE, "a Sigstore bundle, but no key is configured to verify it", form
        )
    verdict = verify_dsse(envelope, keys, digest_hex, hint if isinstance(hint, str) else None,
                          predicate)
    if has_cert and verdict.code in (INVALID, WRONG_KEY):
        return SignatureVerdict(
            UNTRUSTED_BUNDLE,
            "keyless Sigstore bundle (a Fulcio certificate, not one of our keys): no key we"
            " trust signed it; certificate identities are not verified offline",
            form,
        )
    return verdict


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
    if kind != SIMPLE_SIGNING_TYPE:
        return SignatureVerdict(
            NOT_A_SIGNATURE,
            f"a simple-signing payload of type {quote(str(kind))}, not a cosign container image"
            " signature",
            "classic",
        )
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
