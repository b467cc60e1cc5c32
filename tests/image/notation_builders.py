"""Notation signatures made in tests, following the Notary Project specifications: a PKI (root CA,
intermediate CA, code-signing leaf) with ``cryptography``, JWS envelopes (flattened JSON
serialization) over the Notary payload, and the OCI signature manifest with its referrers index.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SIGNATURE_ARTIFACT = "application/vnd.cncf.notary.signature"
PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _key(kind: str) -> Any:
    if kind == "rsa2048":
        return rsa.generate_private_key(65537, 2048)
    if kind == "rsa3072":
        return rsa.generate_private_key(65537, 3072)
    if kind == "rsa1024":
        return rsa.generate_private_key(65537, 1024)
    curve = {"p256": ec.SECP256R1(), "p384": ec.SECP384R1(), "p521": ec.SECP521R1()}[kind]
    return ec.generate_private_key(curve)


@dataclass
class Cert:
    key: Any
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def der_b64(self) -> str:
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()

    def write(self, path: Path) -> Path:
        path.write_bytes(self.pem)
        return path


def make_cert(
    name: str,
    *,
    issuer: Cert | None = None,
    ca: bool = False,
    key: str = "p256",
    not_before: dt.datetime = NOW - 30 * DAY,
    not_after: dt.datetime = NOW + 365 * DAY,
    path_length: int | None = None,
    key_usage: bool = True,
    key_usage_critical: bool = True,
    digital_signature: bool = True,
    key_cert_sign: bool | None = None,
    eku: list[x509.ObjectIdentifier] | None = None,
    basic_constraints: bool = True,
    hash_alg: hashes.HashAlgorithm | None = None,
    extra_subject: list[x509.NameAttribute] | None = None,
    organization: str = "acme",
) -> Cert:
    private = _key(key)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "WA"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        *(extra_subject or []),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if basic_constraints:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=ca
        )
    if key_usage:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature and not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca if key_cert_sign is None else key_cert_sign,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=key_usage_critical,
        )
    if not ca:
        usages = [ExtendedKeyUsageOID.CODE_SIGNING] if eku is None else eku
        if usages:
            builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    signer = issuer.key if issuer else private
    algorithm = hash_alg or hashes.SHA256()
    return Cert(private, builder.sign(signer, algorithm))


@dataclass
class Pki:
    root: Cert
    intermediate: Cert
    leaf: Cert

    @property
    def chain(self) -> list[Cert]:
        return [self.leaf, self.intermediate, self.root]


def make_pki(prefix: str = "acme", leaf_key: str = "p256", **leaf_options: Any) -> Pki:
    root = make_cert(f"{prefix} root", ca=True, key="p384")
    intermediate = make_cert(f"{prefix} intermediate", issuer=root, ca=True, path_length=0)
    leaf = make_cert(f"{prefix} signer", issuer=intermediate, key=leaf_key, **leaf_options)
    return Pki(root, intermediate, leaf)


_ALG = {"p256": "ES256", "p384": "ES384", "p521": "ES512"}


def alg_for(key: Any) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        return {2048: "PS256", 3072: "PS384", 4096: "PS512"}[key.key_size]
    return {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}[key.curve.name]


def _sign(key: Any, alg: str, data: bytes) -> bytes:
    hash_alg: hashes.HashAlgorithm = {"256": hashes.SHA256(), "384": hashes.SHA384(),
                                      "512": hashes.SHA512()}[alg[2:]]
    if isinstance(key, rsa.RSAPrivateKey):
        return bytes(key.sign(data, padding.PSS(padding.MGF1(hash_alg), hash_alg.digest_size),
                              hash_alg))
    der = key.sign(data, ec.ECDSA(hash_alg))
    r, s = utils.decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return bytes(r.to_bytes(size, "big") + s.to_bytes(size, "big"))


def rfc3339(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Envelope:
    """What to sign; every field can be bent to make one failure."""

    digest: str
    size: int = 100
    media_type: str = "application/vnd.oci.image.manifest.v1+json"
    chain: list[Cert] = field(default_factory=list)
    signing_key: Any = None  # default: the leaf's
    alg: str | None = None  # default: the leaf's algorithm
    scheme: str = "notary.x509"
    signing_time: dt.datetime = NOW - DAY
    expiry: dt.datetime | None = None
    extra_protected: dict[str, Any] = field(default_factory=dict)
    extra_crit: list[str] = field(default_factory=list)
    unprotected: dict[str, Any] = field(default_factory=dict)
    tamper_payload: bool = False

    def protected(self) -> dict[str, Any]:
        key = self.signing_key or self.chain[0].key
        header: dict[str, Any] = {
            "alg": self.alg or alg_for(key),
            "cty": PAYLOAD_TYPE,
            "io.cncf.notary.signingScheme": self.scheme,
        }
        crit = ["io.cncf.notary.signingScheme"]
        if self.scheme == "notary.x509":
            header["io.cncf.notary.signingTime"] = rfc3339(self.signing_time)
        else:
            header["io.cncf.notary.authenticSigningTime"] = rfc3339(self.signing_time)
            crit.append("io.cncf.notary.authenticSigningTime")
        if self.expiry is not None:
            header["io.cncf.notary.expiry"] = rfc3339(self.expiry)
            crit.append("io.cncf.notary.expiry")
        header.update(self.extra_protected)
        header["crit"] = crit + self.extra_crit
        return header

    def build(self) -> bytes:
        key = self.signing_key or self.chain[0].key
        header = self.protected()
        payload = json.dumps({"targetArtifact": {
            "mediaType": self.media_type, "digest": self.digest, "size": self.size,
        }}).encode()
        protected_b64 = b64url(json.dumps(header).encode())
        payload_b64 = b64url(payload)
        # an `alg` outside the allowed set is still signed with the key's own algorithm
        sign_alg = header["alg"] if header["alg"][:2] in ("ES", "PS") else alg_for(key)
        signature = _sign(key, sign_alg, f"{protected_b64}.{payload_b64}".encode())
        if self.tamper_payload:
            payload_b64 = b64url(payload.replace(b'"size": ', b'"size": 1'))
        unprotected = {"x5c": [c.der_b64 for c in self.chain],
                       "io.cncf.notary.signingAgent": "hullcheck-tests/1.0"}
        unprotected.update(self.unprotected)
        return json.dumps({
            "payload": payload_b64,
            "protected": protected_b64,
            "header": unprotected,
            "signature": b64url(signature),
        }).encode()


def signature_manifest(
    envelope: bytes, subject_digest: str, subject_size: int, chain: list[Cert],
    media_type: str = "application/jose+json",
) -> tuple[bytes, dict[str, bytes]]:
    """The OCI image manifest Notation 1.x pushes for a signature, and its blobs."""
    config = b"{}"
    thumbprints = [
        hashlib.sha256(c.cert.public_bytes(serialization.Encoding.DER)).hexdigest()
        for c in chain
    ]
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": SIGNATURE_ARTIFACT, "digest": sha(config), "size": 2},
        "layers": [{"mediaType": media_type, "digest": sha(envelope), "size": len(envelope)}],
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": subject_digest, "size": subject_size},
        "annotations": {"io.cncf.notary.x509chain.thumbprint#S256": json.dumps(thumbprints)},
    }).encode()
    return manifest, {sha(config): config, sha(envelope): envelope}


def referrers_index(entries: list[tuple[bytes, str]]) -> bytes:
    """The referrers tag schema's index: (manifest, artifactType) per referrer."""
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(m),
             "size": len(m), "artifactType": t}
            for m, t in entries
        ],
    }).encode()


