"""Hostile signature material from a real registry (Debian's docker-registry on 127.0.0.1), end
to end through ``hullcheck image``: a keyless Sigstore bundle with a malformed certificate chain,
and a Notation COSE envelope over the 1 MiB envelope cap. Each ends in bounded time (asserted:
under 10 s, the first keyless run included) and memory (asserted: a traced peak under 64 MiB,
the bundle itself being up to 3 MiB) with one line of error in one IMG017 finding: never a
traceback, never a pass."""

from __future__ import annotations

import base64
import copy
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import cbor2
import pytest
from image_live import Registry
from notation_builders import (
    SIGNATURE_ARTIFACT,
    CoseEnvelope,
    make_pki,
    referrers_index,
    sha,
    signature_manifest,
)
from test_image_registry import attach_bundles, push_image
from test_keyless import BUNDLE, BUNDLE_ID

from hullcheck.cli import main
from hullcheck.trust.notation_registry import MAX_ENVELOPE
from hullcheck.trust.policy import MAX_SIGNATURE_BLOB

pytestmark = pytest.mark.live

MAX_SECONDS = 10.0
MAX_PEAK = 64 << 20
PKI = make_pki("hostile")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str, float,
                                                                    int]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        code = main(["image", *args, "--remote", "--format", "json", "--select", "IMG017"])
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert not doc["errors"], doc["errors"]
    return code, [f["message"] for f in doc["findings"]], err, elapsed, peak


def _bounded_single_failure(result: tuple[int, list[str], str, float, int]) -> str:
    code, messages, err, elapsed, peak = result
    assert "Traceback" not in err
    assert code == 1, messages  # a finding: never a pass
    [message] = messages
    assert "\n" not in message and len(message) < 1000, message
    assert elapsed < MAX_SECONDS, elapsed
    assert peak < MAX_PEAK, peak
    return message


# --- a keyless bundle with a malformed certificate chain ---------------------------------------

