"""Notation JWS verification against self-made signatures that follow the specification, bent one
requirement at a time: each failure has its own verdict and a message naming the cause."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from notation_builders import DAY, NOW, Envelope, make_cert, make_pki

from hullcheck.config import ConfigError, from_mapping
from hullcheck.trust import notation
from hullcheck.trust.notation_certs import TrustStore, TrustStoreError, load_trust_store

DIGEST = "sha256:" + "ab" * 32
PKI = make_pki()
OTHER = make_pki("evil")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> TrustStore:
    return load_trust_store([PKI.root.write(tmp_path_factory.mktemp("ts") / "root.pem")])


def judge(envelope: Envelope | bytes, store: TrustStore, digest: str = DIGEST) -> tuple[str, str]:
    blob = envelope if isinstance(envelope, bytes) else envelope.build()
    v = notation.verify_jws(blob, store, digest)
    return v.code, v.message


def test_valid_chain_to_root(store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=PKI.chain), store)
    assert code == "signed", message
    assert "acme signer" in message and "trusted through" in message and "acme root" in message
    assert "revocation (OCSP/CRL) not checked offline" in message


@pytest.mark.parametrize("key", ["p384", "p521", "rsa2048", "rsa3072"])
def test_every_algorithm(key: str, store: TrustStore) -> None:
    pki_leaf = make_cert("k", issuer=PKI.intermediate, key=key)
    code, message = judge(Envelope(DIGEST, chain=[pki_leaf, PKI.intermediate, PKI.root]), store)
    assert code == "signed", message


def test_signing_authority_scheme(store: TrustStore) -> None:
    env = Envelope(DIGEST, chain=PKI.chain, scheme="notary.x509.signingAuthority")
    assert judge(env, store)[0] == "signed"


def test_intermediate_in_trust_store_is_enough(tmp_path: Path) -> None:
    only_intermediate = load_trust_store([PKI.intermediate.write(tmp_path / "ca.pem")])
    assert judge(Envelope(DIGEST, chain=PKI.chain), only_intermediate)[0] == "signed"


def test_timestamp_is_said_not_checked(store: TrustStore) -> None:
    env = Envelope(DIGEST, chain=PKI.chain,
                   unprotected={"io.cncf.notary.timestampSignature": "MIIB"})
    code, message = judge(env, store)
    assert code == "signed" and "RFC 3161 timestamp not checked offline" in message


def test_untrusted_root(store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=OTHER.chain), store)
    assert code == "untrusted-certificate"
    assert "evil signer" in message and "evil root" in message


def test_tampered_payload(store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=PKI.chain, tamper_payload=True), store)
    assert code == "tampered-payload" and "altered after signing" in message


def test_swapped_certificate_is_tampered(store: TrustStore) -> None:
    # the envelope claims our trusted chain but another key signed it
    env = Envelope(DIGEST, chain=PKI.chain, signing_key=OTHER.leaf.key)
    assert judge(env, store)[0] == "tampered-payload"


def test_other_digest(store: TrustStore) -> None:
    code, message = judge(Envelope("sha256:" + "cd" * 32, chain=PKI.chain), store)
    assert code == "other-digest" and "cdcd" in message


def test_expired_signature(store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=PKI.chain, expiry=NOW - DAY), store)
    assert code == "expired" and "expired on" in message
    assert judge(Envelope(DIGEST, chain=PKI.chain, expiry=NOW + DAY), store)[0] == "signed"


def _leaf_chain(**options: object) -> list:
    return [make_cert("leaf", issuer=PKI.intermediate, **options), PKI.intermediate, PKI.root]


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({"not_after": NOW - DAY}, "expired on"),
        ({"not_before": NOW + DAY, "not_after": NOW + 9 * DAY}, "not valid before"),
        ({"key_usage": False}, "keyUsage must be present and critical"),
        ({"key_usage_critical": False}, "keyUsage must be present and critical"),
        ({"digital_signature": False}, "lacks digitalSignature"),
        ({"key_cert_sign": True}, "must not include key_cert_sign"),
        ({"eku": [ExtendedKeyUsageOID.SERVER_AUTH]}, "serverAuth"),
        ({"eku": [ExtendedKeyUsageOID.CODE_SIGNING, ExtendedKeyUsageOID.TIME_STAMPING]},
         "timeStamping"),
    ],
    ids=["expired", "not-yet-valid", "no-key-usage", "key-usage-not-critical", "no-digital-sig",
         "cert-sign", "server-auth", "time-stamping"],
)
def test_leaf_requirements(options: dict, why: str, store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=_leaf_chain(**options)), store)
    assert code == "invalid-certificate", message
    assert why in message


def test_leaf_without_eku_is_allowed(store: TrustStore) -> None:
    # the specification makes extendedKeyUsage optional on the signing certificate
    assert judge(Envelope(DIGEST, chain=_leaf_chain(eku=[])), store)[0] == "signed"


def test_small_rsa_key(store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=_leaf_chain(key="rsa1024"), alg="PS256"), store)
    assert code == "invalid-envelope" and "no Notary Project signature algorithm" in message


def test_signing_time_outside_validity(store: TrustStore) -> None:
    chain = _leaf_chain(not_before=NOW - 2 * DAY)
    env = Envelope(DIGEST, chain=chain, signing_time=NOW - 5 * DAY)
    code, message = judge(env, store)
    assert code == "invalid-certificate" and "signing time" in message


@pytest.mark.parametrize(
    ("chain", "why"),
    [
        (lambda: [PKI.leaf, PKI.intermediate], "not a self-signed root"),
        (lambda: [PKI.leaf, PKI.root], "not issued by the next certificate"),
        (lambda: [PKI.leaf, PKI.root, PKI.intermediate], "not issued by the next certificate"),
        (lambda: [PKI.leaf, OTHER.intermediate, OTHER.root], "not issued by the next"),
    ],
    ids=["no-root", "skips-intermediate", "out-of-order", "foreign-intermediate"],
)
def test_broken_chains(chain: object, why: str, store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=chain()), store)  # type: ignore[operator]
    assert code == "invalid-certificate" and why in message


def test_ca_requirements(store: TrustStore) -> None:
    not_ca = make_cert("fake ca", issuer=PKI.root, ca=False, eku=[])
    leaf = make_cert("leaf", issuer=not_ca)
    code, message = judge(Envelope(DIGEST, chain=[leaf, not_ca, PKI.root]), store)
    assert code == "invalid-certificate" and "basicConstraints must be present" in message
    no_sign = make_cert("no-sign ca", issuer=PKI.root, ca=True, key_cert_sign=False)
    leaf = make_cert("leaf", issuer=no_sign)
    code, message = judge(Envelope(DIGEST, chain=[leaf, no_sign, PKI.root]), store)
    assert code == "invalid-certificate" and "keyCertSign" in message


def test_path_length(store: TrustStore) -> None:
    sub = make_cert("sub ca", issuer=PKI.intermediate, ca=True)  # below a pathLen 0 CA
    leaf = make_cert("leaf", issuer=sub)
    code, message = judge(Envelope(DIGEST, chain=[leaf, sub, PKI.intermediate, PKI.root]), store)
    assert code == "invalid-certificate" and "pathLenConstraint 0" in message


def test_self_signed_leaf_as_its_own_root(tmp_path: Path) -> None:
    cert = make_cert("solo", eku=[ExtendedKeyUsageOID.CODE_SIGNING])
    solo_store = load_trust_store([cert.write(tmp_path / "solo.pem")])
    assert judge(Envelope(DIGEST, chain=[cert]), solo_store)[0] == "signed"


@pytest.mark.parametrize(
    ("env", "why"),
    [
        (dict(alg="ES384"), "does not match the signing certificate's key"),
        (dict(extra_protected={"cty": "application/json"}), "unsupported content type"),
        (dict(extra_protected={"io.example.x": 1}, extra_crit=["io.example.x"]),
         "unknown critical header io.example.x"),
        (dict(extra_crit=["io.cncf.notary.expiry"]), "which the protected header lacks"),
        (dict(extra_protected={"io.cncf.notary.expiry": "2999-01-01T00:00:00Z"}),
         "must be marked critical"),
        (dict(extra_protected={"io.cncf.notary.verificationPlugin": "com.example.p"},
              extra_crit=["io.cncf.notary.verificationPlugin"]), "cannot run"),
        (dict(scheme="notary.other"), "unsupported signing scheme"),
        (dict(extra_protected={"io.cncf.notary.signingTime": "yesterday"}), "RFC 3339"),
        (dict(extra_protected={"alg": "none"}), "alg 'none'"),
        (dict(extra_protected={"alg": "HS256"}), "alg 'HS256'"),
    ],
    ids=["alg-mismatch", "cty", "unknown-crit", "crit-absent", "expiry-not-crit", "plugin",
         "scheme", "bad-time", "alg-none", "alg-hmac"],
)
def test_invalid_headers(env: dict, why: str, store: TrustStore) -> None:
    code, message = judge(Envelope(DIGEST, chain=PKI.chain, **env), store)
    assert code == "invalid-envelope", message
    assert why in message


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda d: d.pop("header"), "lacks header"),
        (lambda d: d.update(signatures=[]), "general JWS JSON serialization"),
        (lambda d: d.update(extra=1), "unexpected top-level member"),
        (lambda d: d["header"].pop("x5c"), "x5c header"),
        (lambda d: d["header"].update(x5c=["bm90IGEgY2VydA=="]), "not a base64 DER"),
        (lambda d: d.update(protected=d["protected"] + "=="), "unpadded base64url"),
    ],
    ids=["no-header", "general", "extra-member", "no-x5c", "bad-x5c", "padded"],
)
def test_malformed_envelopes(mutate: object, why: str, store: TrustStore) -> None:
    doc = json.loads(Envelope(DIGEST, chain=PKI.chain).build())
    mutate(doc)  # type: ignore[operator]
    code, message = judge(json.dumps(doc).encode(), store)
    assert code == "invalid-envelope" and why in message
    assert judge(b"not json", store)[0] == "invalid-envelope"


def test_payload_without_target_artifact(store: TrustStore) -> None:
    env = Envelope(DIGEST, chain=PKI.chain)
    env.media_type = None  # type: ignore[assignment]
    code, message = judge(env, store)
    assert code == "invalid-envelope" and "targetArtifact.mediaType" in message


def test_verification_at_a_given_time(store: TrustStore) -> None:
    blob = Envelope(DIGEST, chain=PKI.chain, expiry=NOW + 2 * DAY).build()
    later = NOW + 3 * DAY
    assert notation.verify_jws(blob, store, DIGEST, now=later).code == "expired"
    far = NOW + dt.timedelta(days=400)  # the leaf expired by then
    assert notation.verify_jws(blob, store, DIGEST, now=far).code == "expired"


# --- trust stores in the configuration and on the command line ---------------------------------

def test_config_trust_store(tmp_path: Path) -> None:
    PKI.root.write(tmp_path / "root.pem")
    cfg = from_mapping({"trust": {"notation": [
        {"images": "registry.example/acme/**", "trust-store": "root.pem"},
        {"trust-store": ["root.pem"]},
    ]}}, "cfg", tmp_path)
    from hullcheck.references import parse_reference

    # an entry without `images` applies to every image
    assert cfg.trust.roots_for(parse_reference("registry.example/acme/app:1")) == [
        tmp_path / "root.pem", tmp_path / "root.pem"]
    assert cfg.trust.roots_for(parse_reference("nginx")) == [tmp_path / "root.pem"]
    assert cfg.trust.roots_for(parse_reference("ghcr.io/x/y")) == [tmp_path / "root.pem"]
    assert cfg.trust.keys == []


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"trust-store": "missing.pem"}, "missing.pem: cannot read trust store"),
        ({"trust-store": "notacert.pem"}, "notacert.pem: not a certificate"),
        ({"trust-store": "badpem.pem"}, "badpem.pem: not a valid PEM certificate"),
        ({"images": "x/**"}, "needs 'trust-store'"),
        ({"trust-store": "root.pem", "key": "k"}, "unknown setting(s): key"),
    ],
)
def test_config_errors_are_one_line(entry: dict, why: str, tmp_path: Path) -> None:
    PKI.root.write(tmp_path / "root.pem")
    (tmp_path / "notacert.pem").write_text("hello\n")
    (tmp_path / "badpem.pem").write_text(
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError) as exc:
        from_mapping({"trust": {"notation": [entry]}}, "cfg.yaml", tmp_path)
    assert why in str(exc.value) and "\n" not in str(exc.value)
    assert str(exc.value).startswith("cfg.yaml: trust.notation[0]")


def test_trust_store_error_type() -> None:
    with pytest.raises(TrustStoreError):
        load_trust_store([Path("/nonexistent/root.pem")])


@pytest.mark.parametrize("command", [["image", "x:1"], ["scan", "."]])
def test_cli_flag_rejects_a_non_certificate(command: list[str], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from hullcheck.cli import main

    bad = tmp_path / "root.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(SystemExit) as exc:
        main([*command, "--notation-root", str(bad)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"{bad}: not a certificate" in err and "Traceback" not in err


def _version_4(store: TrustStore) -> bytes:
    """A DER certificate whose version field says v4: cryptography raises InvalidVersion (not a
    ValueError) when it loads one, as a hypothesis byte flip first showed."""
    from cryptography.hazmat.primitives import serialization

    der = bytearray(store.certificates[0].public_bytes(serialization.Encoding.DER))
    at = der.index(bytes([0xA0, 0x03, 0x02, 0x01, 0x02]))
    der[at + 4] = 3
    return bytes(der)


def test_a_certificate_of_unknown_version_is_one_clear_error(store: TrustStore,
                                                              tmp_path: Path) -> None:
    import base64

    from hullcheck.trust.notation_certs import parse_chain, parse_der_chain

    bad = _version_4(store)
    with pytest.raises(ValueError, match=r"x5c\[0\] is not a base64 DER certificate"):
        parse_chain([base64.b64encode(bad).decode()])
    with pytest.raises(ValueError, match=r"x5chain\[0\] is not a DER certificate"):
        parse_der_chain([bad])
    (tmp_path / "v4.crt").write_bytes(bad)
    with pytest.raises(TrustStoreError, match="not a certificate"):
        load_trust_store([tmp_path / "v4.crt"])
