"""Trust stores and certificate chains for Notation (Notary Project) signatures.

A trust store is one or more PEM files of CA (or self-signed signing) certificates, as
``notation cert add --type ca`` keeps them. A signature's ``x5c`` chain is judged by the Notary
Project signature specification's *Certificate Requirements* and the trust-store specification's
*Validate Authenticity* step, offline:

- the chain is ordered leaf first, each certificate issued (name and signature) by the next, and
  ends with a self-signed root; a chain of one certificate is a self-signed signing certificate
  that must meet the leaf requirements;
- CA certificates: ``basicConstraints`` present, critical, ``cA`` true, ``pathLenConstraint``
  honoured; ``keyUsage`` present, critical, ``keyCertSign``;
- the leaf: ``basicConstraints`` ``cA`` false if present; ``keyUsage`` present, critical,
  ``digitalSignature`` and none of keyEncipherment, dataEncipherment, keyAgreement, keyCertSign,
  cRLSign, encipherOnly, decipherOnly; ``extendedKeyUsage`` optional, but never anyExtendedKeyUsage,
  serverAuth, clientAuth, emailProtection or timeStamping (codeSigning is what signers use; the
  specification allows it to be absent);
- RSA keys of 2048 bits or more, EC keys of 256 bits or more; no SHA-1 certificate signatures;
- every certificate valid at the signing time and, with no authentic timestamp checked, now
  (validity periods need not nest);
- one certificate of the chain is a certificate of the trust store.

Other extensions are not evaluated (the specification says to fail open on them). Revocation
(OCSP, CRL) is not checked: it needs the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_CHAIN = 16  # no real chain is this long; bounds the work a hostile envelope can ask for


class TrustStoreError(ValueError):
    """A trust-store file that cannot be used: one line with the file and the reason."""


class ChainError(Exception):
    """A certificate chain that fails the specification's requirements."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class TrustStore:
    sources: tuple[str, ...]
    certificates: tuple[Any, ...]  # cryptography x509.Certificate
    # the trust policy's trustedIdentities for this store (notation_identity); None: any signer
    identities: tuple[Any, ...] | None = None

    def contains(self, cert: Any) -> bool:
        from cryptography.hazmat.primitives import serialization

        der = cert.public_bytes(serialization.Encoding.DER)
        return any(
            c.public_bytes(serialization.Encoding.DER) == der for c in self.certificates
        )

    @property
    def label(self) -> str:
        return ", ".join(self.sources)


