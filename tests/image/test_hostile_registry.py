"""The registry client against hostile servers on loopback (see hostile_servers.py): credentials
stay with the registry that asked for them, index entries are digests, bodies are capped, and
every image has one overall deadline. Distinct ``host:port`` pairs on 127.0.0.1, 127.0.0.2 and
``localhost`` stand for distinct hosts."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile_servers import Handler, self_signed, serve
from image_builders import M, Signer, image_blobs, layer_tar, sha

from hullcheck.cli import main
from hullcheck.inputs.image.layers import ImageError
from hullcheck.inputs.image.sources import MAX_INDEX_DEPTH, SourceOptions, load_from_registry
from hullcheck.models.image import Image
from hullcheck.trust.registry import (
    MAX_TOKEN_BODY,
    RegistryClient,
    RegistryError,
    RegistryOptions,
)
from hullcheck.trust.registry_tls import MAX_CERT_FILE

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PASSWORD = "pa55-w0rd-XYZ"  # the user's registry password: must reach the registry's realm only
BASIC = "Basic " + base64.b64encode(f"user:{PASSWORD}".encode()).decode()
MANIFEST, CONFIG, BLOBS = image_blobs([layer_tar([M("etc/app.conf", b"port=1\n")])])
LAYER = json.loads(MANIFEST)["layers"][0]["digest"]


@pytest.fixture(autouse=True)
def _no_env_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_AUTH_CONFIG", raising=False)


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err, time.monotonic() - started


def docker_config(tmp: Path, host: str) -> Path:
    path = tmp / "config.json"
    token = base64.b64encode(f"user:{PASSWORD}".encode()).decode()
    path.write_text(json.dumps({"auths": {host: {"auth": token}}}))
    return path


def registry(
    manifests: dict[str, bytes],
    blobs: dict[str, bytes],
    *,
    realm: Callable[[], str] | None = None,
    blob_location: Callable[[str], str | None] = lambda _digest: None,
) -> Callable[[Handler], None]:
    """A registry: manifests by tag or digest, blobs by digest; with ``realm``, everything
    wants ``Bearer T0K`` from that token service; ``blob_location`` redirects blobs (307)."""

    def route(h: Handler) -> None:
        if realm is not None and h.headers.get("Authorization") != "Bearer T0K":
            challenge = f'Bearer realm="{realm()}",service="reg",scope="repository:app:pull"'
            return h.reply(401, b"", {"WWW-Authenticate": challenge})
        parts = h.path.split("?")[0].split("/")  # /v2/<repo>/<kind>/<ref>
        kind, ref = parts[-2], parts[-1]
        if kind == "manifests" and ref in manifests:
            doc = json.loads(manifests[ref])
            media = doc.get("mediaType", OCI_MANIFEST) if isinstance(doc, dict) else OCI_MANIFEST
            return h.reply(200, manifests[ref], {"Content-Type": media})
        if kind == "blobs" and ref in blobs:
            location = blob_location(ref)
            if location:
                return h.reply(307, b"", {"Location": location})
            return h.reply(200, blobs[ref], {"Content-Type": "application/octet-stream"})
        return h.reply(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

    return route


def token_service(h: Handler) -> None:
    """Hands out T0K for the user's credentials only."""
    if h.headers.get("Authorization") == BASIC:
        return h.reply(200, json.dumps({"token": "T0K"}).encode())
    return h.reply(401)


def image_store() -> tuple[dict[str, bytes], dict[str, bytes]]:
    return {"1": MANIFEST, sha(MANIFEST): MANIFEST}, dict(BLOBS)


# --- 1. credentials go to the registry and the realm it names, nowhere else ---------------------


def test_a_realm_named_by_a_redirect_target_gets_nothing(tmp_path: Path) -> None:
    """The issue's case: A (anonymous reads, credentials configured for it) redirects a blob to
    B; B answers 401 naming a realm on C. C must not see the user's credentials."""
    manifests, blobs = image_store()
    with serve(token_service, "localhost") as c, serve(
        lambda h: h.reply(401, b"", {"WWW-Authenticate":
                                     f'Bearer realm="http://{c.netloc}/token",service="s3"'}),
        "127.0.0.2",
    ) as b, serve(registry(manifests, blobs, blob_location=lambda d: f"http://{b.netloc}/{d}"
                           if d == LAYER else None)) as a:
        options = RegistryOptions(insecure=frozenset({a.netloc}),
                                  docker_config=docker_config(tmp_path, a.netloc))
        client = RegistryClient(a.netloc, options)
        with pytest.raises(RegistryError) as caught:
            client.open_blob("app", LAYER)
    assert str(caught.value) == (
        f"{a.netloc}: {b.netloc}, where the registry redirected us, asks for authentication"
        " (HTTP 401); registry credentials only go where the registry itself asks for them"
    )
    assert c.seen == []
    assert b.carrying_credentials() == []


