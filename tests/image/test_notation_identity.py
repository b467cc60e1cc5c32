"""Trusted identities (the trust policy's trustedIdentities): syntax, matching rules, the verdict
`untrusted-identity`, the `identities` config key and the `--notation-identity` flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from notation_builders import CoseEnvelope, Envelope, make_cert, make_pki

from hullcheck.config import ConfigError, TrustPolicy, TrustRoots, from_mapping
from hullcheck.references import parse_reference
from hullcheck.trust import notation
from hullcheck.trust.notation_certs import TrustStore
from hullcheck.trust.notation_identity import (
    IdentityError,
    matches,
    parse_identities,
    parse_identity,
)
from hullcheck.trust.policy import notation_scopes

DIGEST = "sha256:" + "ab" * 32
PKI = make_pki()  # leaf subject: C=US, ST=WA, O=acme, CN=acme signer
OTHER = make_pki("evil")
SIGNER = "x509.subject: C=US, ST=WA, O=acme, CN=acme signer"


# --- syntax ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "attrs"),
    [
        (SIGNER, {"C": "US", "ST": "WA", "O": "acme", "CN": "acme signer"}),
        ("x509.subject:C=US,ST=WA,O=acme", {"C": "US", "ST": "WA", "O": "acme"}),
        ("  x509.subject:  c=US ; st=WA ; o=acme  ", {"C": "US", "ST": "WA", "O": "acme"}),
        (r"x509.subject: C=US, ST=WA, O=acme\, inc., OU=a\;b\\c",
         {"C": "US", "ST": "WA", "O": "acme, inc.", "OU": "a;b\\c"}),
        (r"x509.subject: C=US, ST=WA, O=\ acme\ ", {"C": "US", "ST": "WA", "O": " acme "}),
        ("x509.subject: C=US, ST=WA, 2.5.4.10=acme, 2.5.4.97=VATUS-1",
         {"C": "US", "ST": "WA", "O": "acme", "2.5.4.97": "VATUS-1"}),
        (r"x509.subject: C=US, ST=WA, O=\61cme", {"C": "US", "ST": "WA", "O": "acme"}),
    ],
    ids=["full", "no-spaces", "case-and-semicolons", "escapes", "escaped-spaces", "oids", "hex"],
)
def test_identity_syntax(text: str, attrs: dict[str, str]) -> None:
    assert dict(parse_identity(text) or ()) == attrs


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("C=US, ST=WA, O=acme", "must be '*' or start with 'x509.subject:'"),
        ("x509.subject:", "no RDN"),
        ("x509.subject: C=US, O=acme", "must name ST"),
        ("x509.subject: CN=acme", "must name C, ST, O"),
        ("x509.subject: C=US, ST=WA, O=acme, O=evil", "O appears more than once"),
        ("x509.subject: C=US, ST=WA, O=acme, CN=a+OU=b", "multi-valued RDN"),
        ("x509.subject: C=US, ST=WA, O=", "O has an empty value"),
        ("x509.subject: C=US, ST=WA, O=acme, FOO=bar", "unknown attribute type 'FOO'"),
        ("x509.subject: C=US, ST=WA, O acme", "is not TYPE=value"),
        ("x509.subject: C=US, ST=WA, O=acme\\", "lone backslash"),
        ("x509.subject: C=US, ST=WA, O=a\\q", "unknown escape"),
        ("**", "must be '*'"),
    ],
)
def test_malformed_identities(text: str, why: str) -> None:
    with pytest.raises(IdentityError) as exc:
        parse_identity(text)
    assert why in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize(
    ("items", "why"),
    [
        (["*", SIGNER], "'*' (any identity) must be the only trusted identity"),
        ([SIGNER, SIGNER], "overlap"),
        ([SIGNER, "x509.subject: C=US, ST=WA, O=acme"], "overlap"),
        (["x509.subject: C=US, ST=WA, O=acme, OU=a", "x509.subject: O=acme, ST=WA, C=US"],
         "overlap"),
    ],
    ids=["wildcard-and-more", "duplicate", "subset", "superset"],
)
def test_invalid_identity_lists(items: list[str], why: str) -> None:
    with pytest.raises(IdentityError, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse_identities(items)


def test_lists_that_are_fine() -> None:
    assert parse_identities([]) is None
    assert parse_identities(["*"]) is None
    two = parse_identities([SIGNER, "x509.subject: C=US, ST=WA, O=acme, CN=other"])
    assert two is not None and len(two) == 2


# --- matching ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("identities", "expected"),
    [
        ([SIGNER], True),
        (["x509.subject: C=US, ST=WA, O=acme"], True),
        (["x509.subject: o=acme, c=US, st=WA, cn=acme signer"], True),
        (["x509.subject: C=US, ST=WA, O=acme, CN=someone else"], False),
        (["x509.subject: C=US, ST=WA, O=acme, OU=builds"], False),  # the leaf has no OU
        (["x509.subject: C=US, ST=WA, O=ACME"], False),  # values compare exactly
        (["x509.subject: C=US, ST=WA, O=other", SIGNER], True),
        (["*"], True),
        ([], True),
    ],
    ids=["exact", "partial", "types-any-case", "other-cn", "missing-ou", "value-case",
         "second-of-two", "wildcard", "none"],
)
def test_matching(identities: list[str], expected: bool) -> None:
    assert matches(parse_identities(identities), PKI.leaf.cert) is expected


def test_a_subject_with_repeated_attributes_matches_only_the_wildcard() -> None:
    leaf = make_cert("x", issuer=PKI.intermediate, extra_subject=[
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "a"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "b")])
    assert not matches(parse_identities(["x509.subject: C=US, ST=WA, O=acme, OU=a"]), leaf.cert)
    assert matches(parse_identities(["*"]), leaf.cert)


# --- the verdict, for JWS and COSE alike -------------------------------------------------------

def store(pki: object = PKI, identities: list[str] | None = None,
          label: str = "root.pem") -> TrustStore:
    return TrustStore((label,), (pki.root.cert,), parse_identities(identities or ()))  # type: ignore[attr-defined]


def verdict(stores: TrustStore | list[TrustStore], pki: object = PKI,
            kind: str = "jws") -> notation.SignatureVerdict:
    chain = pki.chain  # type: ignore[attr-defined]
    if kind == "jws":
        return notation.verify_envelope(notation.JWS, Envelope(DIGEST, chain=chain).build(),
                                        stores, DIGEST)
    return notation.verify_envelope(notation.COSE, CoseEnvelope(DIGEST, chain=chain).build(),
                                    stores, DIGEST)


@pytest.mark.parametrize("kind", ["jws", "cose"])
def test_identity_match_and_mismatch(kind: str) -> None:
    assert verdict(store(identities=[SIGNER]), kind=kind).code == "signed"
    assert verdict(store(identities=["*"]), kind=kind).code == "signed"
    wrong = "x509.subject: C=US, ST=WA, O=acme, CN=release bot"
    v = verdict(store(identities=[wrong]), kind=kind)
    assert v.code == "untrusted-identity" and not v.ok
    assert "signed by CN=acme signer,O=acme,ST=WA,C=US" in v.message  # the signer's subject
    assert "chain is trusted" in v.message and "CN=release bot" in v.message
    assert "root.pem" in v.message


@pytest.mark.parametrize("kind", ["jws", "cose"])
def test_untrusted_chain_is_not_an_identity_question(kind: str) -> None:
    v = verdict(store(identities=[SIGNER]), pki=OTHER, kind=kind)
    assert v.code == "untrusted-certificate"


def test_multiple_entries() -> None:
    wrong = store(identities=["x509.subject: C=US, ST=WA, O=acme, CN=nobody"], label="a.pem")
    right = store(identities=[SIGNER], label="b.pem")
    evil = store(OTHER, label="evil.pem")
    # the first entry's store trusts the chain but not the signer; the second accepts both
    v = verdict([wrong, right])
    assert v.code == "signed", v.message
    # an entry whose store does not trust the chain does not count; the other's identity fails
    v = verdict([evil, wrong])
    assert v.code == "untrusted-identity" and "a.pem" in v.message
    assert verdict([evil]).code == "untrusted-certificate"
    assert verdict([evil, store()]).code == "signed"


def test_identity_verdict_ranks_above_untrusted_certificate() -> None:
    from hullcheck.trust.policy import summarise

    found = [notation.SignatureVerdict("untrusted-certificate", "a", "notation JWS"),
             notation.SignatureVerdict("untrusted-identity", "b", "notation COSE")]
    assert summarise(found, DIGEST, notation_wanted=True).code == "untrusted-identity"


# --- configuration and command line ------------------------------------------------------------

def test_config_identities(tmp_path: Path) -> None:
    PKI.root.write(tmp_path / "root.pem")
    cfg = from_mapping({"trust": {"notation": [
        {"images": "registry.example/acme/**", "trust-store": "root.pem",
         "identities": [SIGNER]},
        {"trust-store": "root.pem", "identities": "*"},
        {"trust-store": "root.pem"},
    ]}}, "cfg", tmp_path)
    entries = cfg.trust.notation_for(parse_reference("registry.example/acme/app:1"))
    assert [e.identities for e in entries] == [[SIGNER], ["*"], None]
    assert len(cfg.trust.notation_for(parse_reference("nginx"))) == 2


@pytest.mark.parametrize(
    ("identities", "why"),
    [
        (["x509.subject: C=US, O=acme"], "must name ST"),
        ([SIGNER, SIGNER], "overlap"),
        (["*", SIGNER], "must be the only trusted identity"),
        ([1], "expected a list of strings"),
        (["C=US"], "must be '*' or start with 'x509.subject:'"),
    ],
)
def test_config_identity_errors_are_one_line(identities: list, why: str, tmp_path: Path) -> None:
    PKI.root.write(tmp_path / "root.pem")
    with pytest.raises(ConfigError) as exc:
        from_mapping({"trust": {"notation": [
            {"trust-store": "root.pem", "identities": identities}]}}, "cfg.yaml", tmp_path)
    message = str(exc.value)
    assert why in message and "\n" not in message
    assert message.startswith("cfg.yaml: trust.notation[0].identities")


def test_command_line_scopes(tmp_path: Path) -> None:
    ref = parse_reference("registry.example/acme/app:1")
    policy = TrustPolicy(notation=[TrustRoots(None, [tmp_path / "cfg.pem"], [SIGNER])])
    flag = [tmp_path / "flag.pem"]
    other = "x509.subject: C=US, ST=WA, O=acme, CN=other"
    # --notation-identity restricts the --notation-root stores; the config keeps its own
    scopes = notation_scopes(policy, ref, flag, [other])
    assert [(s.trust_store, s.identities) for s in scopes] == [
        ([tmp_path / "cfg.pem"], [SIGNER]), (flag, [other])]
    # without --notation-root it replaces the config entries' identities for the run
    scopes = notation_scopes(policy, ref, [], [other])
    assert [(s.trust_store, s.identities) for s in scopes] == [([tmp_path / "cfg.pem"], [other])]
    assert notation_scopes(policy, ref, flag, [])[1].identities is None


@pytest.mark.parametrize("command", [["image", "x:1"], ["scan", "."]])
def test_cli_flag_rejects_a_malformed_identity(command: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from hullcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main([*command, "--notation-identity", "x509.subject: CN=me"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "must name C, ST, O" in err and "Traceback" not in err
