"""The OCI 1.1 referrers API path (Debian's docker-registry lacks it, so the live tests only
exercise the referrers tag fallback): an in-process registry that implements the API serves a
cosign 3 bundle, and verification finds it through the API, not the tag."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from image_builders import (
    Signer,
    bundle_referrer,
    image_blobs,
    referrers_index,
    sha,
    sigstore_bundle,
)

from hullcheck.references import parse_reference
from hullcheck.trust import policy as trust_policy
from hullcheck.trust.registry import RegistryClient, RegistryOptions

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


class Store:
    def __init__(self) -> None:
        self.manifests: dict[str, bytes] = {}  # tag or digest -> manifest
        self.blobs: dict[str, bytes] = {}
        self.referrers: dict[str, list[bytes]] = {}  # subject digest -> referrer manifests
        self.tag_lookups: list[str] = []


def make_handler(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if status == 200 and ctype != "application/octet-stream":
                self.send_header("Docker-Content-Digest", sha(body))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            parts = self.path.split("/")
            if self.path == "/v2/":
                return self._send(200, b"{}")
            # /v2/<repo>/<kind>/<ref>
            if len(parts) < 5:
                return self._send(404)
            kind, ref = parts[-2], parts[-1]
            if kind == "referrers":
                body = referrers_index(store.referrers.get(ref, []))
                return self._send(200, body, OCI_INDEX)
            if kind == "manifests":
                if not ref.startswith("sha256:"):
                    store.tag_lookups.append(ref)
                data = store.manifests.get(ref)
                if data is None:
                    return self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
                ctype = json.loads(data).get("mediaType", OCI_MANIFEST)
                return self._send(200, data, ctype)
            if kind == "blobs":
                blob = store.blobs.get(ref)
                if blob is None:
                    return self._send(404)
                return self._send(200, blob, "application/octet-stream")
            return self._send(404)

    return Handler


@pytest.fixture
def registry() -> Iterator[tuple[str, Store]]:
    store = Store()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", store
    finally:
        server.shutdown()
        server.server_close()


def _push_signed(store: Store, signer: Signer, *, signed_digest: str | None = None) -> str:
    manifest, _cfg, blobs = image_blobs([], {"User": "app"}, [])
    digest = sha(manifest)
    store.manifests["1"] = store.manifests[digest] = manifest
    store.blobs.update(blobs)
    bundle = sigstore_bundle(signer, signed_digest or digest)
    referrer, ref_blobs = bundle_referrer(bundle, digest, len(manifest))
    store.manifests[sha(referrer)] = referrer
    store.blobs.update(ref_blobs)
    store.referrers[digest] = [referrer]
    return digest


def test_referrers_api_is_used_when_present(registry: tuple[str, Store], tmp_path: Path) -> None:
    host, store = registry
    signer = Signer()
    digest = _push_signed(store, signer)
    client = RegistryClient(host, RegistryOptions(insecure=frozenset({host})))
    descriptors, how = client.referrers("app", digest)
    assert how == "referrers API"
    assert [d["digest"] for d in descriptors] == [sha(store.referrers[digest][0])]

    key = signer.write_public(tmp_path / "cosign.pub")
    verdict = trust_policy.verify_signature(
        parse_reference(f"{host}/app:1"), [key], RegistryOptions(insecure=frozenset({host})))
    assert verdict.ok, verdict.message
    # Found through the API: the referrers tag (sha256-<hex>) was never asked for.
    assert digest.replace(":", "-") not in store.tag_lookups


def test_referrers_api_bundle_for_another_digest(registry: tuple[str, Store],
                                                  tmp_path: Path) -> None:
    host, store = registry
    signer = Signer()
    _push_signed(store, signer, signed_digest="sha256:" + "0" * 64)
    key = signer.write_public(tmp_path / "cosign.pub")
    verdict = trust_policy.verify_signature(
        parse_reference(f"{host}/app:1"), [key], RegistryOptions(insecure=frozenset({host})))
    assert not verdict.ok and verdict.code == "other-digest", verdict
