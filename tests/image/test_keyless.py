"""Keyless cosign signatures (Fulcio certificate + Rekor), verified offline against the
public-good trusted root embedded in sigstore-python, with REAL vectors (keyless-vectors/)."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import time
from pathlib import Path

import pytest

from hullcheck.config import ConfigError, from_mapping
from hullcheck.references import parse_reference
from hullcheck.trust import keyless
from hullcheck.trust.keyless_policy import IdentityError, KeylessIdentity, from_options

VECTORS = Path(__file__).parent / "keyless-vectors"
BUNDLE_TEXT = (VECTORS / "oci-attestation.sigstore.json").read_text()
BUNDLE = json.loads(BUNDLE_TEXT)
BUNDLE_DIGEST = "732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"
BUNDLE_ID = KeylessIdentity(identity="cody@soyland.com", issuer="https://github.com/login/oauth")
# The real bundle is an attestation (cosign attest), judged as one of this predicate type.
BUNDLE_TYPE = "https://cosign.sigstore.dev/attestation/v1"
CLASSIC = json.loads((VECTORS / "classic-github-actions.json").read_text())
CLASSIC_ID = KeylessIdentity(identity=CLASSIC["identity"], issuer=CLASSIC["issuer"])
GITHUB = "https://token.actions.githubusercontent.com"


def classic(payload: bytes | None = None, annotations: dict | None = None,
            identities: list[KeylessIdentity] | None = None,
            digest: str | None = None) -> keyless.SignatureVerdict:
    return keyless.verify_classic(
        payload if payload is not None else CLASSIC["payload"].encode(),
        annotations if annotations is not None else CLASSIC["annotations"],
        identities or [CLASSIC_ID],
        digest or CLASSIC["digest"],
    )


# --- the real Sigstore bundle (cosign's test data: production Fulcio + Rekor) -------------------

def test_real_bundle_verifies_with_its_identity_and_issuer() -> None:
    verdict = keyless.verify_bundle(BUNDLE_TEXT, [BUNDLE_ID], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.ok, verdict.message
    assert "identity cody@soyland.com from issuer https://github.com/login/oauth" in (
        verdict.message)
    assert "inclusion proof" in verdict.message and "not queried online" in verdict.message


def test_real_attestation_bundle_is_no_signature() -> None:
    # Judged as a signature, the attestation is refused before anything is verified.
    verdict = keyless.verify_bundle(BUNDLE_TEXT, [BUNDLE_ID], BUNDLE_DIGEST)
    assert verdict.code == "not-a-signature"
    assert verdict.message.startswith(f"an attestation (predicate type '{BUNDLE_TYPE}'), not a"
                                      " signature")
    other = keyless.verify_bundle(BUNDLE_TEXT, [BUNDLE_ID], BUNDLE_DIGEST,
                                  "https://slsa.dev/provenance/v1")
    assert other.code == "other-predicate-type"


def test_real_bundle_wrong_identity_names_the_certificates_identity() -> None:
    wrong = KeylessIdentity(identity="mallory@example.com", issuer=BUNDLE_ID.issuer)
    verdict = keyless.verify_bundle(BUNDLE, [wrong], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.code == keyless.IDENTITY_MISMATCH
    assert "holds identity cody@soyland.com" in verdict.message


def test_real_bundle_wrong_issuer() -> None:
    wrong = KeylessIdentity(identity="cody@soyland.com", issuer=GITHUB)
    verdict = keyless.verify_bundle(BUNDLE, [wrong], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.code == keyless.ISSUER_MISMATCH
    assert "from issuer https://github.com/login/oauth" in verdict.message


def test_real_bundle_altered_payload_is_tampered() -> None:
    altered = copy.deepcopy(BUNDLE)
    statement = json.loads(base64.b64decode(altered["dsseEnvelope"]["payload"]))
    statement["predicate"]["Data"] = '{"foo": "evil"}\n'
    altered["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    verdict = keyless.verify_bundle(altered, [BUNDLE_ID], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.code == keyless.TAMPERED, verdict.message


def test_real_bundle_for_another_digest() -> None:
    verdict = keyless.verify_bundle(BUNDLE, [BUNDLE_ID], "ab" * 32, BUNDLE_TYPE)
    assert verdict.code == keyless.OTHER_DIGEST
    assert f"sha256:{BUNDLE_DIGEST}" in verdict.message


def test_real_bundle_with_a_broken_inclusion_proof_or_set() -> None:
    proof = copy.deepcopy(BUNDLE)
    hashes = proof["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"]
    hashes[0] = base64.b64encode(b"\0" * 32).decode()
    verdict = keyless.verify_bundle(proof, [BUNDLE_ID], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.code == keyless.INVALID_TLOG
    promise = copy.deepcopy(BUNDLE)
    entry = promise["verificationMaterial"]["tlogEntries"][0]
    entry["inclusionPromise"]["signedEntryTimestamp"] = (
        CLASSIC_REKOR["SignedEntryTimestamp"])  # a real SET, of another entry
    verdict = keyless.verify_bundle(promise, [BUNDLE_ID], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.code == keyless.INVALID_TLOG, verdict.message


def test_bundle_with_a_certificate_not_from_fulcio(fake_fulcio: tuple) -> None:
    leaf_der, _ = fake_fulcio
    forged = copy.deepcopy(BUNDLE)
    forged["verificationMaterial"]["certificate"]["rawBytes"] = base64.b64encode(leaf_der).decode()
    verdict = keyless.verify_bundle(forged, [BUNDLE_ID], BUNDLE_DIGEST, BUNDLE_TYPE)
    assert verdict.code == keyless.UNTRUSTED_CERT, verdict.message


def test_regexps_are_searched_like_cosign() -> None:
    def ok(**kw: str) -> bool:
        return keyless.verify_bundle(BUNDLE, [KeylessIdentity(**kw)], BUNDLE_DIGEST,
                                     BUNDLE_TYPE).ok

    assert ok(identity_regexp=r"@soyland\.com$", issuer_regexp="github")  # unanchored search
    assert not ok(identity_regexp=r"^soyland", issuer="https://github.com/login/oauth")
    assert not ok(identity="soyland.com", issuer="https://github.com/login/oauth")  # exact


def test_any_matching_entry_satisfies() -> None:
    wrong = KeylessIdentity(identity="x@example.com", issuer=GITHUB)
    assert keyless.verify_bundle(BUNDLE, [wrong, BUNDLE_ID], BUNDLE_DIGEST, BUNDLE_TYPE).ok


def test_not_a_bundle() -> None:
    verdict = keyless.verify_bundle({"mediaType": "nope"}, [BUNDLE_ID], BUNDLE_DIGEST,
                                    BUNDLE_TYPE)
    assert verdict.code == keyless.INVALID
    assert "\n" not in verdict.message


# --- a real classic keyless signature (GitHub Actions, production) -----------------------------

CLASSIC_REKOR = json.loads(CLASSIC["annotations"]["dev.sigstore.cosign/bundle"])


def test_real_classic_signature_verifies() -> None:
    verdict = classic()
    assert verdict.ok, verdict.message
    assert f"identity {CLASSIC['identity']} from issuer {GITHUB}" in verdict.message
    assert "no inclusion proof" in verdict.message


def test_real_classic_identity_and_issuer_mismatch() -> None:
    other_workflow = CLASSIC["identity"].replace("v0.0.14", "v0.0.15")
    verdict = classic(identities=[KeylessIdentity(identity=other_workflow, issuer=GITHUB)])
    assert verdict.code == keyless.IDENTITY_MISMATCH
    assert CLASSIC["identity"] in verdict.message
    google = KeylessIdentity(identity=CLASSIC["identity"], issuer="https://accounts.google.com")
    assert classic(identities=[google]).code == keyless.ISSUER_MISMATCH
    prefix = KeylessIdentity(
        identity_regexp=r"^https://github\.com/salrashid123/go-bazel-github-workflow/",
        issuer=GITHUB)
    assert classic(identities=[prefix]).ok


def test_real_classic_tampered_payload_and_other_digest() -> None:
    altered = CLASSIC["payload"].replace('"optional":null', '"optional":{"evil":"yes"}')
    assert classic(payload=altered.encode()).code == keyless.TAMPERED
    verdict = classic(digest="sha256:" + "ab" * 32)
    assert verdict.code == keyless.OTHER_DIGEST
    assert CLASSIC["digest"] in verdict.message


def test_real_classic_bad_set() -> None:
    rekor = copy.deepcopy(CLASSIC_REKOR)
    rekor["Payload"]["integratedTime"] += 1  # what the SET signs changes
    annotations = dict(CLASSIC["annotations"])
    annotations["dev.sigstore.cosign/bundle"] = json.dumps(rekor)
    assert classic(annotations=annotations).code == keyless.INVALID_TLOG
    del annotations["dev.sigstore.cosign/bundle"]
    assert classic(annotations=annotations).code == keyless.INVALID_TLOG


def test_classic_certificate_not_from_fulcio(fake_fulcio: tuple) -> None:
    _, leaf_pem = fake_fulcio
    annotations = dict(CLASSIC["annotations"], **{"dev.sigstore.cosign/certificate": leaf_pem})
    verdict = classic(annotations=annotations)
    assert verdict.code == keyless.UNTRUSTED_CERT, verdict.message


def test_classic_without_certificate_is_not_keyless() -> None:
    annotations = {k: v for k, v in CLASSIC["annotations"].items()
                   if k != "dev.sigstore.cosign/certificate"}
    assert classic(annotations=annotations).code == keyless.NOT_KEYLESS


def test_certificate_identity_reads_san_and_issuer_v2() -> None:
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(
        CLASSIC["annotations"]["dev.sigstore.cosign/certificate"].encode())
    assert keyless.certificate_identity(cert) == ([CLASSIC["identity"]], GITHUB)


def test_classic_verification_is_fast_once_loaded() -> None:
    classic()
    start = time.perf_counter()
    for _ in range(10):
        classic()
    assert (time.perf_counter() - start) / 10 < 0.1


@pytest.fixture(scope="module")
def fake_fulcio() -> tuple[bytes, str]:
    """A look-alike of a Fulcio leaf (same issuer name, SAN and extensions) from a CA of ours."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sigstore.dev"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "sigstore-intermediate")])
    key = ec.generate_private_key(ec.SECP256R1())
    when = dt.datetime(2025, 2, 28, 19, 18, 11, tzinfo=dt.UTC)
    leaf = (
        x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(when).not_valid_after(when + dt.timedelta(minutes=10))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name("cody@soyland.com")]),
                       critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                     False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CODE_SIGNING]),
                       critical=False)
        .sign(ca_key, hashes.SHA384())
    )
    return (leaf.public_bytes(serialization.Encoding.DER),
            leaf.public_bytes(serialization.Encoding.PEM).decode())


