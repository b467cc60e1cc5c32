"""Notation signatures in a real registry (Debian's docker-registry on 127.0.0.1, which lacks the
referrers API: signatures are found through the referrers tag schema ``sha256-<hex>``, as Notation
itself falls back to), judged by ``hullcheck image`` and ``hullcheck scan --verify-signatures``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from image_builders import BUNDLE_TYPE, bundle_referrer, sigstore_bundle
from image_live import Registry
from notation_builders import (
    DAY,
    NOW,
    SIGNATURE_ARTIFACT,
    CoseEnvelope,
    Envelope,
    make_cert,
    make_pki,
    referrers_index,
    sha,
    signature_manifest,
)
from test_image_files import run
from test_image_registry import OTHER, SIGNER, push_image, sign_classic

from hullcheck.cli import main
from hullcheck.config import Config, TrustPolicy, TrustRoots

pytestmark = pytest.mark.live

PKI = make_pki("acme")
EVIL = make_pki("evil")


def attach(reg: Registry, repo: str, digest: str, size: int, envelopes: list[bytes],
           *, media_type: str = "application/jose+json", cosign: list[bytes] = ()) -> None:
    """Push Notation signature manifests (and cosign bundles) and the referrers tag index."""
    entries: list[tuple[bytes, str]] = []
    for envelope in envelopes:
        manifest, blobs = signature_manifest(envelope, digest, size, PKI.chain, media_type)
        reg.push(repo, sha(manifest), manifest, blobs)
        entries.append((manifest, SIGNATURE_ARTIFACT))
    for bundle in cosign:
        manifest, blobs = bundle_referrer(bundle, digest, size)
        reg.push(repo, sha(manifest), manifest, blobs)
        entries.append((manifest, BUNDLE_TYPE))
    reg.put_manifest(repo, digest.replace(":", "-"), referrers_index(entries),
                     "application/vnd.oci.image.index.v1+json")


def good(d: str) -> bytes:
    return Envelope(d, chain=PKI.chain).build()


CASES: dict[str, tuple[str, Callable[[str], list[bytes]]]] = {
    "good": ("signed", lambda d: [good(d)]),
    "none": ("no-signature", lambda d: []),
    "untrusted": ("untrusted-certificate", lambda d: [Envelope(d, chain=EVIL.chain).build()]),
    "tampered": ("tampered-payload",
                 lambda d: [Envelope(d, chain=PKI.chain, tamper_payload=True).build()]),
    "other-digest": ("other-digest", lambda d: [good("sha256:" + "ab" * 32)]),
    "expired": ("expired", lambda d: [Envelope(d, chain=PKI.chain, expiry=NOW - DAY).build()]),
    "expired-leaf": ("invalid-certificate", lambda d: [Envelope(d, chain=[
        make_cert("old signer", issuer=PKI.intermediate, not_after=NOW - DAY),
        PKI.intermediate, PKI.root]).build()]),
    "unknown-crit": ("invalid-envelope", lambda d: [Envelope(
        d, chain=PKI.chain, extra_protected={"io.example.x": 1},
        extra_crit=["io.example.x"]).build()]),
    "bad-then-good": ("signed", lambda d: [Envelope(d, chain=EVIL.chain).build(), good(d)]),
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return PKI.root.write(tmp_path_factory.mktemp("notation") / "acme-root.pem")


def image_verdict(reg: Registry, repo: str, config: Config | None = None,
                  *extra: str) -> tuple[str, str, list[str]]:
    """(code, message, IMG017 messages) from `hullcheck image`."""
    report = run([f"{reg.host}/{repo}:1", "--remote", "--insecure-registry", reg.host, *extra],
                 config)
    assert not report.errors, report.errors
    found = [f for f in report.findings if f.rule == "IMG017"]
    for f in found:
        assert f.severity.label == "high" and f.references == ("cis-docker-1.6:4.12",)
    if not found:
        return "signed", "", []
    code, _, message = found[0].message.partition(": ")
    return code, message, [f.message for f in found]


@pytest.mark.parametrize("case", sorted(CASES))
def test_notation_verdicts_from_config(case: str, registry: Registry, root: Path) -> None:
    expected, envelopes = CASES[case]
    repo = f"notation/{case}"
    digest, size = push_image(registry, repo, "1")
    blobs = envelopes(digest)
    if blobs:
        attach(registry, repo, digest, size, blobs)
    config = Config(trust=TrustPolicy(notation=[TrustRoots(f"{registry.host}/notation/**",
                                                           [root])]))
    code, message, _ = image_verdict(registry, repo, config)
    assert code == expected, message
    if expected == "no-signature":
        assert "no Notation signature" in message and "cosign" not in message


def test_notation_root_flag(registry: Registry, root: Path) -> None:
    repo = "notation/flag"
    digest, size = push_image(registry, repo, "1")
    attach(registry, repo, digest, size, [good(digest)])
    assert image_verdict(registry, repo, None)[0] == "signed"  # no policy: nothing verified
    assert image_verdict(registry, repo, None, "--notation-root", str(root))[0] == "signed"
    other = EVIL.root.write(root.parent / "evil-root.pem")
    code, message, _ = image_verdict(registry, repo, None, "--notation-root", str(other))
    assert code == "untrusted-certificate" and "evil-root.pem" in message



COSE = "application/cose"
COSE_CASES: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "good": ("signed", lambda d: CoseEnvelope(d, chain=PKI.chain).build()),
    "untrusted": ("untrusted-certificate", lambda d: CoseEnvelope(d, chain=EVIL.chain).build()),
    "tampered": ("tampered-payload",
                 lambda d: CoseEnvelope(d, chain=PKI.chain, tamper_payload=True).build()),
    "expired": ("expired",
                lambda d: CoseEnvelope(d, chain=PKI.chain, expiry=NOW - DAY).build()),
    "other-digest": ("other-digest",
                     lambda d: CoseEnvelope("sha256:" + "ab" * 32, chain=PKI.chain).build()),
    "garbage": ("invalid-envelope", lambda d: b"\xd2\x84\x40\xa0\x40\x40"),
}


@pytest.mark.parametrize("case", sorted(COSE_CASES))
def test_cose_signatures_through_the_referrers_tag(case: str, registry: Registry,
                                                   root: Path) -> None:
    expected, envelope = COSE_CASES[case]
    repo = f"notation-cose/{case}"
    digest, size = push_image(registry, repo, "1")
    attach(registry, repo, digest, size, [envelope(digest)], media_type=COSE)
    code, message, _ = image_verdict(registry, repo, None, "--notation-root", str(root))
    assert code == expected, message
    if case == "garbage":
        assert "COSE" in message


SIGNER_ID = "x509.subject: C=US, ST=WA, O=acme, CN=acme signer"
OTHER_ID = "x509.subject: C=US, ST=WA, O=acme, CN=release bot"


def test_trusted_identities(registry: Registry, root: Path) -> None:
    repo = "notation/identity"
    digest, size = push_image(registry, repo, "1")
    attach(registry, repo, digest, size, [good(digest)])
    cose_repo = "notation/identity-cose"
    cose_digest, cose_size = push_image(registry, cose_repo, "1")
    attach(registry, cose_repo, cose_digest, cose_size,
           [CoseEnvelope(cose_digest, chain=PKI.chain).build()], media_type=COSE)

    def with_identities(*identities: str) -> Config:
        return Config(trust=TrustPolicy(notation=[TrustRoots(
            f"{registry.host}/notation/**", [root], list(identities))]))

    for r in (repo, cose_repo):
        assert image_verdict(registry, r, with_identities(SIGNER_ID))[0] == "signed"
        assert image_verdict(registry, r, with_identities("*"))[0] == "signed"
        code, message, _ = image_verdict(registry, r, with_identities(OTHER_ID))
        assert code == "untrusted-identity", message
        assert "signed by CN=acme signer,O=acme,ST=WA,C=US" in message
        # the command line's identities for its own trust store
        flags = ["--notation-root", str(root), "--notation-identity"]
        assert image_verdict(registry, r, None, *flags, SIGNER_ID)[0] == "signed"
        assert image_verdict(registry, r, None, *flags, OTHER_ID)[0] == "untrusted-identity"
    # two entries: a wrong identity in one, the right one in the other: satisfied
    both = Config(trust=TrustPolicy(notation=[
        TrustRoots(None, [root], [OTHER_ID]), TrustRoots(None, [root], [SIGNER_ID])]))
    assert image_verdict(registry, repo, both)[0] == "signed"


def test_cosign_or_notation_either_satisfies(registry: Registry, root: Path,
                                             tmp_path: Path) -> None:
    key = SIGNER.write_public(tmp_path / "cosign.pub")
    both = ["--notation-root", str(root), "--key", str(key)]
    # a good Notation signature next to a cosign signature by another key: satisfied
    repo = "mixed/notation-good"
    digest, size = push_image(registry, repo, "1")
    sign_classic(registry, repo, digest, signer=OTHER)
    attach(registry, repo, digest, size, [good(digest)])
    assert image_verdict(registry, repo, None, *both)[0] == "signed"
    # a good cosign bundle next to an untrusted Notation signature: satisfied
    repo = "mixed/cosign-good"
    digest, size = push_image(registry, repo, "1")
    attach(registry, repo, digest, size, [Envelope(digest, chain=EVIL.chain).build()],
           cosign=[sigstore_bundle(SIGNER, digest)])
    assert image_verdict(registry, repo, None, *both)[0] == "signed"
    # both fail: the most telling failure is reported
    repo = "mixed/both-bad"
    digest, size = push_image(registry, repo, "1")
    attach(registry, repo, digest, size, [Envelope(digest, chain=EVIL.chain).build()],
           cosign=[sigstore_bundle(OTHER, digest)])
    code, message, _ = image_verdict(registry, repo, None, *both)
    assert code == "untrusted-certificate", message
    # nothing at all: both kinds are named as missing
    repo = "mixed/none"
    push_image(registry, repo, "1")
    code, message, _ = image_verdict(registry, repo, None, *both)
    assert code == "no-signature"
    assert "no cosign signature" in message and "no Notation signature" in message


def test_scan_verify_signatures_with_notation(registry: Registry, root: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    host = registry.host
    for repo, envelope in (("scan/good", good), ("scan/evil",
                           lambda d: Envelope(d, chain=EVIL.chain).build())):
        digest, size = push_image(registry, repo, "1")
        attach(registry, repo, digest, size, [envelope(digest)])
    digest, size = push_image(registry, "scan/cose", "1")
    attach(registry, "scan/cose", digest, size,
           [CoseEnvelope(digest, chain=PKI.chain).build()], media_type="application/cose")
    push_image(registry, "scan/unsigned", "1")
    (tmp_path / "Dockerfile").write_text(
        f"FROM {host}/scan/good:1 AS a\nFROM {host}/scan/unsigned:1\nUSER 1\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n"
        f"  - name: a\n    image: {host}/scan/evil:1\n  - name: b\n    image: {host}/scan/good:1\n"
        f"  - name: c\n    image: {host}/scan/cose:1\n")
    (tmp_path / ".hullcheck.yaml").write_text(
        f"trust:\n  notation:\n    - images: {host}/scan/**\n      trust-store: {root}\n")

    def scan(*args: str) -> list[tuple[str, str, int]]:
        code = main(["scan", str(tmp_path / "Dockerfile"), str(tmp_path / "pod.yaml"),
                     "--format", "json", "--select", "IMG017", *args])
        doc = json.loads(capsys.readouterr().out)
        assert code in (0, 1) and not doc["errors"], doc["errors"]
        return sorted((f["rule"], f["message"].split(": ")[1], f["location"]["line"])
                      for f in doc["findings"])

    expected = [("IMG017", "no-signature", 2), ("IMG017", "untrusted-certificate", 7)]
    flags = ["--verify-signatures", "--insecure-registry", host]
    assert scan(*flags, "--notation-root", str(root)) == expected
    assert scan(*flags, "--config", str(tmp_path / ".hullcheck.yaml")) == expected
    assert scan("--notation-root", str(root)) == []  # nothing verified without the flag
    # a trusted identity nobody signs as: every signed image fails on identity, lines 1, 9, 11
    other = "x509.subject: C=US, ST=WA, O=acme, CN=release bot"
    assert scan(*flags, "--notation-root", str(root), "--notation-identity", other) == sorted([
        ("IMG017", "untrusted-identity", 1), ("IMG017", "no-signature", 2),
        ("IMG017", "untrusted-certificate", 7), ("IMG017", "untrusted-identity", 9),
        ("IMG017", "untrusted-identity", 11)])
