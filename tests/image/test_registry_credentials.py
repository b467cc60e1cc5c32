"""Credentials as the Docker CLI resolves them: credHelpers[key] > credsStore > inline auths, run
through a real helper executable (``docker-credential-hctest``, see credential_helper.py).
Against a registry: tests/live/image/test_registry_helpers_tls.py."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from credential_helper import Helper, install_helper, write_config

from hullcheck.trust.credentials import Credentials, resolve
from hullcheck.trust.registry import RegistryClient, RegistryError, RegistryOptions

HOST = "reg.example:5000"
SECRET = "pa55-Secret-XYZ"


def inline(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(autouse=True)
def _no_env_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_AUTH_CONFIG", raising=False)


@pytest.fixture
def helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Helper:
    return install_helper(tmp_path, monkeypatch)


def test_cred_helpers_entry_wins_over_creds_store_and_auths(helper: Helper, tmp_path: Path) -> None:
    helper.plan(creds={HOST: ["robot", SECRET]})
    cfg = write_config(tmp_path / "config.json", {
        "credsStore": "hctest-not-installed",
        "credHelpers": {HOST: "hctest"},
        "auths": {HOST: inline("inline", "inline-pw")},
    })
    found = resolve(HOST, cfg)
    assert found.credentials == Credentials("robot", SECRET)
    assert found.problem is None
    assert helper.calls() == [["get", HOST]]


def test_creds_store_when_no_helper_is_named_for_the_host(helper: Helper, tmp_path: Path) -> None:
    helper.plan(creds={HOST: ["robot", SECRET]})
    cfg = write_config(tmp_path / "config.json", {
        "credsStore": "hctest",
        "credHelpers": {"other.example": "hctest-not-installed"},
        "auths": {HOST: {}},
    })
    assert resolve(HOST, cfg).credentials == Credentials("robot", SECRET)
    assert helper.calls() == [["get", HOST]]


def test_docker_hub_uses_the_index_key(helper: Helper, tmp_path: Path) -> None:
    key = "https://index.docker.io/v1/"
    helper.plan(creds={key: ["hubuser", SECRET]})
    cfg = write_config(tmp_path / "config.json", {"credHelpers": {key: "hctest"}})
    assert resolve("docker.io", cfg).credentials == Credentials("hubuser", SECRET)
    assert helper.calls() == [["get", key]]
    # docker looks credHelpers up by the index key only: a "docker.io" entry is not used
    cfg = write_config(tmp_path / "config.json", {"credHelpers": {"docker.io": "hctest"}})
    assert resolve("docker.io", cfg).credentials is None
    assert len(helper.calls()) == 1


def test_not_found_is_anonymous_even_with_an_inline_entry(helper: Helper, tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.json", {
        "credsStore": "hctest", "auths": {HOST: inline("inline", "inline-pw")}
    })
    found = resolve(HOST, cfg)
    assert found.credentials is None and found.problem is None  # silently, as docker does
    assert helper.calls() == [["get", HOST]]


def test_identity_token(helper: Helper, tmp_path: Path) -> None:
    helper.plan(creds={HOST: ["<token>", "refresh-me"]})
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    creds = resolve(HOST, cfg).credentials
    assert creds is not None and creds.identity_token == "refresh-me"
    assert (creds.username, creds.password) == ("", "")
    assert "refresh-me" not in repr(creds)


def test_failing_helper_falls_back_to_inline_like_docker(helper: Helper, tmp_path: Path) -> None:
    helper.plan(mode="fail", leak=SECRET)
    cfg = write_config(tmp_path / "config.json", {
        "credsStore": "hctest", "auths": {HOST: inline("inline", "inline-pw")}
    })
    found = resolve(HOST, cfg)
    assert found.credentials == Credentials("inline", "inline-pw")
    assert found.note(HOST) == (
        f"{HOST}: credential helper docker-credential-hctest failed (exit status 3);"
        " using the config's inline credentials"
    )
    assert SECRET not in str(found.note(HOST)) and SECRET not in repr(found)


def test_missing_helper_is_one_note(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest-not-installed"})
    found = resolve(HOST, cfg)
    assert found.credentials is None
    assert found.note(HOST) == (
        f"{HOST}: credential helper docker-credential-hctest-not-installed is not installed"
        " (not on PATH); trying anonymously"
    )


def test_hanging_helper_times_out(helper: Helper, tmp_path: Path) -> None:
    helper.plan(mode="sleep")
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    found = resolve(HOST, cfg, timeout=1)
    assert found.credentials is None
    assert found.problem == "credential helper docker-credential-hctest did not answer within 1 s"


def test_garbage_answer_is_a_note_without_the_output(helper: Helper, tmp_path: Path) -> None:
    helper.plan(mode="garbage", leak=SECRET)
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    found = resolve(HOST, cfg)
    assert found.credentials is None
    assert found.problem and "not a credential" in found.problem and SECRET not in found.problem


def test_docker_auth_config_env_wins_for_its_exact_keys(
    helper: Helper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    helper.plan(creds={HOST: ["robot", SECRET], "other.example": ["robot", SECRET]})
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    env = {"auths": {HOST: inline("from-env", "env-pw"), "https://other.example/": {}}}
    monkeypatch.setenv("DOCKER_AUTH_CONFIG", json.dumps(env))
    assert resolve(HOST, cfg).credentials == Credentials("from-env", "env-pw")
    assert helper.calls() == []
    # no host conversion in the environment's map: the helper answers for other.example
    assert resolve("other.example", cfg).credentials == Credentials("robot", SECRET)
    monkeypatch.setenv("DOCKER_AUTH_CONFIG", "{not json")
    assert resolve(HOST, cfg).credentials == Credentials("robot", SECRET)


def test_inline_lookup_converts_legacy_keys_to_hosts(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config.json", {
        "auths": {"https://reg.example:5000/v1/": inline("legacy", "pw"),
                  "https://index.docker.io/v1/": {"identitytoken": "hub-refresh"}}
    })
    assert resolve(HOST, cfg).credentials == Credentials("legacy", "pw")
    hub = resolve("docker.io", cfg).credentials
    assert hub is not None and hub.identity_token == "hub-refresh"
    assert resolve("reg.example", cfg).credentials is None  # the port is part of the host


def test_registry_options_run_a_helper_once_per_host(helper: Helper, tmp_path: Path) -> None:
    helper.plan(creds={HOST: ["robot", SECRET]})
    config = write_config(tmp_path / "c.json", {"credsStore": "hctest"})
    opts = RegistryOptions(docker_config=config)
    first, second = RegistryClient(HOST, opts), RegistryClient(HOST, opts)
    assert helper.calls() == []  # nothing runs before a registry asks for credentials
    assert first.credentials == second.credentials == Credentials("robot", SECRET)
    assert len(helper.calls()) == 1


# --- an identity token at a bearer realm: the OAuth2 refresh-token POST -----------------------

MANIFEST = json.dumps(
    {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": []}
).encode()


class TokenHandler(BaseHTTPRequestHandler):
    posts: list[dict[str, list[str]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        type(self).posts.append(form)
        ok = form.get("grant_type") == ["refresh_token"] and form.get("refresh_token") == ["RT"]
        if self.path == "/token" and ok:
            self._send(200, json.dumps({"access_token": "AT", "expires_in": 60}).encode())
        else:
            self._send(401)

    def do_GET(self) -> None:
        if self.headers.get("Authorization") == "Bearer AT":
            self._send(200, MANIFEST, {"Content-Type": json.loads(MANIFEST)["mediaType"]})
            return
        host = self.headers["Host"]
        challenge = f'Bearer realm="http://{host}/token",service="reg",scope="repository:app:pull"'
        self._send(401, b"", {"WWW-Authenticate": challenge})


@pytest.fixture
def token_server() -> Iterator[str]:
    TokenHandler.posts = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), TokenHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_identity_token_is_exchanged_at_the_realm(
    helper: Helper, token_server: str, tmp_path: Path
) -> None:
    helper.plan(creds={token_server: ["<token>", "RT"]})
    opts = RegistryOptions(
        insecure=frozenset({token_server}),
        docker_config=write_config(tmp_path / "c.json", {"credsStore": "hctest"}),
    )
    found = RegistryClient(token_server, opts).get_manifest("app", "1")
    assert found is not None and found[0] == MANIFEST
    assert TokenHandler.posts == [{
        "grant_type": ["refresh_token"], "refresh_token": ["RT"], "client_id": ["hullcheck"],
        "scope": ["repository:app:pull"], "service": ["reg"],
    }]


def test_anonymous_refused_by_the_realm_names_the_helper_problem(
    token_server: str, tmp_path: Path
) -> None:
    opts = RegistryOptions(
        insecure=frozenset({token_server}),
        docker_config=write_config(tmp_path / "c.json", {"credsStore": "hctest-not-installed"}),
    )
    with pytest.raises(RegistryError) as caught:
        RegistryClient(token_server, opts).get_manifest("app", "1")
    assert str(caught.value) == (
        f"{token_server}: authentication required (bearer) and no credentials for it"
        " (credential helper docker-credential-hctest-not-installed is not installed"
        " (not on PATH))"
    )


# --- hostile helpers: bounded time and memory, one line, never the output ---------------------


def test_a_helper_printing_100_mib_is_cut_off_at_1_mib(helper: Helper, tmp_path: Path) -> None:
    from hullcheck.trust.credentials import MAX_HELPER_OUTPUT

    helper.plan(mode="flood")
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest",
                                                  "auths": {HOST: inline("inline", "pw")}})
    started = time.monotonic()
    found = resolve(HOST, cfg)
    assert time.monotonic() - started < 10
    assert MAX_HELPER_OUTPUT == 1 << 20  # read at most this (and one pipe buffer) of the 100 MiB
    assert found.credentials == Credentials("inline", "pw")  # as docker falls back
    assert found.note(HOST) == (
        f"{HOST}: credential helper docker-credential-hctest answered with more than 1 MiB;"
        " using the config's inline credentials"
    )


def test_a_helper_whose_child_holds_the_pipe_is_ended_with_it(
    helper: Helper, tmp_path: Path
) -> None:
    helper.plan(mode="orphan")
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    started = time.monotonic()
    found = resolve(HOST, cfg, timeout=1)
    assert time.monotonic() - started < 1 + 5
    assert found.problem == "credential helper docker-credential-hctest did not answer within 1 s"
    child = int((helper.bin / "hctest.child").read_text())
    for _ in range(50):  # killed with the helper's process group (a zombie at most, till reaped)
        state = _process_state(child)
        if state in (None, "Z"):
            break
        time.sleep(0.1)
    assert _process_state(child) in (None, "Z")


def _process_state(pid: int) -> str | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next(line.split()[1] for line in status.splitlines() if line.startswith("State:"))
