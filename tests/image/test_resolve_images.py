"""``scan --resolve-images`` against a loopback registry that records every request: nothing is
asked without the flag; with it, each image's config decides the service's user and health
check, is read once per digest, and an image that cannot be read is a skip with the reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_servers import Handler, Server, serve
from image_builders import image_blobs, layer_tar, sha

from conftest import run_cli, run_json
from hullcheck.inputs.image import resolve
from hullcheck.inputs.image.resolve import (
    MAX_RESOLVED_IMAGES,
    RESOLVE_BUDGET_SECONDS,
    Resolution,
    Resolver,
)
from hullcheck.options import RunOptions

ROOT_CONFIG: dict[str, Any] = {"Labels": {"org.example": "x"}}
NONROOT_CONFIG: dict[str, Any] = {"User": "1000",
                                  "Healthcheck": {"Test": ["CMD", "true"]},
                                  "ExposedPorts": {"8080/tcp": {}}}


def _image(config: dict[str, Any]) -> tuple[bytes, dict[str, bytes]]:
    manifest, _cfg, blobs = image_blobs([layer_tar([])], config)
    return manifest, blobs


@pytest.fixture
def registry() -> Iterator[Server]:
    """``root`` (tags 1 and 2: one digest) runs as root with no health check; ``nonroot`` runs
    as 1000 with one; anything else is 404."""
    images = {"root": _image(ROOT_CONFIG), "nonroot": _image(NONROOT_CONFIG)}

    def route(h: Handler) -> None:
        parts = h.path.split("/")  # /v2/<repo>/manifests/<ref>, /v2/<repo>/blobs/<digest>
        if h.path == "/v2/":
            h.reply(200, b"{}")
            return
        if len(parts) == 5 and parts[2] in images:
            manifest, blobs = images[parts[2]]
            if parts[3] == "manifests" and parts[4] in ("1", "2", sha(manifest)):
                h.reply(200, manifest, {
                    "Content-Type": "application/vnd.oci.image.manifest.v1+json",
                    "Docker-Content-Digest": sha(manifest)})
                return
            if parts[3] == "blobs" and parts[4] in blobs:
                h.reply(200, blobs[parts[4]])
                return
        h.reply(404, b'{"errors": [{"code": "MANIFEST_UNKNOWN"}]}')

    with serve(route) as server:
        yield server


def _compose(tmp: Path, host: str) -> Path:
    path = tmp / "compose.yaml"
    path.write_text(
        "services:\n"
        f"  root:\n    image: {host}/root:1\n"
        f"  root-again:\n    image: {host}/root:2\n"
        f"  nonroot:\n    image: {host}/nonroot:1\n"
        f"  missing:\n    image: {host}/missing:1\n")
    return path


def _layered(doc: dict[str, Any]) -> set[tuple[str, str, str, int, tuple[str, ...]]]:
    return {(f["rule"], f["severity"], f["location"]["container"], f["location"]["line"],
             tuple(r["image"]["ref"] for r in f.get("related_locations", ())))
            for f in doc["findings"] if f["rule"] in ("CT015", "CT029")}


def test_no_registry_request_without_the_flag(
        registry: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compose = _compose(tmp_path, registry.netloc)
    _, doc, _ = run_json(capsys, "scan", str(compose), "--fail-on", "never",
                         "--insecure-registry", registry.netloc)
    assert registry.seen == []
    # the user stays unknown: low, no related location
    assert ("CT015", "low", "root", 2, ()) in _layered(doc)
    assert not [s for s in doc["skipped"] if s.get("rule") == "resolve-images"]


def test_the_image_config_decides(registry: Server, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    host = registry.netloc
    compose = _compose(tmp_path, host)
    _, doc, _ = run_json(capsys, "scan", str(compose), "--fail-on", "never",
                         "--resolve-images", "--insecure-registry", host)
    assert doc["errors"] == []
    assert _layered(doc) == {
        ("CT015", "high", "root", 2, (f"{host}/root:1",)),
        ("CT029", "low", "root", 2, (f"{host}/root:1",)),
        ("CT015", "high", "root-again", 4, (f"{host}/root:2",)),
        ("CT029", "low", "root-again", 4, (f"{host}/root:2",)),
        # nonroot: user 1000 and a health check in its config: nothing
        # missing: unknown, as without the flag, and a skip with the reason
        ("CT015", "low", "missing", 8, ()),
        ("CT029", "low", "missing", 8, ()),
    }
    root = next(f for f in doc["findings"] if f["rule"] == "CT015"
                and f["location"]["container"] == "root")
    assert root["message"] == (f"root: no `user:` is set and image {host}/root:1@"
                               f"{root['related_locations'][0]['image']['digest']} its config "
                               "sets no user: the container runs as root.")
    assert [s["reason"] for s in doc["skipped"] if s["rule"] == "resolve-images"] == [
        f"{host}/missing:1 ({compose}:8): not in the Docker Engine; {host}/missing:1: not "
        f"found in {host}; what its config would decide stays unknown"]
    # root:1 and root:2 are one digest: its config blob was read once
    blobs = [s.path for s in registry.seen if "/blobs/" in s.path]
    assert len(blobs) == len(set(blobs)) == 2  # root's config, nonroot's config


def test_the_count_of_images_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []

    def read(self: Resolver, ref: str, remaining: float) -> Resolution:
        reads.append(ref)
        return Resolution(skip="test")

    monkeypatch.setattr(Resolver, "_read", read)
    resolver = Resolver(RunOptions(resolve_images="config"))
    for i in range(MAX_RESOLVED_IMAGES + 2):
        resolver.resolve(f"example.test/app:{i}")
    resolver.resolve("example.test/app:0")  # cached: not read again
    assert len(reads) == MAX_RESOLVED_IMAGES
    assert resolver.resolve(f"example.test/app:{MAX_RESOLVED_IMAGES}").skip == \
        f"more than {MAX_RESOLVED_IMAGES} images in one run: not read"


def test_the_time_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    budgets: list[float] = []

    def read(self: Resolver, ref: str, remaining: float) -> Resolution:
        budgets.append(remaining)
        now[0] += RESOLVE_BUDGET_SECONDS * 0.75  # a slow registry
        return Resolution(skip="slow")

    monkeypatch.setattr(Resolver, "_read", read)
    resolver = Resolver(RunOptions(resolve_images="config"), clock=lambda: now[0])
    resolver.resolve("a.test/x:1")
    resolver.resolve("a.test/x:2")
    third = resolver.resolve("a.test/x:3")
    # each read gets what is left of the budget as its deadline; past it, a skip
    assert budgets == [RESOLVE_BUDGET_SECONDS, RESOLVE_BUDGET_SECONDS * 0.25]
    assert third.skip == (f"the {RESOLVE_BUDGET_SECONDS:.0f} s given to reading images is "
                          "spent: not read")


def test_a_bad_reference_is_a_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: 'UPPER/Case::x'\n")
    _, doc, _ = run_json(capsys, "scan", str(tmp_path / "compose.yaml"), "--fail-on", "never",
                         "--resolve-images")
    [skip] = [s for s in doc["skipped"] if s["rule"] == "resolve-images"]
    assert skip["reason"].startswith("UPPER/Case::x (")
    assert "not an image reference" in skip["reason"]
    _, out, _ = run_cli(capsys, "scan", str(tmp_path / "compose.yaml"), "--fail-on", "never",
                        "--resolve-images")
    assert "skipped resolve-images: UPPER/Case::x (" in out


def test_resolver_is_one_per_run() -> None:
    options = RunOptions(resolve_images="config")
    assert resolve.resolver_for(options) is resolve.resolver_for(options)
    assert resolve.resolver_for(RunOptions()) is None
    assert json.dumps(NONROOT_CONFIG)  # (the nonroot image is a real config)


@pytest.mark.parametrize(("raised", "skip"), [
    ("image", "app.test/x:1: layer too large"),
    ("other", "cannot be read (RuntimeError: boom)"),
])
def test_a_failing_read_is_a_skip(monkeypatch: pytest.MonkeyPatch, raised: str,
                                  skip: str) -> None:
    """An error reading an image (a refused layer with deep, anything a hostile answer
    provokes) is a skip with the reason, never a crash of the scan."""
    from hullcheck.inputs.image.layers import ImageError

    def fail(self: Resolver, ref: str, opts: Any) -> Any:
        raise ImageError(f"{ref}: layer too large") if raised == "image" else RuntimeError("boom")

    monkeypatch.setattr(Resolver, "_from_engine", fail)
    assert Resolver(RunOptions(resolve_images="deep")).resolve("app.test/x:1").skip == skip


def test_no_engine_is_asked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an engine, each image goes to its registry; the engine is not tried again for
    every image, and the skip says both reasons."""
    from hullcheck.inputs.image import sources
    from hullcheck.inputs.image.layers import ImageError

    calls: list[int] = []

    def no_engine(opts: Any) -> Any:
        calls.append(1)
        raise ImageError("Docker Engine not reachable: refused")

    def not_found(self: Resolver, ref: str, opts: Any) -> Any:
        raise ImageError(f"{ref}: not found in a.test")

    monkeypatch.setattr(sources, "engine_client", no_engine)
    monkeypatch.setattr(Resolver, "_from_registry", not_found)
    resolver = Resolver(RunOptions(resolve_images="config"))
    skips = [resolver.resolve(f"a.test/x:{i}").skip for i in range(3)]
    assert calls == [1]
    assert skips == [f"Docker Engine not reachable: refused; a.test/x:{i}: not found in a.test"
                     for i in range(3)]