def test_a_redirect_target_never_gets_credentials_nor_names_their_realm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifests, blobs = image_store()
    with serve(token_service, "localhost") as c, serve(
        lambda h: h.reply(401, b"", {"WWW-Authenticate":
                                     f'Bearer realm="http://{c.netloc}/token",service="s3"'}),
        "127.0.0.2",
    ) as b, serve(registry(manifests, blobs, realm=lambda: f"http://{c.netloc}/token",
                           blob_location=lambda d: f"http://{b.netloc}/{d}?sig=1"
                           if d == LAYER else None)) as a:
        code, out, err, _ = cli(capsys, "image", f"{a.netloc}/app:1", "--remote",
                                "--insecure-registry", a.netloc, "--platform", "linux/amd64",
                                "--docker-config", str(docker_config(tmp_path, a.netloc)))
    assert code == 2
    assert err.splitlines() == [
        f"hullcheck: error: {a.netloc}/app:1: {a.netloc}: {b.netloc}, where the registry"
        " redirected us, asks for authentication (HTTP 401); registry credentials only go where"
        " the registry itself asks for them"
    ]
    assert PASSWORD not in out + err
    # A's own challenge named C, and C got the credentials once, for A's scope: that works ...
    assert [(s.path, s.headers.get("authorization")) for s in c.seen] == [
        ("/token?scope=repository%3Aapp%3Apull&service=reg", BASIC)
    ]
    # ... and the manifest and config were read with C's token before the layer's redirect.
    assert [s.path.split("/")[-2] for s in a.seen if s.headers.get("authorization")] == [
        "manifests", "blobs", "blobs"
    ]
    # B (the storage A redirected to) asked for credentials naming C: neither got anything.
    assert [s.headers.get("authorization") for s in b.seen] == [None]


def test_blob_storage_gets_neither_credentials_nor_the_token(tmp_path: Path) -> None:
    manifests, blobs = image_store()
    with serve(token_service, "localhost") as c, serve(
        lambda h: h.reply(200, BLOBS[LAYER]), "127.0.0.2"
    ) as b, serve(registry(manifests, blobs, realm=lambda: f"http://{c.netloc}/token",
                           blob_location=lambda d: f"http://{b.netloc}/{d}"
                           if d == LAYER else None)) as a:
        options = RegistryOptions(insecure=frozenset({a.netloc}),
                                  docker_config=docker_config(tmp_path, a.netloc))
        image, _ = load_from_registry(f"{a.netloc}/app:1", SourceOptions(
            remote=True, platform="linux/amd64", registry=options))
    assert "etc/app.conf" in image.files
    assert b.carrying_credentials() == [] and len(b.seen) == 1
    assert len(c.seen) == 1


def test_plain_http_realm_of_an_https_registry_is_refused(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "tls")
    with serve(token_service, "127.0.0.2") as c, serve(
        registry({}, {}, realm=lambda: f"http://{c.netloc}/token"), tls=(cert, key)
    ) as a:
        options = RegistryOptions(ca_files=(cert,), certs_dirs=(),
                                  docker_config=docker_config(tmp_path, a.netloc))
        with pytest.raises(RegistryError) as caught:
            RegistryClient(a.netloc, options).get_manifest("app", "1")
    assert str(caught.value) == (
        f"{a.netloc}: its token realm http://{c.netloc} is plain HTTP; credentials are not sent"
        f" in the clear (--insecure-registry {a.netloc} would speak plain HTTP to the registry"
        " too)"
    )
    assert c.seen == []
    assert len(a.seen) == 1  # the challenge, over TLS


def test_a_refresh_token_is_not_posted_to_where_the_realm_redirects(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    with serve(lambda h: h.reply(200, b'{"access_token": "AT"}'), "localhost") as d, serve(
        lambda h: h.reply(307, b"", {"Location": f"http://{d.netloc}/token"}), "127.0.0.2"
    ) as c, serve(registry({}, {}, realm=lambda: f"http://{c.netloc}/token")) as a:
        config.write_text(json.dumps({"auths": {a.netloc: {"identitytoken": "REFRESH-ME"}}}))
        options = RegistryOptions(insecure=frozenset({a.netloc}), docker_config=config)
        with pytest.raises(RegistryError) as caught:
            RegistryClient(a.netloc, options).get_manifest("app", "1")
    assert str(caught.value) == (
        f"{a.netloc}: the token service redirected to {d.netloc}; the refresh token is not sent"
        " to another host"
    )
    assert [s.method for s in c.seen] == ["POST"]  # the realm the registry named
    assert d.seen == []


# --- 3. index children are fetched by well-formed digests, to a bounded depth ----------------


def _index(*children: tuple[bytes, str]) -> bytes:
    return json.dumps({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": json.loads(body).get("mediaType", OCI_MANIFEST),
                       "digest": digest, "size": len(body),
                       "platform": {"os": "linux", "architecture": "amd64"}}
                      for body, digest in children],
    }).encode()