# --- policy: config and flags ---------------------------------------------------------------------

def test_config_keyless_entries_select_by_image() -> None:
    cfg = from_mapping({"trust": {"keys": [], "keyless": [
        {"images": "ghcr.io/acme/**", "identity": CLASSIC["identity"], "issuer": GITHUB},
        {"identity-regexp": "@acme\\.com$", "issuer-regexp": "^https://accounts\\.google"},
    ]}}, "cfg.yaml", Path("."))
    acme = cfg.trust.identities_for(parse_reference("ghcr.io/acme/app:1"))
    assert [e.identity for e in acme] == [CLASSIC["identity"], None]
    other = cfg.trust.identities_for(parse_reference("docker.io/library/alpine"))
    assert [e.identity_regexp for e in other] == ["@acme\\.com$"]


@pytest.mark.parametrize("entry, message", [
    ({"identity": "a"}, "exactly one of issuer or issuer-regexp"),
    ({"issuer": "a"}, "exactly one of identity or identity-regexp"),
    ({"identity": "a", "identity-regexp": "b", "issuer": "c"}, "exactly one of identity"),
    ({"identity-regexp": "(", "issuer": "c"}, "identity-regexp: invalid regular expression"),
    ({"identity": "a", "issuer-regexp": "[z-a]", }, "issuer-regexp: invalid regular"),
    ({"identity": "a", "issuer": "b", "subject": "c"}, "unknown setting(s): subject"),
    ({"identity": 3, "issuer": "b"}, "identity must be a non-empty string"),
    ("x", "expected a mapping"),
])
def test_bad_keyless_config_is_one_clear_error(entry: object, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        from_mapping({"trust": {"keyless": [entry]}}, "cfg.yaml", Path("."))
    assert message in str(err.value) and "cfg.yaml: trust.keyless[0]" in str(err.value)
    assert "\n" not in str(err.value)


def test_flags_need_an_identity_and_an_issuer() -> None:
    assert from_options({}) == []
    with pytest.raises(IdentityError, match="--certificate-oidc-issuer"):
        from_options({"certificate_identity": "a"})
    got = from_options({"certificate_identity_regexp": "a", "certificate_oidc_issuer": "b"})
    assert got == [KeylessIdentity(identity_regexp="a", issuer="b")]


@pytest.mark.parametrize("command", ["image", "scan"])
def test_cli_bad_flags_exit_2_with_one_line(command: str, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    from hullcheck.cli import main

    target = "example.invalid/app:1" if command == "image" else str(tmp_path)
    assert main([command, target, "--certificate-identity", "a"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--certificate-oidc-issuer" in err
    with pytest.raises(SystemExit) as exit_:
        main([command, target, "--certificate-identity-regexp", "(", "--certificate-oidc-issuer",
              "b"])
    assert exit_.value.code == 2
    assert "invalid regular expression" in capsys.readouterr().err
