"""Live helpers and fixtures for image tests: the Docker Engine and docker-registry on 127.0.0.1.

Absent components skip the tests locally and fail them under CI=true. Everything created is
labelled ``hullcheck.test=image`` (images) or lives in a temporary directory (registries), and is
removed afterwards.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from image_builders import sha

LABEL = "hullcheck.test=image"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_api() -> Iterator[object]:
    try:
        import docker

        client = docker.APIClient(version="auto", timeout=60)
        client.ping()
    except Exception as exc:
        unavailable(f"no Docker Engine answers: {exc}")
    yield client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Registry:
    host: str
    auth: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}/v2"

    def put_blob(self, repo: str, data: bytes) -> str:
        digest = sha(data)
        r = requests.post(f"{self.url}/{repo}/blobs/uploads/", auth=self.auth, timeout=30)
        assert r.status_code == 202, r.text
        location = r.headers["Location"]
        if location.startswith("/"):
            location = f"http://{self.host}{location}"
        sep = "&" if "?" in location else "?"
        r = requests.put(
            f"{location}{sep}digest={digest}",
            data=data,
            auth=self.auth,
            headers={"Content-Type": "application/octet-stream"},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        return digest

    def put_manifest(
        self,
        repo: str,
        ref: str,
        manifest: bytes,
        media_type: str = "application/vnd.oci.image.manifest.v1+json",
    ) -> str:
        r = requests.put(
            f"{self.url}/{repo}/manifests/{ref}",
            data=manifest,
            auth=self.auth,
            headers={"Content-Type": media_type},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        return sha(manifest)

    def push(
        self,
        repo: str,
        ref: str,
        manifest: bytes,
        blobs: dict[str, bytes],
        media_type: str = "application/vnd.oci.image.manifest.v1+json",
    ) -> str:
        for data in blobs.values():
            self.put_blob(repo, data)
        return self.put_manifest(repo, ref, manifest, media_type)


def _start_registry(tmp: Path, htpasswd: Path | None) -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("docker-registry")
    if exe is None:
        unavailable("Debian's docker-registry is not installed (apt-get install docker-registry)")
    port = _free_port()
    auth = ""
    if htpasswd is not None:
        auth = f"auth:\n  htpasswd:\n    realm: hullcheck-test\n    path: {htpasswd}\n"
    config = tmp / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {tmp / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{auth}"
    )
    proc = subprocess.Popen(
        [exe, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    host = f"127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"http://{host}/v2/", timeout=1)
            return proc, host
        except requests.RequestException:
            time.sleep(0.1)
    proc.terminate()
    unavailable("docker-registry did not start")
    raise AssertionError


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    proc, host = _start_registry(tmp_path_factory.mktemp("registry"), None)
    try:
        yield Registry(host)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    try:
        import bcrypt
    except ImportError:
        unavailable("bcrypt (test extra) is needed to write an htpasswd file")
    tmp = tmp_path_factory.mktemp("auth-registry")
    htpasswd = tmp / "htpasswd"
    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=5)).decode()
    htpasswd.write_text(f"tester:{hashed}\n")
    proc, host = _start_registry(tmp, htpasswd)
    try:
        yield Registry(host, ("tester", "s3cret"))
    finally:
        proc.terminate()
        proc.wait(10)


def docker_config(tmp: Path, host: str, user: str, password: str) -> Path:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    path = tmp / "config.json"
    path.write_text(json.dumps({"auths": {host: {"auth": token}}}))
    return path
