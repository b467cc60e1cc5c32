"""Images read from files under a signature policy: a ``docker save`` archive keeps no signature
(a finding, exit 1, as ``cosign verify --local-image`` fails), an OCI layout is verified against
the signatures stored in it (the layout ``cosign save`` writes, ``sha256-<hex>.sig``/``.att``
names, OCI 1.1 referrers), and a key that cannot be read is a usage error (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from image_builders import (
    SLSA1,
    Signer,
    bundle_referrer,
    classic_attestation,
    classic_signature,
    dsse_envelope,
    image_blobs,
    referrers_index,
    sha,
    sigstore_bundle,
    simple_signing_payload,
    write_docker_save,
    write_oci_layout,
)
from test_image_files import BASE, CONFIG, HISTORY

from hullcheck.cli import main

SIGNER = Signer()
OTHER = Signer()
KIND = "kind"
SIGS = "dev.cosignproject.cosign/sigs"
ATTS = "dev.cosignproject.cosign/atts"
IMAGE = "dev.cosignproject.cosign/image"
REF_NAME = "org.opencontainers.image.ref.name"


def add_entry(root: Path, manifest: bytes, blobs: dict[str, bytes],
              annotations: dict[str, str] | None = None,
              media_type: str = "application/vnd.oci.image.manifest.v1+json") -> str:
    """Store ``manifest`` and its blobs in the layout and list it in ``index.json``."""
    for digest, data in {**blobs, sha(manifest): manifest}.items():
        (root / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
    index = json.loads((root / "index.json").read_text())
    desc: dict[str, Any] = {"mediaType": media_type, "digest": sha(manifest),
                            "size": len(manifest)}
    if annotations:
        desc["annotations"] = annotations
    index["manifests"].append(desc)
    (root / "index.json").write_text(json.dumps(index))
    return sha(manifest)


def layout(tmp_path: Path, name: str | None = None, annotations: dict[str, str] | None = None
           ) -> tuple[Path, str, int]:
    """An OCI layout holding one image, as ``cosign save`` writes it (``kind`` annotation)."""
    manifest, _cfg, blobs = image_blobs([BASE], CONFIG, HISTORY[:1])
    root = write_oci_layout(tmp_path / "oci", manifest, blobs, name=name)
    index = json.loads((root / "index.json").read_text())
    index["manifests"][0].setdefault("annotations", {}).update(
        annotations if annotations is not None else {KIND: IMAGE})
    (root / "index.json").write_text(json.dumps(index))
    return root, sha(manifest), len(manifest)


def sign_into(root: Path, digest: str, signer: Signer = SIGNER,
              annotations: dict[str, str] | None = None, signed_digest: str | None = None
              ) -> None:
    payload = simple_signing_payload("registry.example/app", signed_digest or digest)
    manifest, blobs = classic_signature(payload, signer.sign(payload))
    add_entry(root, manifest, blobs, annotations if annotations is not None else {KIND: SIGS})


def image_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["image", *args, "--format", "json", "--select", "IMG017,IMG019"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


def verdicts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["message"].split(": ")[0]) for f in doc["findings"])


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return SIGNER.write_public(tmp_path / "cosign.pub")


# --- docker save archives ---------------------------------------------------------------------

def test_archive_under_a_key_is_a_finding_not_a_skip(tmp_path: Path, key: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    archive = write_docker_save(tmp_path / "img.tar", [BASE], CONFIG, HISTORY[:1])
    code, doc, _ = image_json(capsys, str(archive), "--key", str(key))
    assert code == 1
    assert doc["skipped"] == []
    [finding] = doc["findings"]
    assert finding["rule"] == "IMG017" and finding["references"] == ["cis-docker-1.6:4.12"]
    assert finding["message"].startswith("no-signature: t/app:1: a docker save archive keeps"
                                         " no signature")
    # without a policy, nothing is required and nothing is reported
    code, doc, _ = image_json(capsys, str(archive))
    assert code == 0 and doc["findings"] == []


def test_archive_tag_selects_config_keys(tmp_path: Path, key: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The archive's own tag (RepoTags) is what the config's image patterns match."""
    archive = write_docker_save(tmp_path / "img.tar", [BASE], CONFIG, HISTORY[:1],
                                tag="ghcr.io/acme/app:1")
    config = tmp_path / "c.yaml"
    config.write_text(f"trust:\n  keys:\n    - images: ghcr.io/acme/**\n      key: {key}\n")
    code, doc, _ = image_json(capsys, str(archive), "--config", str(config))
    assert code == 1 and verdicts(doc) == [("IMG017", "no-signature")]
    config.write_text(f"trust:\n  keys:\n    - images: ghcr.io/other/**\n      key: {key}\n")
    code, doc, _ = image_json(capsys, str(archive), "--config", str(config))
    assert code == 0 and doc["findings"] == []