def load_certificates(path: Path) -> list[Any]:
    """Every certificate of a PEM file; a TrustStoreError names what is wrong with it."""
    from cryptography import x509

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrustStoreError(
            f"{path}: cannot read trust store: {exc.strerror or exc}"
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        try:  # notation's trust stores also take DER .crt files
            return [x509.load_der_x509_certificate(data)]
        except (ValueError, x509.InvalidVersion):
            raise TrustStoreError(
                f"{path}: not a certificate (expected PEM '-----BEGIN CERTIFICATE-----' or DER)"
            ) from None
    try:
        return list(x509.load_pem_x509_certificates(data))
    except (ValueError, x509.InvalidVersion) as exc:
        raise TrustStoreError(f"{path}: not a valid PEM certificate ({exc})") from None


def load_trust_store(paths: Iterable[Path], identities: tuple[Any, ...] | None = None
                     ) -> TrustStore:
    sources: list[str] = []
    certs: list[Any] = []
    for path in dict.fromkeys(paths):
        sources.append(str(path))
        certs.extend(load_certificates(path))
    return TrustStore(tuple(sources), tuple(certs), identities)


def trust_store_file(text: str) -> Path:
    """argparse ``type=`` for ``--notation-root``: a readable certificate file, else exit 2."""
    import argparse

    path = Path(text)
    try:
        load_certificates(path)
    except TrustStoreError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def subject(cert: Any) -> str:
    try:
        return str(cert.subject.rfc4514_string()) or "(empty subject)"
    except ValueError:
        return "(unreadable subject)"


def parse_chain(x5c: Any) -> list[Any]:
    """The ``x5c`` header: base64 DER certificates, leaf first. ValueError when malformed."""
    import base64
    import binascii

    from cryptography import x509

    if not isinstance(x5c, list) or not x5c:
        raise ValueError("the x5c header (the certificate chain) is missing or empty")
    if len(x5c) > MAX_CHAIN:
        raise ValueError(f"x5c holds {len(x5c)} certificates (at most {MAX_CHAIN} are read)")
    out = []
    for i, item in enumerate(x5c):
        try:
            der = base64.b64decode(item, validate=True) if isinstance(item, str) else None
            if der is None:
                raise ValueError
            out.append(_readable(x509.load_der_x509_certificate(der), der))
        except (ValueError, binascii.Error, x509.InvalidVersion):
            raise ValueError(f"x5c[{i}] is not a base64 DER certificate") from None
    return out


def _readable(cert: Any, der: bytes) -> Any:
    """cryptography parses names, validity and the key lazily: read them now, so a malformed
    field is "not a DER certificate" here rather than an exception deep in the checks."""
    from cryptography.exceptions import UnsupportedAlgorithm

    # The signature is the certificate's last field, a BIT STRING whose first content byte
    # counts unused bits: an RSA or ECDSA signature is whole bytes. cryptography hands out the
    # bytes whatever that count says (Go, and so notation-go, would shift them and fail).
    if der[-len(cert.signature) - 1] != 0:
        raise ValueError("the certificate's signature BIT STRING has unused bits")
    try:
        _ = (cert.subject.rdns, cert.issuer.rdns, cert.not_valid_before_utc,
             cert.not_valid_after_utc)
        cert.public_key()
    except UnsupportedAlgorithm:
        pass  # judged (and refused) by the key requirements
    except TypeError as exc:
        # a name attribute of a type its OID does not allow (a BIT STRING under another OID
        # than x500UniqueIdentifier): cryptography refuses it with TypeError
        raise ValueError(str(exc)) from None
    return cert


def parse_der_chain(items: Any, name: str = "x5chain") -> list[Any]:
    """A chain of DER certificates (COSE ``x5chain``: byte strings, leaf first)."""
    from cryptography import x509

    if isinstance(items, bytes):  # RFC 9360: one certificate may stand alone
        items = [items]
    if not isinstance(items, list) or not items:
        raise ValueError(f"the {name} header (the certificate chain) is missing or empty")
    if len(items) > MAX_CHAIN:
        raise ValueError(f"{name} holds {len(items)} certificates (at most {MAX_CHAIN} are read)")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, bytes):
            raise ValueError(f"{name}[{i}] is not a byte string")
        try:
            out.append(_readable(x509.load_der_x509_certificate(item), item))
        except (ValueError, x509.InvalidVersion):  # a version other than v1-v3 is not ValueError
            raise ValueError(f"{name}[{i}] is not a DER certificate") from None
    return out


# --- requirements -----------------------------------------------------------------------------

