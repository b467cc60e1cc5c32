"""Interop: envelopes and a bundle made by the real cosign; our verdict must match cosign's."""

from __future__ import annotations

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


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_dsse_vectors_agree_with_cosign(case: dict) -> None:
    key = cosign.load_public_key(DSSE["public_key_pem"].encode(), "vector key")
    verdict = cosign.verify_dsse(case["envelope"], [key], DSSE["blob_sha256"])
    assert verdict.ok is case["verifies"], verdict.message


def test_bad_signature_vector_is_not_other_digest() -> None:
    key = cosign.load_public_key(DSSE["public_key_pem"].encode(), "vector key")
    case = next(c for c in CASES if c["name"] == "bad-signature")
    assert cosign.verify_dsse(case["envelope"], [key], DSSE["blob_sha256"]).code == cosign.INVALID


def test_no_subject_match_is_other_digest() -> None:
    key = cosign.load_public_key(DSSE["public_key_pem"].encode(), "vector key")
    case = next(c for c in CASES if c["name"] == "multiple-subjects-none-matches")
    verdict = cosign.verify_dsse(case["envelope"], [key], DSSE["blob_sha256"])
    assert verdict.code == cosign.OTHER_DIGEST


def test_real_keyless_bundle_is_rejected_by_a_key_policy() -> None:
    bundle = json.loads((VECTORS / "oci-attestation.sigstore.json").read_text())
    key = cosign.load_public_key(DSSE["public_key_pem"].encode(), "vector key")
    payload = json.loads(__import__("base64").b64decode(bundle["dsseEnvelope"]["payload"]))
    subject = payload["subject"][0]["digest"]["sha256"]
    verdict = cosign.verify_bundle(bundle, [key], subject)
    assert verdict.code == cosign.UNTRUSTED_BUNDLE
    assert "no key we trust" in verdict.message


def test_bundle_without_any_key_is_untrusted() -> None:
    bundle = json.loads((VECTORS / "oci-attestation.sigstore.json").read_text())
    assert cosign.verify_bundle(bundle, [], "00" * 32).code == cosign.UNTRUSTED_BUNDLE
