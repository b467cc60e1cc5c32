"""Attestations through a real registry (Debian's docker-registry on 127.0.0.1): a SLSA statement
signed by the trusted key is never the image's signature (IMG017), and satisfies a
``trust.attestations`` requirement (IMG019) only for its predicate type, its digest and a
trusted key; ``hullcheck image`` and ``hullcheck scan --verify-signatures`` agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from image_builders import (
    SLSA1,
    Signer,
    classic_attestation,
    dsse_envelope,
    sigstore_bundle,
)
from image_live import Registry
from test_image_registry import OTHER, SIGNER, attach_bundles, push_image, sign_classic

from hullcheck.cli import main

pytestmark = pytest.mark.live
SPDX = "https://spdx.dev/Document"


def attach_att(reg: Registry, repo: str, digest: str, envelopes: list[dict[str, Any]]) -> None:
    manifest, blobs = classic_attestation(envelopes)
    reg.push(repo, digest.replace(":", "-") + ".att", manifest, blobs)


def _config(tmp_path: Path, host: str, key: Path, types: list[str]) -> Path:
    config = tmp_path / ".hullcheck.yaml"
    config.write_text(
        f"trust:\n  keys:\n    - images: {host}/**\n      key: {key}\n"
        f"  attestations:\n    - images: {host}/att/**\n"
        f"      predicate-types: [{', '.join(types)}]\n")
    return config


def _image(capsys: pytest.CaptureFixture[str], ref: str, *args: str
           ) -> tuple[int, list[tuple[str, str]]]:
    code = main(["image", ref, "--remote", "--format", "json", "--select", "IMG017,IMG019",
                 *args])
    doc = json.loads(capsys.readouterr().out)
    assert not doc["errors"], doc["errors"]
    return code, sorted((f["rule"], f["message"]) for f in doc["findings"])


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return SIGNER.write_public(tmp_path / "cosign.pub")


def test_attestation_is_not_the_signature(registry: Registry, key: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's case: an in-toto statement the trusted key signed (here SLSA provenance) made
    `--key` verification pass."""
    digest, size = push_image(registry, "att/slsa-only", "1")
    attach_bundles(registry, "att/slsa-only", digest, size,
                   [sigstore_bundle(SIGNER, digest, predicate_type=SLSA1)])
    code, got = _image(capsys, f"{registry.host}/att/slsa-only:1", "--key", str(key),
                       "--insecure-registry", registry.host)
    assert code == 1
    assert [rule for rule, _ in got] == ["IMG017"]
    assert got[0][1].startswith(f"no-signature: {digest}: no cosign signature")
    assert f"found an attestation (predicate type '{SLSA1}'), not a signature" in got[0][1]


@pytest.mark.parametrize(("case", "expected"), [
    ("bundle", None),
    ("classic-att", None),
    ("none", "no-attestation"),
    ("other-type", "no-attestation"),
    ("other-key", "wrong-key"),
    ("other-digest", "other-digest"),
    ("tampered", "tampered-payload"),
])
def test_required_attestation(case: str, expected: str | None, registry: Registry, key: Path,
                              tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = f"att/{case}"
    digest, size = push_image(registry, repo, "1")
    sign_classic(registry, repo, digest)  # signed: only the attestation is judged here
    if case == "bundle":
        attach_bundles(registry, repo, digest, size,
                       [sigstore_bundle(SIGNER, digest, predicate_type=SLSA1)])
    elif case == "classic-att":
        attach_att(registry, repo, digest, [dsse_envelope(SIGNER, digest, predicate_type=SPDX),
                                            dsse_envelope(SIGNER, digest, predicate_type=SLSA1)])
    elif case == "other-type":
        attach_bundles(registry, repo, digest, size,
                       [sigstore_bundle(SIGNER, digest, predicate_type=SPDX)])
    elif case in ("other-key", "other-digest", "tampered"):
        signer: Signer = OTHER if case == "other-key" else SIGNER
        subject = "sha256:" + "ef" * 32 if case == "other-digest" else digest
        attach_bundles(registry, repo, digest, size, [sigstore_bundle(
            signer, subject, predicate_type=SLSA1, tamper=case == "tampered")])
    config = _config(tmp_path, registry.host, key, [SLSA1])
    code, got = _image(capsys, f"{registry.host}/{repo}:1", "--config", str(config),
                       "--insecure-registry", registry.host)
    if expected is None:
        assert (code, got) == (0, [])
        return
    assert code == 1 and [rule for rule, _ in got] == ["IMG019"], got
    assert got[0][1].startswith(f"{SLSA1}: {expected}: {digest}: ")


def test_each_required_type_is_a_finding(registry: Registry, key: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    digest, size = push_image(registry, "att/two", "1")
    sign_classic(registry, "att/two", digest)
    attach_bundles(registry, "att/two", digest, size,
                   [sigstore_bundle(SIGNER, digest, predicate_type=SLSA1)])
    config = _config(tmp_path, registry.host, key, [SLSA1, SPDX])
    code, got = _image(capsys, f"{registry.host}/att/two:1", "--config", str(config),
                       "--insecure-registry", registry.host)
    assert code == 1
    assert [(rule, message.split(": ")[:2]) for rule, message in got] == [
        ("IMG019", [SPDX, "no-attestation"])]


def test_scan_judges_attestations_of_referenced_images(
        registry: Registry, key: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    host = registry.host
    good, size = push_image(registry, "att/scan-good", "1")
    sign_classic(registry, "att/scan-good", good)
    attach_bundles(registry, "att/scan-good", good, size,
                   [sigstore_bundle(SIGNER, good, predicate_type=SLSA1)])
    bad, _ = push_image(registry, "att/scan-bad", "1")
    sign_classic(registry, "att/scan-bad", bad)
    unpolicied, _ = push_image(registry, "other/app", "1")  # no attestation required
    sign_classic(registry, "other/app", unpolicied)
    (tmp_path / "Dockerfile").write_text(
        f"FROM {host}/att/scan-good:1 AS a\nFROM {host}/other/app:1 AS b\n"
        f"FROM {host}/att/scan-bad:1\nUSER 1\n")
    config = _config(tmp_path, host, key, [SLSA1])
    code = main(["scan", str(tmp_path / "Dockerfile"), "--verify-signatures", "--config",
                 str(config), "--insecure-registry", host, "--format", "json",
                 "--select", "IMG017,IMG019"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 and not doc["errors"]
    got = sorted((f["rule"], f["location"]["line"], f["message"]) for f in doc["findings"])
    assert [(rule, line) for rule, line, _ in got] == [("IMG019", 3)]
    assert got[0][2].startswith(f"{host}/att/scan-bad:1: {SLSA1}: no-attestation: {bad}: ")
