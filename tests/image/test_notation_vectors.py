"""Interop: signatures made by the real Notation (notaryproject test data); our verdicts must match
what Notation decides for them (see tests/image/notation-vectors/README.md)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from hullcheck.trust import notation
from hullcheck.trust.notation_certs import load_trust_store

VECTORS = Path(__file__).resolve().parent / "notation-vectors"
VALID_SUBJECT = "sha256:cc2ae4e91a31a77086edbdbf4711de48e5fa3ebdacad3403e61777a9e1a53b6f"
EXPIRED_SUBJECT = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
ALPINE_SUBJECT = "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda"
E2E = load_trust_store([VECTORS / "e2e.crt"])
UNRELATED = load_trust_store([VECTORS / "expired_e2e.crt"])
ALPINE = load_trust_store([VECTORS / "notation-go-alpine.crt"])


def _blob(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


UPSTREAM_DIGESTS = {  # each file's sha256 is the digest it has upstream
    "e2e-valid-signature.jws":
        "a10cfe44db01fffab281c3f1077d7663cdda573940d89fdb10b750788250d775",
    "e2e-expired-signature.jws":
        "b5f927564088f65dad86c81bcdd0b55415a8b4c9a0a5391107210e0cdb305cc7",
    "e2e-expired-signature.manifest.json":
        "3829708badae8e4b14e1adbc2fac7182bc0c27c5b6f54153e8b68a12eab10a1e",
    "e2e-valid-signature.manifest.json":
        "273243a7a64e9312761ca0aa8f43b6ba805e677a561558143b6e92981c487339",
    "e2e-expired-signature.referrers-tag-index.json":
        "9567ef95679c34ba6deedf8ff1a43e17f889f83ee4276c070f7f5c97bad66030",
    "e2e-image.manifest.json": EXPIRED_SUBJECT.split(":")[1],
    "e2e-artifact.manifest.json": VALID_SUBJECT.split(":")[1],
}


@pytest.mark.parametrize(("name", "digest"), sorted(UPSTREAM_DIGESTS.items()))
def test_vectors_are_byte_identical_to_upstream(name: str, digest: str) -> None:
    assert hashlib.sha256(_blob(name)).hexdigest() == digest


CASES = [
    # (envelope, trust store, image digest, expected code)
    ("e2e-valid-signature.jws", E2E, VALID_SUBJECT, "signed"),
    ("e2e-valid-signature.jws", UNRELATED, VALID_SUBJECT, "untrusted-certificate"),
    ("e2e-valid-signature.jws", E2E, EXPIRED_SUBJECT, "other-digest"),
    ("e2e-expired-signature.jws", E2E, EXPIRED_SUBJECT, "expired"),
    ("e2e-expired-signature.jws", UNRELATED, EXPIRED_SUBJECT, "untrusted-certificate"),
    ("notation-go-without-timestamp.jws", ALPINE, ALPINE_SUBJECT, "signed"),
    ("notation-go-without-timestamp.jws", E2E, ALPINE_SUBJECT, "untrusted-certificate"),
]


@pytest.mark.parametrize(("name", "store", "digest", "code"), CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_real_notation_envelopes(name: str, store: object, digest: str, code: str) -> None:
    verdict = notation.verify_envelope(notation.JWS, _blob(name), store, digest)  # type: ignore[arg-type]
    assert verdict.code == code, verdict.message
    if verdict.ok:
        assert notation.OFFLINE_NOTE in verdict.message


def _altered(name: str, part: str) -> bytes:
    doc = json.loads(_blob(name))
    raw = bytearray(base64.urlsafe_b64decode(doc[part] + "=" * (-len(doc[part]) % 4)))
    if part == "payload":
        raw = bytearray(bytes(raw).replace(b'"size":417', b'"size":418'))
    else:
        raw[10] ^= 1
    doc[part] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return json.dumps(doc).encode()


@pytest.mark.parametrize("part", ["payload", "signature"])
def test_altered_real_envelope_is_tampered(part: str) -> None:
    verdict = notation.verify_jws(_altered("e2e-valid-signature.jws", part), E2E, VALID_SUBJECT)
    assert verdict.code == "tampered-payload", verdict.message


def test_unknown_critical_header_in_real_envelope_is_invalid() -> None:
    doc = json.loads(_blob("e2e-valid-signature.jws"))
    protected = json.loads(base64.urlsafe_b64decode(doc["protected"] + "=="))
    protected["crit"].append("io.example.mustUnderstand")
    protected["io.example.mustUnderstand"] = "x"
    encoded = base64.urlsafe_b64encode(json.dumps(protected).encode())
    doc["protected"] = encoded.rstrip(b"=").decode()
    verdict = notation.verify_jws(json.dumps(doc).encode(), E2E, VALID_SUBJECT)
    assert verdict.code == "invalid-envelope"
    assert "unknown critical header io.example.mustUnderstand" in verdict.message


def test_real_manifests_are_recognised_as_signatures() -> None:
    from hullcheck.trust.notation_registry import is_signature

    for name in ("e2e-expired-signature.manifest.json", "e2e-valid-signature.manifest.json"):
        assert is_signature(json.loads(_blob(name)))
    assert not is_signature(json.loads(_blob("e2e-image.manifest.json")))
    index = json.loads(_blob("e2e-expired-signature.referrers-tag-index.json"))
    assert index["manifests"][0]["artifactType"] == notation.SIGNATURE_ARTIFACT


def test_truncated_cose_envelope_is_invalid() -> None:
    verdict = notation.verify_envelope(notation.COSE, b"\xd2\x84", E2E, VALID_SUBJECT)
    assert verdict.code == "invalid-envelope" and not verdict.ok
    assert "not valid CBOR" in verdict.message