# --- COSE_Sign1 envelopes (signature-envelope-cose.md) ---------------------------------------

COSE_ALG = {"PS256": -37, "PS384": -38, "PS512": -39, "ES256": -7, "ES384": -35, "ES512": -36}


def _epoch(when: dt.datetime, tag: int | None) -> Any:
    import cbor2

    seconds = int(when.timestamp())
    if tag is None:
        return seconds
    if tag == 0:
        return cbor2.CBORTag(0, rfc3339(when))
    return cbor2.CBORTag(tag, seconds)


@dataclass
class CoseEnvelope:
    """A COSE_Sign1_Tagged Notation envelope; every field can be bent to make one failure."""

    digest: str
    size: int = 100
    media_type: str = "application/vnd.oci.image.manifest.v1+json"
    chain: list[Cert] = field(default_factory=list)
    signing_key: Any = None  # default: the leaf's
    alg: int | str | None = None  # default: the leaf's algorithm
    scheme: str = "notary.x509"
    signing_time: dt.datetime = NOW - DAY
    expiry: dt.datetime | None = None
    time_tag: int | None = 1  # 1: epoch (the specification); 0: RFC 3339 string; None: untagged
    extra_protected: dict[Any, Any] = field(default_factory=dict)
    extra_crit: list[Any] = field(default_factory=list)
    drop_protected: list[Any] = field(default_factory=list)
    unprotected: dict[Any, Any] = field(default_factory=dict)
    x5chain_protected: bool = False
    tamper_payload: bool = False
    tag: int = 18

    def protected(self) -> dict[Any, Any]:
        key = self.signing_key or self.chain[0].key
        header: dict[Any, Any] = {
            1: COSE_ALG[alg_for(key)] if self.alg is None else self.alg,
            3: PAYLOAD_TYPE,
            "io.cncf.notary.signingScheme": self.scheme,
        }
        crit: list[Any] = ["io.cncf.notary.signingScheme"]
        if self.scheme == "notary.x509":
            header["io.cncf.notary.signingTime"] = _epoch(self.signing_time, self.time_tag)
        else:
            header["io.cncf.notary.authenticSigningTime"] = _epoch(self.signing_time,
                                                                   self.time_tag)
            crit.append("io.cncf.notary.authenticSigningTime")
        if self.expiry is not None:
            header["io.cncf.notary.expiry"] = _epoch(self.expiry, self.time_tag)
            crit.append("io.cncf.notary.expiry")
        if self.x5chain_protected:
            header[33] = [c.cert.public_bytes(serialization.Encoding.DER) for c in self.chain]
        header.update(self.extra_protected)
        header[2] = crit + self.extra_crit
        for label in self.drop_protected:
            header.pop(label, None)
        return header

    def payload(self) -> bytes:
        return json.dumps({"targetArtifact": {
            "mediaType": self.media_type, "digest": self.digest, "size": self.size,
        }}).encode()

    def build(self) -> bytes:
        import cbor2

        key = self.signing_key or self.chain[0].key
        protected = cbor2.dumps(self.protected())
        payload = self.payload()
        to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
        signature = _sign(key, alg_for(key), to_be_signed)
        if self.tamper_payload:
            payload = payload.replace(b'"size": ', b'"size": 1')
        unprotected: dict[Any, Any] = {"io.cncf.notary.signingAgent": "hullcheck-tests/1.0"}
        if not self.x5chain_protected:
            unprotected[33] = [c.cert.public_bytes(serialization.Encoding.DER)
                               for c in self.chain]
        unprotected.update(self.unprotected)
        return bytes(cbor2.dumps(cbor2.CBORTag(self.tag,
                                               [protected, unprotected, payload, signature])))
