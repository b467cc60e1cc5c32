"""``hullcheck image`` shows its progress on a terminal (a real pty): the bytes and layers of a
registry pull, the bytes of a tarball, the layers of an OCI layout; into a pipe, nothing."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hostile_servers import Handler, serve
from image_builders import M, image_blobs, layer_tar, write_docker_save, write_oci_layout
from rich.filesize import decimal

from ptyrun import CLI, EAGER, run

SGR = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
# Random content: the layers stay about their size compressed (three of ~50 kB).
LAYERS = [layer_tar([M(f"data/{i}", random.Random(i).randbytes(50_000))]) for i in range(3)]
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def plain(tty: bytes) -> str:
    return SGR.sub(b"", tty).decode("utf-8", "replace")


@pytest.fixture(autouse=True)
def _no_env_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_AUTH_CONFIG", raising=False)


def registry(manifest: bytes, blobs: dict[str, bytes]) -> object:
    def route(h: Handler) -> None:
        kind, ref = h.path.split("?")[0].split("/")[-2:]
        if kind == "manifests" and ref == "1":
            return h.reply(200, manifest, {"Content-Type": OCI_MANIFEST})
        if kind == "blobs" and ref in blobs:
            return h.reply(200, blobs[ref], {"Content-Type": "application/octet-stream"})
        return h.reply(404, b'{"errors":[{"code":"NOT_FOUND"}]}')

    return route


@pytest.mark.parametrize("terminal", [True, False])
def test_registry_pull_shows_bytes_and_layers(tmp_path: Path, terminal: bool) -> None:
    manifest, _cfg, blobs = image_blobs(LAYERS)
    total = sum(layer["size"] for layer in json.loads(manifest)["layers"])
    with serve(registry(manifest, blobs)) as server:  # type: ignore[arg-type]
        name = f"{server.netloc}/app:1"
        ran = run(EAGER + CLI, ["image", name, "--remote", "--insecure-registry", server.netloc,
                                "--format", "json", "--fail-on", "never"], tmp_path,
                  terminal=terminal)
    assert ran.code == 0 and json.loads(ran.stdout)["errors"] == []
    if not terminal:
        assert ran.stderr == b"" and ran.modules == ""
        return
    text = plain(ran.stderr)
    for i in (1, 2, 3):
        assert f"pulling {name}: layer {i}/3" in text
    assert total > 150_000
    assert f"0 bytes of {decimal(total)}" in text
    assert f"{decimal(total)} of {decimal(total)}" in text
    assert ran.stderr.count(b"\x1b[?25l") == 1 and ran.stderr.endswith(b"\x1b[?25h\r")
    # Each frame fits the terminal's 100 columns: the description gives way, nothing wraps.
    assert max(len(frame) for frame in re.split(r"[\r\n]", text)) <= 100


def test_tarball_and_layout_show_what_is_read(tmp_path: Path) -> None:
    write_docker_save(tmp_path / "img.tar", LAYERS)
    manifest, _cfg, blobs = image_blobs(LAYERS)
    write_oci_layout(tmp_path / "layout", manifest, blobs)
    ran = run(EAGER + CLI, ["image", "img.tar", "layout", "--format", "json",
                            "--fail-on", "never"], tmp_path)
    assert ran.code == 0
    text = plain(ran.stderr)
    size = (tmp_path / "img.tar").stat().st_size
    assert "reading img.tar" in text and f"{decimal(size)} of {decimal(size)}" in text
    for i in (1, 2, 3):
        assert f"reading layout: layer {i}/3" in text
    piped = run(EAGER + CLI, ["image", "img.tar", "layout", "--format", "json",
                              "--fail-on", "never"], tmp_path, terminal=False)
    assert piped.code == 0 and piped.stderr == b"" and piped.modules == ""
    assert json.loads(piped.stdout)["findings"] == json.loads(ran.stdout)["findings"]