def _nested_der(depth: int) -> bytes:
    """A SEQUENCE nested ``depth`` deep: deeper than any certificate."""
    inner = b"\x05\x00"
    for _ in range(depth):
        n = len(inner)
        size = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + (
            n.to_bytes((n.bit_length() + 7) // 8, "big"))
        inner = b"\x30" + size + inner
    return inner


LEAF = base64.b64decode(BUNDLE["verificationMaterial"]["certificate"]["rawBytes"])
CHAINS: dict[str, dict[str, Any]] = {
    "garbage": {"certificate": {"rawBytes": base64.b64encode(
        b"\x30\x82\xff\xff" + b"A" * 100).decode()}},
    "truncated": {"certificate": {"rawBytes": base64.b64encode(LEAF[:len(LEAF) // 2]).decode()}},
    "not-base64": {"certificate": {"rawBytes": "!!not base64!!"}},
    "deep-asn1": {"certificate": {"rawBytes": base64.b64encode(_nested_der(20000)).decode()}},
    "empty-chain": {"x509CertificateChain": {"certificates": []}},
    "garbage-in-chain": {"x509CertificateChain": {"certificates": [
        {"rawBytes": base64.b64encode(LEAF).decode()},
        {"rawBytes": base64.b64encode(b"\x30\x03\x02\x01\x01").decode()}]}},
    "long-chain": {"x509CertificateChain": {"certificates": [
        {"rawBytes": base64.b64encode(LEAF).decode()}] * 900}},
    "chain-over-the-cap": {"x509CertificateChain": {"certificates": [
        {"rawBytes": base64.b64encode(LEAF).decode()}] * 3000}},
}


def _hostile_bundle(digest: str, material: dict[str, Any]) -> bytes:
    """The real keyless bundle made an image signature for ``digest``, its certificate
    replaced by ``material``."""
    bundle = copy.deepcopy(BUNDLE)
    statement = {"_type": "https://in-toto.io/Statement/v1",
                 "subject": [{"digest": {"sha256": digest.split(":")[1]}}],
                 "predicateType": "https://sigstore.dev/cosign/sign/v1", "predicate": {}}
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    found = bundle["verificationMaterial"]
    found.pop("certificate")
    found.update(material)
    if "x509CertificateChain" in material:
        bundle["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2"
    return json.dumps(bundle).encode()


@pytest.mark.parametrize("case", sorted(CHAINS))
def test_keyless_bundle_with_a_malformed_certificate_chain(
        case: str, registry: Registry, capsys: pytest.CaptureFixture[str]) -> None:
    repo = f"hostile/keyless-{case}"
    digest, size = push_image(registry, repo, "1")
    bundle = _hostile_bundle(digest, CHAINS[case])
    assert len(bundle) < 3 << 20
    assert (len(bundle) > MAX_SIGNATURE_BLOB) is (case == "chain-over-the-cap")
    attach_bundles(registry, repo, digest, size, [bundle])
    message = _bounded_single_failure(_run(
        capsys, f"{registry.host}/{repo}:1", "--insecure-registry", registry.host,
        "--certificate-identity", str(BUNDLE_ID.identity),
        "--certificate-oidc-issuer", str(BUNDLE_ID.issuer)))
    if case == "long-chain":
        # parsed, then refused: its DSSE signature is not over this statement
        assert message.startswith("tampered-payload: "), message
    elif case == "chain-over-the-cap":
        assert message == (f"invalid-signature: {digest}: a signature blob of {len(bundle)}"
                           " bytes, over the 1024 KiB cap (not read) (bundle form)")
        return
    else:
        assert message.startswith("invalid-signature: "), message
        assert "not a valid Sigstore bundle: " in message
    assert message.endswith("(keyless bundle form)")


# --- a Notation COSE envelope over the size cap ------------------------------------------------

def _attach_notation(reg: Registry, repo: str, digest: str, size: int,
                     envelopes: list[tuple[bytes, int | None]]) -> None:
    """Notation COSE signature manifests, each envelope with the size its descriptor claims
    (None: its real size), and the referrers tag index."""
    entries = []
    for envelope, claimed in envelopes:
        manifest, blobs = signature_manifest(envelope, digest, size, PKI.chain,
                                             "application/cose")
        if claimed is not None:
            doc = json.loads(manifest)
            doc["layers"][0]["size"] = claimed
            manifest = json.dumps(doc).encode()
        reg.push(repo, sha(manifest), manifest, blobs)
        entries.append((manifest, SIGNATURE_ARTIFACT))
    reg.put_manifest(repo, digest.replace(":", "-"), referrers_index(entries),
                     "application/vnd.oci.image.index.v1+json")


def _oversized() -> bytes:
    blob = bytes(cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"x" * MAX_ENVELOPE, b"s"])))
    assert len(blob) > MAX_ENVELOPE
    return blob


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return PKI.root.write(tmp_path / "root.pem")


def test_cose_envelope_over_the_cap(registry: Registry, root: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The descriptor says how big it is: refused unread, one invalid-envelope verdict."""
    repo = "hostile/cose-over-cap"
    digest, size = push_image(registry, repo, "1")
    _attach_notation(registry, repo, digest, size, [(_oversized(), None)])
    message = _bounded_single_failure(_run(
        capsys, f"{registry.host}/{repo}:1", "--insecure-registry", registry.host,
        "--notation-root", str(root)))
    assert message == (f"invalid-envelope: {digest}: the signature envelope is"
                       f" {len(_oversized())} bytes, over the 1024 KiB cap (not read)"
                       " (notation form)")


def test_cose_envelope_over_the_cap_beside_a_valid_one(registry: Registry, root: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """One oversized envelope does not end the verification: the valid one is still found."""
    repo = "hostile/cose-over-cap-and-good"
    digest, size = push_image(registry, repo, "1")
    _attach_notation(registry, repo, digest, size, [
        (_oversized(), None), (CoseEnvelope(digest, chain=PKI.chain).build(), None)])
    code, messages, err, elapsed, _ = _run(
        capsys, f"{registry.host}/{repo}:1", "--insecure-registry", registry.host,
        "--notation-root", str(root))
    assert (code, messages) == (0, []) and "Traceback" not in err and elapsed < MAX_SECONDS


def test_cose_envelope_over_the_cap_that_lies_about_its_size(
        registry: Registry, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A descriptor that claims 100 bytes: at most the cap plus one byte is read, then the
    registry is not trusted further (unverifiable, never a pass)."""
    repo = "hostile/cose-lying-size"
    digest, size = push_image(registry, repo, "1")
    _attach_notation(registry, repo, digest, size, [(_oversized(), 100)])
    message = _bounded_single_failure(_run(
        capsys, f"{registry.host}/{repo}:1", "--insecure-registry", registry.host,
        "--notation-root", str(root)))
    assert message.startswith("unverifiable: signature not verified: "), message