@pytest.mark.parametrize("content", [b"garbage", b"", None, b"x" * (70 << 10)],
                         ids=["garbage", "empty", "missing", "oversized"])
@pytest.mark.parametrize("command", ["image", "scan"])
def test_unreadable_key_is_a_usage_error(tmp_path: Path, content: bytes | None, command: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    archive = write_docker_save(tmp_path / "img.tar", [BASE], CONFIG, HISTORY[:1])
    bad = tmp_path / "bad.pub"
    if content is not None:
        bad.write_bytes(content)
    target = str(archive) if command == "image" else str(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM alpine:3\nUSER 1\n")
    with pytest.raises(SystemExit) as exc:
        main([command, target, "--key", str(bad)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [ln for ln in err.splitlines() if "--key" in ln and str(bad) in ln]
    assert ("not a PEM public key" in line or "no such file" in line), line


def test_unreadable_config_key_is_a_config_error(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    archive = write_docker_save(tmp_path / "img.tar", [BASE], CONFIG, HISTORY[:1])
    (tmp_path / "bad.pub").write_text(
        "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")
    config = tmp_path / "c.yaml"
    config.write_text("trust:\n  keys:\n    - key: bad.pub\n")
    code = main(["image", str(archive), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{config}: trust.keys[0].key: {tmp_path / 'bad.pub'}: not a PEM public key" in err


# --- OCI layouts: the signatures stored in them -------------------------------------------------

def test_cosign_save_layout_signed(tmp_path: Path, key: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    root, digest, _ = layout(tmp_path)
    sign_into(root, digest)
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 0 and doc["findings"] == [] and doc["errors"] == []
    # the signature manifest is not scanned as a second image
    code = main(["image", str(root), "--key", str(key), "--format", "json"])
    images = {f["location"]["image"]["digest"]
              for f in json.loads(capsys.readouterr().out)["findings"] if "image" in f["location"]}
    assert images == {digest}


@pytest.mark.parametrize(("case", "expected"), [
    ("unsigned", "no-signature"),
    ("other-key", "invalid-signature"),
    ("other-digest", "other-digest"),
])
def test_cosign_save_layout_failures(case: str, expected: str, tmp_path: Path, key: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root, digest, _ = layout(tmp_path)
    if case == "other-key":
        sign_into(root, digest, signer=OTHER)
    elif case == "other-digest":
        sign_into(root, digest, signed_digest="sha256:" + "ab" * 32)
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 1
    assert verdicts(doc) == [("IMG017", expected)]
    assert digest in doc["findings"][0]["message"]


def test_layout_with_sig_ref_name_and_full_reference(tmp_path: Path, key: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """A layout copied by tag (skopeo/oras): the .sig tag as a ref.name, bare or as a full
    reference; the image's ref.name selects the config's keys."""
    root, digest, _ = layout(tmp_path, name="ghcr.io/acme/app:1", annotations={})
    tag = digest.replace(":", "-") + ".sig"
    sign_into(root, digest, annotations={REF_NAME: f"ghcr.io/acme/app:{tag}"})
    config = tmp_path / "c.yaml"
    config.write_text(f"trust:\n  keys:\n    - images: ghcr.io/acme/**\n      key: {key}\n")
    code, doc, _ = image_json(capsys, str(root), "--config", str(config))
    assert code == 0 and doc["findings"] == [], doc
    other_root, other_digest, _ = layout(tmp_path / "b", name="1.0", annotations={})
    sign_into(other_root, other_digest, annotations={REF_NAME: tag.replace(
        digest.split(":")[1], other_digest.split(":")[1])}, signer=OTHER)
    # a bare tag names no repository: only the command line's keys apply to it
    code, doc, _ = image_json(capsys, str(other_root), "--config", str(config))
    assert code == 0 and doc["findings"] == []
    code, doc, _ = image_json(capsys, str(other_root), "--key", str(key))
    assert code == 1 and verdicts(doc) == [("IMG017", "invalid-signature")]


def test_layout_with_oci_referrers(tmp_path: Path, key: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """OCI 1.1 referrers stored in the layout: listed in index.json (their subject is the
    image), or through a referrers index named sha256-<hex>."""
    root, digest, size = layout(tmp_path)
    attestation, blobs = bundle_referrer(sigstore_bundle(SIGNER, digest, predicate_type=SLSA1),
                                         digest, size, predicate_type=SLSA1)
    add_entry(root, attestation, blobs)
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 1 and verdicts(doc) == [("IMG017", "no-signature")]
    assert "found an attestation (predicate type 'https://slsa.dev/provenance/v1')" in (
        doc["findings"][0]["message"])
    signature, blobs = bundle_referrer(sigstore_bundle(SIGNER, digest), digest, size)
    for data in {**blobs, sha(signature): signature}.items():
        (root / "blobs" / "sha256" / data[0].split(":")[1]).write_bytes(data[1])
    add_entry(root, referrers_index([signature]), {}, {REF_NAME: digest.replace(":", "-")},
              media_type="application/vnd.oci.image.index.v1+json")
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 0 and doc["findings"] == [], doc


def test_layout_attestations(tmp_path: Path, key: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """cosign save's .att image (kind atts) satisfies trust.attestations; the SLSA statement is
    not taken for the signature, nor the signature for the attestation."""
    root, digest, _ = layout(tmp_path, name="ghcr.io/acme/app:1")
    config = tmp_path / "c.yaml"
    config.write_text(
        f"trust:\n  keys:\n    - key: {key}\n"
        f"  attestations:\n    - images: ghcr.io/acme/**\n      predicate-types: [{SLSA1}]\n")
    code, doc, _ = image_json(capsys, str(root), "--config", str(config))
    assert code == 1
    assert verdicts(doc) == [("IMG017", "no-signature"), ("IMG019", SLSA1)]
    assert "no-attestation: " in doc["findings"][1]["message"]
    manifest, blobs = classic_attestation([dsse_envelope(SIGNER, digest, predicate_type=SLSA1)])
    add_entry(root, manifest, blobs, {KIND: ATTS})
    code, doc, _ = image_json(capsys, str(root), "--config", str(config))
    assert code == 1 and verdicts(doc) == [("IMG017", "no-signature")]
    sign_into(root, digest)
    code, doc, _ = image_json(capsys, str(root), "--config", str(config))
    assert code == 0 and doc["findings"] == []


@pytest.mark.parametrize(("case", "code"), [
    ("other-key", "invalid-signature"),
    ("other-digest", "other-digest"),
    ("tampered", "invalid-signature"),
])
def test_layout_attestation_failures(case: str, code: str, tmp_path: Path, key: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    root, digest, _ = layout(tmp_path)
    sign_into(root, digest)
    envelope = dsse_envelope(OTHER if case == "other-key" else SIGNER,
                             "sha256:" + "cd" * 32 if case == "other-digest" else digest,
                             predicate_type=SLSA1, tamper=case == "tampered")
    manifest, blobs = classic_attestation([envelope])
    add_entry(root, manifest, blobs, {KIND: ATTS})
    config = tmp_path / "c.yaml"
    config.write_text(f"trust:\n  attestations:\n    - predicate-types: [{SLSA1}]\n")
    got, doc, _ = image_json(capsys, str(root), "--key", str(key), "--config", str(config))
    assert got == 1 and verdicts(doc) == [("IMG019", SLSA1)]
    assert doc["findings"][0]["message"].startswith(f"{SLSA1}: {code}: {digest}: ")
    assert doc["findings"][0]["message"].count(SLSA1) == 1


def test_attestation_required_without_any_key(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root, _digest, _ = layout(tmp_path, name="ghcr.io/acme/app:1")
    config = tmp_path / "c.yaml"
    config.write_text(f"trust:\n  attestations:\n    - predicate-types: [{SLSA1}]\n")
    code, doc, _ = image_json(capsys, str(root), "--config", str(config))
    assert code == 1 and verdicts(doc) == [("IMG019", SLSA1)]
    assert doc["findings"][0]["message"] == (
        f"{SLSA1}: unverifiable: an attestation is required but no cosign key or keyless"
        " identity applies to this image to verify it (--key, --certificate-identity,"
        " trust.keys or trust.keyless)")


def test_layout_of_signatures_only_is_one_error(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root, digest, _ = layout(tmp_path)
    index = json.loads((root / "index.json").read_text())
    index["manifests"] = []
    (root / "index.json").write_text(json.dumps(index))
    sign_into(root, digest)
    code = main(["image", str(root)])
    err = capsys.readouterr().err
    assert code == 2 and "the layout holds no image (only signatures or other artifacts)" in err


# --- trust.attestations in the configuration --------------------------------------------------

def test_attestations_config_selects_by_image() -> None:
    from hullcheck.config import from_mapping
    from hullcheck.references import parse_reference

    cfg = from_mapping({"trust": {"attestations": [
        {"images": "ghcr.io/acme/**", "predicate-types": [SLSA1, "https://spdx.dev/Document"]},
        {"predicate-types": SLSA1},
    ]}}, "c.yaml", Path("."))
    assert cfg.trust.attestations_for(parse_reference("ghcr.io/acme/app:1")) == [
        SLSA1, "https://spdx.dev/Document"]
    assert cfg.trust.attestations_for(parse_reference("nginx")) == [SLSA1]
    assert cfg.trust.attestations_for(None) == [SLSA1]  # an image without a name


@pytest.mark.parametrize(("entry", "message"), [
    ({"images": "x/**", "predicate-types": [SLSA1], "key": "k.pub"},
     "c.yaml: trust.attestations[0]: unknown setting(s): key"),
    ({"images": "x/**", "types": [SLSA1]},
     "c.yaml: trust.attestations[0] needs 'predicate-types' (and optional 'images')"),
    ({"predicate-types": []}, "c.yaml: trust.attestations[0].predicate-types names no"),
    ({"predicate-types": ["slsaprovenance"]},
     "c.yaml: trust.attestations[0].predicate-types: 'slsaprovenance' is not a predicate type"
     " URI"),
    ({"predicate-types": [1]}, "c.yaml: trust.attestations[0].predicate-types: expected a"),
    ("https://slsa.dev/provenance/v1", "c.yaml: trust.attestations[0] needs 'predicate-types'"),
])
def test_bad_attestations_config_is_one_clear_error(entry: object, message: str) -> None:
    from hullcheck.config import ConfigError, from_mapping

    with pytest.raises(ConfigError) as exc:
        from_mapping({"trust": {"attestations": [entry]}}, "c.yaml", Path("."))
    assert str(exc.value).startswith(message), str(exc.value)


def test_unknown_attestations_key_exits_2(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3\nUSER 1\n")
    config = tmp_path / "c.yaml"
    config.write_text(f"trust:\n  attestations:\n    - predicate-types: [{SLSA1}]\n"
                      "      required: true\n")
    for command in (["scan", str(tmp_path / "Dockerfile")], ["image", str(tmp_path)]):
        code = main([*command, "--config", str(config)])
        err = capsys.readouterr().err
        assert code == 2, command
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "trust.attestations[0]: unknown setting(s): required" in err


# --- hostile layouts: one line, bounded, never a pass -------------------------------------------

def test_layout_signature_blob_missing_or_altered(tmp_path: Path, key: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root, digest, _ = layout(tmp_path)
    sign_into(root, digest)
    sig_entry = json.loads((root / "index.json").read_text())["manifests"][1]["digest"]
    manifest = json.loads((root / "blobs" / "sha256" / sig_entry.split(":")[1]).read_bytes())
    payload = root / "blobs" / "sha256" / manifest["layers"][0]["digest"].split(":")[1]
    payload.write_bytes(payload.read_bytes().replace(b"registry.example", b"registry.exampl3"))
    code, doc, err = image_json(capsys, str(root), "--key", str(key))
    assert code == 1 and "Traceback" not in err
    [message] = [f["message"] for f in doc["findings"]]
    assert message == (f"unverifiable: signature not verified: {root}: blob"
                       f" {manifest['layers'][0]['digest']} does not match its digest")
    payload.unlink()
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 1 and doc["findings"][0]["message"].endswith("is missing from the layout")


def test_layout_referrers_are_looked_for_in_bounded_entries(
        tmp_path: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """index.json entries are read for referrers up to MAX_INDEX_ENTRIES; past them, nothing is
    found (no-signature), and each entry is read once for all the layout's images."""
    from hullcheck.trust.oci_layout import MAX_INDEX_ENTRIES

    root, digest, size = layout(tmp_path)
    for i in range(MAX_INDEX_ENTRIES):  # other artifacts (an SBOM each, say): not images
        other = json.dumps({"schemaVersion": 2, "artifactType": "application/vnd.example",
                            "layers": [], "annotations": {"n": str(i)}}).encode()
        add_entry(root, other, {})
    signature, blobs = bundle_referrer(sigstore_bundle(SIGNER, digest), digest, size)
    add_entry(root, signature, blobs)
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 1 and verdicts(doc) == [("IMG017", "no-signature")]
    index = json.loads((root / "index.json").read_text())
    index["manifests"].insert(1, index["manifests"].pop())  # the referrer among the first
    (root / "index.json").write_text(json.dumps(index))
    code, doc, _ = image_json(capsys, str(root), "--key", str(key))
    assert code == 0 and doc["findings"] == []


def test_notation_signature_in_a_layout(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from notation_builders import CoseEnvelope, make_pki, signature_manifest

    pki = make_pki("layout")
    root, digest, size = layout(tmp_path)
    store = pki.root.write(tmp_path / "root.pem")
    code, doc, _ = image_json(capsys, str(root), "--notation-root", str(store))
    assert code == 1 and verdicts(doc) == [("IMG017", "no-signature")]
    manifest, blobs = signature_manifest(CoseEnvelope(digest, chain=pki.chain).build(), digest,
                                         size, pki.chain, "application/cose")
    add_entry(root, manifest, blobs)
    code, doc, _ = image_json(capsys, str(root), "--notation-root", str(store))
    assert code == 0 and doc["findings"] == []