def _load(host: str, ref: str = "app:1") -> tuple[Image, Any]:
    options = RegistryOptions(insecure=frozenset({host}))
    return load_from_registry(f"{host}/{ref}",
                              SourceOptions(remote=True, platform="linux/amd64", registry=options))


def test_an_index_entry_naming_a_tag_is_one_error_not_a_loop() -> None:
    index = _index((MANIFEST, "latest"))
    with serve(registry({"1": index, "latest": index}, dict(BLOBS))) as a:
        started = time.monotonic()
        with pytest.raises(ImageError) as caught:
            _load(a.netloc)
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        f"{a.netloc}/app:1: the index entry for linux/amd64 has digest 'latest', not"
        " sha256:<64 hex digits>"
    )
    assert len(a.seen) == 1


@pytest.mark.parametrize(("digest", "shown"), [
    ("sha256:../../v2/app/manifests/latest", "'sha256:../../v2/app/manifests/latest'"),
    (None, "None"), (7, "7"), ("sha256:" + "A" * 64, repr("sha256:" + "A" * 64)),
    ("sha512:" + "a" * 128, "'sha512:" + "a" * 72 + "..."),  # shown up to 80 characters
])
def test_malformed_index_entries(digest: object, shown: str) -> None:
    index = json.dumps({"mediaType": OCI_INDEX, "manifests": [
        {"digest": digest, "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
    with serve(registry({"1": index}, {})) as a, pytest.raises(ImageError) as caught:
        _load(a.netloc)
    assert str(caught.value) == (
        f"{a.netloc}/app:1: the index entry for linux/amd64 has digest {shown}, not"
        " sha256:<64 hex digits>"
    )
    assert len(a.seen) == 1


def test_index_nesting_is_bounded() -> None:
    manifests = {sha(MANIFEST): MANIFEST}
    body = MANIFEST
    for _ in range(MAX_INDEX_DEPTH + 1):
        body = _index((body, sha(body)))
        manifests[sha(body)] = body
    # the chain from MAX_INDEX_DEPTH indexes down is read; one level more is refused
    chain = list(manifests)
    with serve(registry({**manifests, "ok": manifests[chain[-2]], "deep": body},
                        dict(BLOBS))) as a:
        image, _ = _load(a.netloc, "app:ok")
        assert "etc/app.conf" in image.files
        a.seen.clear()
        with pytest.raises(ImageError) as caught:
            _load(a.netloc, "app:deep")
    assert str(caught.value) == (
        f"{a.netloc}/app:deep: image indexes nested more than {MAX_INDEX_DEPTH} deep"
    )
    assert len(a.seen) == MAX_INDEX_DEPTH + 1


def test_a_child_that_is_not_its_digest_is_refused() -> None:
    other = MANIFEST.replace(b'"schemaVersion": 2', b'"schemaVersion": 2 ')
    index = _index((MANIFEST, sha(MANIFEST)))
    with serve(registry({"1": index, sha(MANIFEST): other}, dict(BLOBS))) as a, \
            pytest.raises(ImageError) as caught:
        _load(a.netloc)
    assert str(caught.value) == (
        f"{a.netloc}/app@{sha(MANIFEST)}: registry sent a manifest with digest {sha(other)}"
    )


@pytest.mark.parametrize(("manifest", "message"), [
    (b"[1, 2]", "{host}/app:1: manifest is not a JSON object"),
    (json.dumps({"mediaType": OCI_MANIFEST, "config": "x", "layers": []}).encode(),
     "{host}/app:1: the manifest's config has no sha256 digest"),
    (json.dumps({"mediaType": OCI_MANIFEST, "config": json.loads(MANIFEST)["config"],
                 "layers": [{"digest": "latest"}]}).encode(),
     "{host}/app:1: layer 0 of the manifest has no sha256 digest"),
])
def test_malformed_manifests_are_one_error(manifest: bytes, message: str) -> None:
    with serve(registry({"1": manifest}, dict(BLOBS))) as a, pytest.raises(ImageError) as caught:
        _load(a.netloc)
    assert str(caught.value) == message.format(host=a.netloc)


def test_referrers_are_only_fetched_by_digest() -> None:
    good = json.dumps({"mediaType": OCI_MANIFEST}).encode()
    listing = json.dumps({"mediaType": OCI_INDEX, "manifests": [
        {"digest": "latest", "artifactType": "x"}, {"digest": sha(good), "artifactType": "x"},
        "junk", {"artifactType": "x"}]}).encode()

    def route(h: Handler) -> None:
        if "/referrers/" in h.path:
            return h.reply(200, listing, {"Content-Type": OCI_INDEX})
        return h.reply(404)

    with serve(route) as a:
        client = RegistryClient(a.netloc, RegistryOptions(insecure=frozenset({a.netloc})))
        found, how = client.referrers("app", sha(MANIFEST))
    assert (found, how) == ([{"digest": sha(good), "artifactType": "x"}], "referrers API")


# --- 4. capped bodies, one deadline per image ------------------------------------------------


def test_a_huge_token_answer_is_refused_after_1_mib(tmp_path: Path) -> None:
    with serve(lambda h: h.flood(300 << 20), "127.0.0.2") as c, serve(
        registry({}, {}, realm=lambda: f"http://{c.netloc}/token")
    ) as a:
        options = RegistryOptions(insecure=frozenset({a.netloc}),
                                  docker_config=docker_config(tmp_path, a.netloc))
        with pytest.raises(RegistryError) as caught:
            RegistryClient(a.netloc, options).get_manifest("app", "1")
        assert c.dropped.wait(10)
    assert MAX_TOKEN_BODY == 1 << 20
    assert str(caught.value) == f"{a.netloc}: the token service's answer larger than 1 MiB"
    # what the server got out before we hung up: our 1 MiB plus the sockets' buffers
    assert c.sent < 32 << 20


@pytest.mark.parametrize("status", [404, 500, 302])
def test_error_and_redirect_bodies_are_never_read(status: int) -> None:
    def route(h: Handler) -> None:
        if h.path.endswith("/manifests/1"):
            extra = {"Location": "/v2/app/manifests/2"} if status == 302 else {}
            h.send_response(status)
            for k, v in extra.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(300 << 20))
            h.end_headers()
            while True:
                h.wfile.write(b"\0" * (1 << 16))
                h.server_log.sent += 1 << 16
        return h.reply(200, MANIFEST, {"Content-Type": OCI_MANIFEST})

    with serve(route) as a:
        client = RegistryClient(a.netloc, RegistryOptions(insecure=frozenset({a.netloc})))
        if status == 404:
            assert client.get_manifest("app", "1") is None
        elif status == 500:
            with pytest.raises(RegistryError, match=r"manifest request failed \(HTTP 500\)"):
                client.get_manifest("app", "1")
        else:
            found = client.get_manifest("app", "1")
            assert found is not None and found[0] == MANIFEST
        assert a.dropped.wait(10)
    assert a.sent < 32 << 20


def _drip_manifest(h: Handler) -> None:
    h.drip(b"HTTP/1.1 200 OK\r\nContent-Type: " + OCI_MANIFEST.encode()
           + b"\r\nContent-Length: 100000\r\n\r\n{")


def test_a_dripping_registry_is_dropped_at_the_deadline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serve(_drip_manifest) as a:
        code, _out, err, took = cli(capsys, "image", f"{a.netloc}/app:1", "--remote",
                                    "--insecure-registry", a.netloc, "--registry-timeout", "2")
        assert a.dropped.wait(5)
    assert code == 2
    assert 2 <= took < 2 + 5
    assert err.splitlines() == [
        f"hullcheck: error: {a.netloc}/app:1: {a.netloc}: no complete answer within 2 s, the"
        " registry deadline for one image (--registry-timeout S allows more)"
    ]
    assert a.sent <= 4  # one byte a second, for 2 s


def test_dripped_headers_end_at_the_deadline() -> None:
    with serve(lambda h: h.drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", every=0.5)) as a:
        client = RegistryClient(a.netloc, RegistryOptions(insecure=frozenset({a.netloc}),
                                                          deadline=1))
        started = time.monotonic()
        with pytest.raises(RegistryError, match="no complete answer within 1 s"):
            client.get_manifest("app", "1")
        assert time.monotonic() - started < 1 + 5
        # the image's deadline is spent: nothing more is asked of the registry
        seen = len(a.seen)
        with pytest.raises(RegistryError, match="no complete answer within 1 s"):
            client.get_manifest("app", "2")
        assert len(a.seen) == seen


def test_a_dripping_layer_ends_at_the_deadline() -> None:
    manifests, blobs = image_store()

    def route(h: Handler) -> None:
        if h.path.endswith(LAYER):
            return h.drip(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n\x1f\x8b\x08\x00")
        return registry(manifests, blobs)(h)

    with serve(route) as a:
        options = RegistryOptions(insecure=frozenset({a.netloc}), deadline=2)
        started = time.monotonic()
        with pytest.raises(ImageError) as caught:
            load_from_registry(f"{a.netloc}/app:1", SourceOptions(
                remote=True, platform="linux/amd64", registry=options))
        took = time.monotonic() - started
    assert 2 <= took < 2 + 5
    assert str(caught.value) == (
        f"{a.netloc}: no complete answer within 2 s, the registry deadline for one image"
        " (--registry-timeout S allows more)"
    )


def test_scan_verify_signatures_keeps_to_the_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Signer().write_public(tmp_path / "cosign.pub")
    with serve(_drip_manifest) as a:
        dockerfile = tmp_path / "Dockerfile"
        dockerfile.write_text(f"FROM {a.netloc}/app:1\nUSER 1\n")
        code, out, _err, took = cli(capsys, "scan", str(dockerfile), "--verify-signatures",
                                    "--key", str(key), "--insecure-registry", a.netloc,
                                    "--registry-timeout", "2", "--select", "IMG017",
                                    "--format", "json")
    assert 2 <= took < 2 + 5
    assert code == 1
    assert [f["message"] for f in json.loads(out)["findings"]] == [
        f"{a.netloc}/app:1: unverifiable: signature not verified: {a.netloc}: no complete answer"
        " within 2 s, the registry deadline for one image (--registry-timeout S allows more)"
    ]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon", "86401"])
def test_registry_timeout_must_be_seconds(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("image", "scan"):
        with pytest.raises(SystemExit) as caught:
            main([command, "x", "--registry-timeout", value])
        assert caught.value.code == 2
        assert (f"--registry-timeout: expected seconds, more than 0 and at most 86400, got"
                f" {value!r}") in capsys.readouterr().err


# --- 7. hostile certs.d entries ---------------------------------------------------------------


def _certs_error(certs: Path) -> tuple[str, float]:
    options = RegistryOptions(certs_dirs=(certs,))
    started = time.monotonic()
    with pytest.raises(ImageError) as caught:
        load_from_registry("127.0.0.1:1/app:1", SourceOptions(remote=True, registry=options))
    return str(caught.value), time.monotonic() - started


def test_certs_d_folder_that_is_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "127.0.0.1:1").symlink_to(tmp_path / "127.0.0.1:1")
    message, took = _certs_error(tmp_path)
    assert message == (
        f"127.0.0.1:1: {tmp_path}/127.0.0.1:1: cannot be read (Too many levels of symbolic links)"
    )
    assert took < 5


def test_certs_d_ca_that_is_a_symlink_loop(tmp_path: Path) -> None:
    folder = tmp_path / "127.0.0.1:1"
    folder.mkdir()
    (folder / "ca.crt").symlink_to(folder / "ca.crt")
    message, _ = _certs_error(tmp_path)
    assert message == (
        f"127.0.0.1:1: CA file {folder}/ca.crt: cannot read: Too many levels of symbolic links"
    )


def test_certs_d_ca_of_1_gib(tmp_path: Path) -> None:
    folder = tmp_path / "127.0.0.1:1"
    folder.mkdir()
    with (folder / "ca.crt").open("wb") as fh:
        fh.truncate(1 << 30)  # sparse: costs no disk
    message, took = _certs_error(tmp_path)
    assert MAX_CERT_FILE == 1 << 20
    assert message == (
        f"127.0.0.1:1: CA file {folder}/ca.crt: file too large (1073741824 bytes; the limit is"
        " 1048576)"
    )
    assert took < 5


def test_certs_d_entries_that_never_end(tmp_path: Path) -> None:
    folder = tmp_path / "127.0.0.1:1"
    folder.mkdir()
    os.mkfifo(folder / "ca.crt")  # opening it would wait for a writer forever
    message, took = _certs_error(tmp_path)
    assert message == f"127.0.0.1:1: CA file {folder}/ca.crt: not a regular file"
    (folder / "ca.crt").unlink()
    (folder / "ca.crt").symlink_to("/dev/zero")  # reading it would never end
    message, took2 = _certs_error(tmp_path)
    assert message == f"127.0.0.1:1: CA file {folder}/ca.crt: not a regular file"
    assert took + took2 < 5
