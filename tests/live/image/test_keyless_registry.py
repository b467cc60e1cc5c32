"""Keyless signatures through a real registry (Debian's docker-registry on 127.0.0.1), with REAL
Sigstore vectors (tests/image/keyless-vectors).

A real keyless signature is bound to the digest of the image it was made for, and those images'
manifests are not part of the vectors: no registry image here can have that digest. So:

- the registry path (signature tag / referrers tag -> manifest -> blob -> verification) is run
  for the vectors' own digests through ``verify_signature(..., digest=...)``, as the image command
  does when it already knows the digest: the verdict is ``signed``;
- ``hullcheck image`` and ``hullcheck scan --verify-signatures`` run end to end on an image of
  ours with the real signature attached: the certificate, SCT, Rekor proof and identity verify and
  the verdict is the honest ``other-digest`` (or the identity/issuer mismatch when the flags or the
  config name another signer).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from image_builders import sha
from image_live import Registry
from test_image_registry import attach_bundles, push_image
from test_keyless import (
    BUNDLE_DIGEST,
    BUNDLE_ID,
    BUNDLE_TEXT,
    BUNDLE_TYPE,
    CLASSIC,
    CLASSIC_ID,
    GITHUB,
)

from hullcheck.cli import main
from hullcheck.references import parse_reference
from hullcheck.trust import policy as trust_policy
from hullcheck.trust.keyless_policy import KeylessIdentity
from hullcheck.trust.registry import RegistryOptions

pytestmark = pytest.mark.live


def attach_classic(reg: Registry, repo: str, digest: str) -> None:
    """The real classic signature manifest (payload + the four cosign annotations)."""
    payload = CLASSIC["payload"].encode()
    cfg = b"{}"
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg),
                   "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                    "digest": sha(payload), "size": len(payload),
                    "annotations": CLASSIC["annotations"]}],
    }).encode()
    reg.push(repo, digest.replace(":", "-") + ".sig", manifest, {sha(cfg): cfg,
                                                                 sha(payload): payload})


def _verify(reg: Registry, repo: str, digest: str,
            identities: list[KeylessIdentity]) -> trust_policy.TrustVerdict:
    return trust_policy.verify_signature(
        parse_reference(f"{reg.host}/{repo}"), [], RegistryOptions(insecure=frozenset({reg.host})),
        digest=digest, identities=identities)


def test_real_classic_signature_through_the_registry(registry: Registry) -> None:
    attach_classic(registry, "kl/real-classic", CLASSIC["digest"])
    verdict = _verify(registry, "kl/real-classic", CLASSIC["digest"], [CLASSIC_ID])
    assert verdict.ok, verdict.message
    assert "(keyless classic form)" in verdict.message
    wrong = KeylessIdentity(identity="https://github.com/acme/app/x.yml@refs/heads/main",
                            issuer=GITHUB)
    verdict = _verify(registry, "kl/real-classic", CLASSIC["digest"], [wrong])
    assert verdict.code == "identity-mismatch" and CLASSIC["identity"] in verdict.message


def test_real_bundle_through_the_referrers_tag(registry: Registry) -> None:
    """The real bundle is an attestation: it satisfies an attestation policy for its predicate
    type, never the signature policy."""
    digest = f"sha256:{BUNDLE_DIGEST}"
    attach_bundles(registry, "kl/real-bundle", digest, 1234, [BUNDLE_TEXT.encode()])

    def attest(identity: KeylessIdentity) -> list[trust_policy.TrustVerdict]:
        return trust_policy.verify_image(
            parse_reference(f"{registry.host}/kl/real-bundle"), [],
            RegistryOptions(insecure=frozenset({registry.host})), digest=digest,
            identities=[identity], predicates=[BUNDLE_TYPE])

    signature, attestation = attest(BUNDLE_ID)
    assert signature.code == "no-signature" and "not a signature" in signature.message
    assert attestation.ok and attestation.code == "attested", attestation.message
    assert attestation.attestation == BUNDLE_TYPE
    assert "(keyless attestation form)" in attestation.message
    google = KeylessIdentity(identity="cody@soyland.com", issuer="https://accounts.google.com")
    assert attest(google)[1].code == "issuer-mismatch"


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[tuple[str, str]]:
    code = main([*args, "--format", "json", "--select", "IMG017"])
    doc = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and not doc["errors"], doc["errors"]
    return sorted((f["rule"], f["message"]) for f in doc["findings"])


def test_image_and_scan_commands_with_flags_and_config(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry.host
    digest, _ = push_image(registry, "kl/app", "1")
    attach_classic(registry, "kl/app", digest)  # a real signature, made for another digest
    flags = ["--certificate-identity", CLASSIC["identity"], "--certificate-oidc-issuer", GITHUB]
    common = ["--insecure-registry", host]

    got = _findings(capsys, "image", f"{host}/kl/app:1", "--remote", *common, *flags)
    assert len(got) == 1 and "other-digest" in got[0][1], got
    assert CLASSIC["digest"] in got[0][1]

    wrong = ["--certificate-identity-regexp", "^https://github\\.com/acme/",
             "--certificate-oidc-issuer", GITHUB]
    got = _findings(capsys, "image", f"{host}/kl/app:1", "--remote", *common, *wrong)
    assert len(got) == 1 and "identity-mismatch" in got[0][1], got

    (tmp_path / "Dockerfile").write_text(f"FROM {host}/kl/app:1\nUSER 1\n")
    got = _findings(capsys, "scan", str(tmp_path / "Dockerfile"), "--verify-signatures",
                    *common, *flags)
    assert len(got) == 1 and "other-digest" in got[0][1], got

    config = tmp_path / ".hullcheck.yaml"
    config.write_text(
        "trust:\n  keyless:\n"
        f"    - images: {host}/kl/**\n"
        f"      identity: {CLASSIC['identity']}\n"
        "      issuer-regexp: ^https://accounts\\.google\\.com$\n")
    got = _findings(capsys, "scan", str(tmp_path / "Dockerfile"), "--verify-signatures",
                    "--config", str(config), *common)
    assert len(got) == 1 and "issuer-mismatch" in got[0][1], got
    got = _findings(capsys, "image", f"{host}/kl/app:1", "--remote", "--config", str(config),
                    *common)
    assert len(got) == 1 and "issuer-mismatch" in got[0][1], got


def test_keyless_policy_without_any_signature(registry: Registry,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    push_image(registry, "kl/unsigned", "1")
    got = _findings(capsys, "image", f"{registry.host}/kl/unsigned:1", "--remote",
                    "--insecure-registry", registry.host, "--certificate-identity", "a@b.c",
                    "--certificate-oidc-issuer", GITHUB)
    assert len(got) == 1 and "no-signature" in got[0][1], got