_FORBIDDEN_LEAF_USAGES = (
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def _extension(cert: Any, oid: Any) -> Any:
    from cryptography import x509

    try:
        return cert.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:  # a duplicate or undecodable extension
        raise ChainError(f"certificate {subject(cert)}: unreadable extensions ({exc})") from None


def _check_key(cert: Any) -> None:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        raise ChainError(f"certificate {subject(cert)}: unusable public key ({exc})") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise ChainError(f"certificate {subject(cert)}: RSA key of {key.key_size} bits"
                             " (the specification requires 2048 or more)")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < 256:
            raise ChainError(f"certificate {subject(cert)}: EC key of {key.curve.key_size} bits"
                             " (the specification requires 256 or more)")
    else:
        raise ChainError(f"certificate {subject(cert)}: {type(key).__name__} keys are not"
                         " allowed (RSA or ECDSA only)")


def _check_sha1(cert: Any) -> None:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes

    try:
        algorithm = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        raise ChainError(f"certificate {subject(cert)}: unsupported signature algorithm") from None
    if isinstance(algorithm, hashes.SHA1):
        raise ChainError(f"certificate {subject(cert)}: signed with SHA-1, which the"
                         " specification forbids")


def check_leaf(cert: Any) -> None:
    from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

    name = subject(cert)
    bc = _extension(cert, ExtensionOID.BASIC_CONSTRAINTS)
    if bc is not None and bc.value.ca:
        raise ChainError(f"signing certificate {name}: basicConstraints says it is a CA")
    ku = _extension(cert, ExtensionOID.KEY_USAGE)
    if ku is None or not ku.critical:
        raise ChainError(f"signing certificate {name}: keyUsage must be present and critical")
    if not ku.value.digital_signature:
        raise ChainError(f"signing certificate {name}: keyUsage lacks digitalSignature")
    bad = [u for u in _FORBIDDEN_LEAF_USAGES if getattr(ku.value, u)]
    if ku.value.key_agreement and (ku.value.encipher_only or ku.value.decipher_only):
        bad.append("encipher_only/decipher_only")
    if bad:
        raise ChainError(f"signing certificate {name}: keyUsage must not include {', '.join(bad)}")
    eku = _extension(cert, ExtensionOID.EXTENDED_KEY_USAGE)
    if eku is not None:
        forbidden = {
            ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
            ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
            ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
            ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
            ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
        }
        found = [forbidden[o] for o in eku.value if o in forbidden]
        if found:
            raise ChainError(f"signing certificate {name}: extendedKeyUsage {', '.join(found)}"
                             " is not for code signing")


def check_ca(cert: Any, below: int) -> None:
    """``below``: how many CA certificates sit between this one and the leaf."""
    from cryptography.x509.oid import ExtensionOID

    name = subject(cert)
    bc = _extension(cert, ExtensionOID.BASIC_CONSTRAINTS)
    if bc is None or not bc.critical or not bc.value.ca:
        raise ChainError(f"CA certificate {name}: basicConstraints must be present, critical,"
                         " with cA true")
    if bc.value.path_length is not None and bc.value.path_length < below:
        raise ChainError(f"CA certificate {name}: pathLenConstraint {bc.value.path_length}"
                         f" but {below} CA certificate(s) below it")
    ku = _extension(cert, ExtensionOID.KEY_USAGE)
    if ku is None or not ku.critical or not ku.value.key_cert_sign:
        raise ChainError(f"CA certificate {name}: keyUsage must be present, critical, with"
                         " keyCertSign")


def _issued_by(cert: Any, issuer: Any) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # InvalidSignature, ValueError, TypeError for odd keys
        return False
    return True


def _validity(cert: Any) -> tuple[dt.datetime, dt.datetime]:
    return cert.not_valid_before_utc, cert.not_valid_after_utc


def check_validity(chain: Sequence[Any], when: dt.datetime, what: str) -> None:
    for cert in chain:
        start, end = _validity(cert)
        if when < start:
            raise ChainError(f"certificate {subject(cert)} is not valid before"
                             f" {start:%Y-%m-%dT%H:%M:%SZ} ({what} {when:%Y-%m-%dT%H:%M:%SZ})")
        if when > end:
            raise ChainError(f"certificate {subject(cert)} expired on {end:%Y-%m-%dT%H:%M:%SZ}"
                             f" ({what} {when:%Y-%m-%dT%H:%M:%SZ})", expired=True)


def check_chain(chain: Sequence[Any]) -> None:
    """The specification's certificate requirements, and the chain's own signatures."""
    for cert in chain:
        _check_key(cert)
        _check_sha1(cert)
    check_leaf(chain[0])
    for i in range(len(chain) - 1):
        if not _issued_by(chain[i], chain[i + 1]):
            raise ChainError(f"certificate {subject(chain[i])} is not issued by the next"
                             f" certificate in x5c ({subject(chain[i + 1])}): the chain is"
                             " broken or out of order")
        check_ca(chain[i + 1], below=i)
    root = chain[-1]
    if not _issued_by(root, root):
        raise ChainError(f"the chain ends with {subject(root)}, which is not a self-signed root"
                         " (the specification requires the complete chain, root included)")


def trusted_by(chain: Sequence[Any], store: TrustStore) -> Any:
    """The certificate of the chain found in the trust store, or None."""
    return next((c for c in chain if store.contains(c)), None)
