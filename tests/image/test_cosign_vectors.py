"""Interop: envelopes and bundles made by the real cosign; our verdict must match cosign's.

- ``cosign-v3-image-signature/``: a real cosign v3.1.3 key-based image signature (an in-toto
  statement of predicate type ``https://sigstore.dev/cosign/sign/v1``): it verifies for its
  digest only, with its key only, and not with one payload byte flipped.
- ``dsse-key-vectors.json``: SLSA provenance *attestations* signed by cosign with a key: refused
  as image signatures ("an attestation, not a signature"), and judged as cosign's own tests
  expect when the policy asks for attestations of type ``https://slsa.dev/provenance/v0.2``.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest

from hullcheck.trust import cosign

# shared/ sits beside the checkout (CI's clone) or above the worktree
VECTORS = Path("/work/shared/reference/cosign-vectors")
for parent in Path(__file__).resolve().parents:
    if (parent / "shared" / "reference" / "cosign-vectors").is_dir():
        VECTORS = parent / "shared" / "reference" / "cosign-vectors"
        break

DSSE = json.loads((VECTORS / "dsse-key-vectors.json").read_text())
CASES = DSSE["cases"]
SLSA02 = "https://slsa.dev/provenance/v0.2"

V3 = VECTORS / "cosign-v3-image-signature"
V3_BUNDLE = json.loads((V3 / "bundle.sigstore.json").read_text())
V3_REFERRER = json.loads((V3 / "referrer-manifest.json").read_text())
V3_DIGEST = "4a668fd22601acf91adb14ae57c2fe45a61010c709b3c48ff12b0b9187147640"


def _vector_key() -> cosign.PublicKey:
    return cosign.load_public_key(DSSE["public_key_pem"].encode(), "vector key")


def _v3_key() -> cosign.PublicKey:
    return cosign.load_key_file(V3 / "cosign.pub")


# --- the real cosign v3 image signature --------------------------------------------------------

def test_v3_image_signature_verifies_for_its_digest() -> None:
    verdict = cosign.verify_bundle(V3_BUNDLE, [_v3_key()], V3_DIGEST)
    assert verdict.code == cosign.SIGNED, verdict.message
    assert verdict.message.startswith(f"signed by {V3 / 'cosign.pub'};")
    assert "transparency log not checked" in verdict.message
    # the referrer that carries it: subject = that digest, annotated as a signature
    assert V3_REFERRER["subject"]["digest"] == f"sha256:{V3_DIGEST}"
    annotations = V3_REFERRER["annotations"]
    assert annotations["dev.sigstore.bundle.predicateType"] == cosign.SIGN_PREDICATE
    # the key hint is base64(sha256(DER SubjectPublicKeyInfo)) of cosign.pub
    assert V3_BUNDLE["verificationMaterial"]["publicKey"]["hint"] in _v3_key().hints()


def test_v3_image_signature_fails_for_another_digest() -> None:
    verdict = cosign.verify_bundle(V3_BUNDLE, [_v3_key()], "ab" * 32)
    assert verdict.code == cosign.OTHER_DIGEST
    assert f"sha256:{V3_DIGEST}" in verdict.message


def test_v3_image_signature_fails_with_another_key() -> None:
    verdict = cosign.verify_bundle(V3_BUNDLE, [_vector_key()], V3_DIGEST)
    assert verdict.code == cosign.WRONG_KEY
    assert "lYgw4VFcwe6SkYjCrJiPB4L+Wx4pLxB3/LXxkEwN0KI=" in verdict.message


@pytest.mark.parametrize("offset", [0, 40, 150, -3])
def test_v3_image_signature_fails_with_a_flipped_payload_byte(offset: int) -> None:
    flipped = copy.deepcopy(V3_BUNDLE)
    payload = bytearray(base64.b64decode(flipped["dsseEnvelope"]["payload"]))
    payload[offset] ^= 0x01
    flipped["dsseEnvelope"]["payload"] = base64.b64encode(bytes(payload)).decode()
    verdict = cosign.verify_bundle(flipped, [_v3_key()], V3_DIGEST)
    assert not verdict.ok
    # The key hint names our key: the signature no longer matches what it signed.
    assert verdict.code == cosign.TAMPERED, verdict.message


def test_v3_image_signature_is_no_attestation() -> None:
    verdict = cosign.verify_bundle(V3_BUNDLE, [_v3_key()], V3_DIGEST, SLSA02)
    assert verdict.code == cosign.OTHER_PREDICATE
    assert cosign.SIGN_PREDICATE in verdict.message


# --- SLSA attestations signed by cosign: never a signature --------------------------------------

@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_attestation_vectors_are_refused_as_signatures(case: dict) -> None:
    verdict = cosign.verify_dsse(case["envelope"], [_vector_key()], DSSE["blob_sha256"])
    assert verdict.code == cosign.NOT_A_SIGNATURE
    assert verdict.message.startswith(f"an attestation (predicate type '{SLSA02}'), not a"
                                      " signature")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_attestation_vectors_agree_with_cosign_verify_attestation(case: dict) -> None:
    verdict = cosign.verify_dsse(case["envelope"], [_vector_key()], DSSE["blob_sha256"],
                                 predicate=SLSA02)
    assert verdict.ok is case["verifies"], verdict.message
    if verdict.ok:
        assert verdict.message.startswith(f"attested ({SLSA02}) by vector key;")


def test_attestation_of_another_type_does_not_count() -> None:
    case = CASES[0]
    verdict = cosign.verify_dsse(case["envelope"], [_vector_key()], DSSE["blob_sha256"],
                                 predicate="https://slsa.dev/provenance/v1")
    assert verdict.code == cosign.OTHER_PREDICATE


def test_bad_signature_vector_is_not_other_digest() -> None:
    case = next(c for c in CASES if c["name"] == "bad-signature")
    verdict = cosign.verify_dsse(case["envelope"], [_vector_key()], DSSE["blob_sha256"],
                                 predicate=SLSA02)
    assert verdict.code == cosign.INVALID


def test_no_subject_match_is_other_digest() -> None:
    case = next(c for c in CASES if c["name"] == "multiple-subjects-none-matches")
    verdict = cosign.verify_dsse(case["envelope"], [_vector_key()], DSSE["blob_sha256"],
                                 predicate=SLSA02)
    assert verdict.code == cosign.OTHER_DIGEST


def test_attestation_retyped_as_a_signature_does_not_verify() -> None:
    """Rewriting an attestation's predicate type to cosign's signature type breaks its
    signature: the key signed an attestation, not a signature."""
    case = copy.deepcopy(CASES[0])
    statement = json.loads(base64.b64decode(case["envelope"]["payload"]))
    statement["predicateType"] = cosign.SIGN_PREDICATE
    case["envelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    verdict = cosign.verify_dsse(case["envelope"], [_vector_key()], DSSE["blob_sha256"])
    assert not verdict.ok and verdict.code == cosign.INVALID


# --- the real keyless bundle (an attestation) under a key policy --------------------------------

KEYLESS = json.loads((VECTORS / "oci-attestation.sigstore.json").read_text())
KEYLESS_TYPE = "https://cosign.sigstore.dev/attestation/v1"
KEYLESS_SUBJECT = json.loads(base64.b64decode(KEYLESS["dsseEnvelope"]["payload"]))[
    "subject"][0]["digest"]["sha256"]


def test_real_keyless_attestation_is_no_signature() -> None:
    verdict = cosign.verify_bundle(KEYLESS, [_vector_key()], KEYLESS_SUBJECT)
    assert verdict.code == cosign.NOT_A_SIGNATURE
    assert KEYLESS_TYPE in verdict.message


def test_real_keyless_bundle_is_rejected_by_a_key_policy() -> None:
    verdict = cosign.verify_bundle(KEYLESS, [_vector_key()], KEYLESS_SUBJECT, KEYLESS_TYPE)
    assert verdict.code == cosign.UNTRUSTED_BUNDLE
    assert "no key we trust" in verdict.message


def test_bundle_without_any_key_is_untrusted() -> None:
    assert cosign.verify_bundle(KEYLESS, [], "00" * 32, KEYLESS_TYPE).code == (
        cosign.UNTRUSTED_BUNDLE)


def test_message_signature_bundle_is_no_image_signature() -> None:
    bundle = {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
              "verificationMaterial": {"publicKey": {"hint": "x"}},
              "messageSignature": {"messageDigest": {"algorithm": "SHA2_256",
                                                     "digest": base64.b64encode(
                                                         bytes.fromhex(V3_DIGEST)).decode()},
                                   "signature": "MEUCIQ=="}}
    verdict = cosign.verify_bundle(bundle, [_v3_key()], V3_DIGEST)
    assert verdict.code == cosign.NOT_A_SIGNATURE
    assert "message-signature bundle" in verdict.message
    assert cosign.verify_bundle(bundle, [_v3_key()], V3_DIGEST, SLSA02).code == (
        cosign.OTHER_PREDICATE)
