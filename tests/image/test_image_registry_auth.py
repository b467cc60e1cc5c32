"""Bearer-token auth and Docker config credentials, against a small in-process HTTP server
(Debian's docker-registry token auth needs a separate token service; the challenge flow is the
same)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hullcheck.trust.registry import (
    RegistryClient,
    RegistryError,
    RegistryOptions,
    load_credentials,
)

MANIFEST = json.dumps(
    {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": []}
).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = self.headers["Host"]
        if self.path.startswith("/token"):
            auth = self.headers.get("Authorization", "")
            if auth != "Basic " + base64.b64encode(b"u:p").decode():
                self.send_response(401)
                self.end_headers()
                return
            assert "scope=repository%3Aapp%3Apull" in self.path
            body = json.dumps({"token": "T0K"}).encode()
        elif self.headers.get("Authorization") == "Bearer T0K":
            body = MANIFEST
        else:
            self.send_response(401)
            self.send_header(
                "WWW-Authenticate",
                f'Bearer realm="http://{host}/token",service="test",scope="repository:app:pull"',
            )
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def config(tmp: Path, host: str, user: str, password: str) -> Path:
    path = tmp / "config.json"
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    path.write_text(json.dumps({"auths": {f"http://{host}": {"auth": token}}}))
    return path


def test_bearer_with_docker_config_credentials(server: str, tmp_path: Path) -> None:
    opts = RegistryOptions(
        insecure=frozenset({server}), docker_config=config(tmp_path, server, "u", "p")
    )
    found = RegistryClient(server, opts).get_manifest("app", "1")
    assert found is not None and found[0] == MANIFEST


def test_bearer_refused_with_wrong_credentials(server: str, tmp_path: Path) -> None:
    opts = RegistryOptions(
        insecure=frozenset({server}), docker_config=config(tmp_path, server, "u", "nope")
    )
    with pytest.raises(RegistryError, match="token service refused us"):
        RegistryClient(server, opts).get_manifest("app", "1")


def test_a_missing_credential_helper_is_named(tmp_path: Path) -> None:
    # helpers are run (tests/image/test_registry_credentials.py); this one is not installed
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"credsStore": "hctest-absent", "auths": {"ghcr.io": {}}}))
    notes: list[str] = []
    assert load_credentials("ghcr.io", path, notes) is None
    assert notes == [
        "ghcr.io: credential helper docker-credential-hctest-absent is not installed (not on"
        " PATH); trying anonymously"
    ]


def test_docker_hub_key(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    token = base64.b64encode(b"me:pw").decode()
    path.write_text(json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": token}}}))
    creds = load_credentials("docker.io", path)
    assert creds is not None and (creds.username, creds.password) == ("me", "pw")


def test_unreachable_registry_is_one_clean_line() -> None:
    from hullcheck.trust.registry import _short

    nested = ('HTTPSConnectionPool(host=\'r.example\', port=443): Max retries exceeded with url: '
              '/v2/ (Caused by NameResolutionError("HTTPSConnection(host=\'r.example\', '
              'port=443): Failed to resolve \'r.example\' ([Errno -2] Name or service not '
              'known)"))')
    assert _short(Exception(nested)) == "Name or service not known"
    refused = ("HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: "
               "/v2/ (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object "
               "at 0x7f>: Failed to establish a new connection: [Errno 111] Connection "
               "refused'))")
    assert _short(Exception(refused)) == "Connection refused"
