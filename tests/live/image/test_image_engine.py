"""Images from the local Docker Engine (streamed through the Engine API), and skopeo pushes."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from image_live import LABEL, Registry, unavailable
from test_image_files import run

pytestmark = pytest.mark.live
TAG = "hullcheck-test-image/app:1"


@pytest.fixture(scope="module")
def engine_image(docker_api: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    busybox = Path("/bin/busybox")
    if not busybox.is_file():
        unavailable("busybox-static is not installed (/bin/busybox)")
    api = docker_api
    ctx = tmp_path_factory.mktemp("ctx")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        tf.add(busybox, "bin/busybox")
        info = tarfile.TarInfo("bin/sh")
        info.type = tarfile.SYMTYPE
        info.linkname = "busybox"
        tf.addfile(info)
    base = api.import_image_from_data(
        buf.getvalue(),
        repository="hullcheck-test-image/base",  # type: ignore[attr-defined]
        tag="1",
        changes=[f"LABEL {LABEL}"],
    )
    assert base
    (ctx / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n")
    (ctx / "Dockerfile").write_text(
        "FROM hullcheck-test-image/base:1\n"
        f"LABEL {LABEL}\n"
        "COPY id_rsa /root/.ssh/id_rsa\n"
        "RUN rm /root/.ssh/id_rsa && mkdir -m 777 /data && chmod 4755 /bin/busybox\n"
        "USER 1000\n"
    )
    out = list(api.build(path=str(ctx), tag=TAG, rm=True, decode=True))  # type: ignore[attr-defined]
    if not any("Successfully tagged" in str(o.get("stream", "")) for o in out):
        pytest.fail(f"docker build failed: {out[-3:]}")
    yield TAG
    for ref in (TAG, "hullcheck-test-image/base:1"):
        api.remove_image(ref, force=True)  # type: ignore[attr-defined]


def test_engine_image(engine_image: str) -> None:
    report = run([engine_image])
    assert not report.errors, report.errors
    got = {(f.rule, f.location.path) for f in report.findings if f.rule != "IMG018"}
    assert got == {
        ("IMG002", None),
        ("IMG009", "/data"),
        ("IMG010", "/bin/busybox"),
        ("IMG011", "/root/.ssh/id_rsa"),  # deleted by the RUN layer, still in the COPY layer
    }
    secret = next(f for f in report.findings if f.rule == "IMG011")
    assert "deleted or replaced in a later layer" in secret.message
    assert secret.location.layer and secret.location.layer.startswith("sha256:")
    assert any("local Docker Engine" in w for w in report.warnings)


def test_skopeo_push_then_remote(engine_image: str, registry: Registry, tmp_path: Path) -> None:
    if shutil.which("skopeo") is None:
        unavailable("skopeo is not installed")
    archive = tmp_path / "app.tar"
    subprocess.run(["docker", "save", "-o", str(archive), engine_image], check=True)
    subprocess.run(
        [
            "skopeo",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
            f"docker-archive:{archive}",
            f"docker://{registry.host}/skopeo/app:1",
        ],
        check=True,
    )
    local = run([str(archive)])
    remote = run(
        [f"{registry.host}/skopeo/app:1", "--remote", "--insecure-registry", registry.host]
    )
    assert not remote.errors, remote.errors
    key = {(f.rule, f.location.path, f.location.layer) for f in local.findings}
    # The same image, the same findings; content trust (IMG018) only where it was named.
    assert key | {("IMG018", None, None)} == {
        (f.rule, f.location.path, f.location.layer) for f in remote.findings}
    assert not any(f.rule == "IMG018" for f in local.findings)


# --- item: a local image is verified by the digest of what will run ---------------------------

def _import(api: Any, files: dict[str, bytes], repository: str, tag: str) -> str:
    """An engine image made with `docker import` from busybox plus ``files``; its id."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        tf.add("/bin/busybox", "bin/busybox")
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    out = api.import_image_from_data(buf.getvalue(), repository=repository, tag=tag,
                                     changes=[f"LABEL {LABEL}", "USER 1000"])
    return str(api.inspect_image(f"{repository}:{tag}")["Id"]) if out else ""


def _push(api: Any, repository: str, tag: str) -> str:
    for line in api.push(repository, tag=tag, stream=True, decode=True):
        assert "error" not in line, line
    digests = api.inspect_image(f"{repository}:{tag}")["RepoDigests"]
    [digest] = [d.split("@")[1] for d in digests if d.startswith(repository + "@")]
    return str(digest)


def _signature_findings(capsys: pytest.CaptureFixture[str], *args: str
                        ) -> tuple[int, list[str], list[str]]:
    from hullcheck.cli import main

    code = main(["image", *args, "--format", "json", "--select", "IMG017"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert not doc["errors"], doc["errors"]
    return code, [f["message"] for f in doc["findings"]], err.splitlines()


def test_local_image_does_not_inherit_the_registrys_signature(
        docker_api: Any, registry: Registry, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/bin/busybox").is_file():
        unavailable("busybox-static is not installed (/bin/busybox)")
    from test_image_registry import SIGNER, sign_classic

    key = str(SIGNER.write_public(tmp_path / "cosign.pub"))
    flags = ("--key", key, "--insecure-registry", registry.host)
    repo = f"{registry.host}/local/app"
    made: list[str] = []
    pushed = ""
    try:
        made.append(f"{repo}:1")
        _import(docker_api, {"etc/release": b"signed\n"}, repo, "1")
        pushed = _push(docker_api, repo, "1")
        sign_classic(registry, "local/app", pushed)
        # the pushed image: its repo digest is what the registry signed
        code, found, warnings = _signature_findings(capsys, f"{repo}:1", *flags)
        assert (code, found) == (0, [])
        assert any("read from the local Docker Engine" in w for w in warnings)

        # a local build retagged as reg/app:1: the registry's tag is still the signed image
        _import(docker_api, {"etc/release": b"local, unsigned\n"}, repo, "1")
        code, found, _ = _signature_findings(capsys, f"{repo}:1", *flags)
        assert code == 1 and len(found) == 1
        assert found[0].startswith(f"unverifiable: {repo}:1: a local image with no registry"
                                   f" digest for {repo}")
        # ... while the registry's image itself still verifies
        code, found, _ = _signature_findings(capsys, f"{repo}:1", *flags, "--remote")
        assert (code, found) == (0, [])

        # the signed image retagged into another repository: no digest there either
        docker_api.tag(f"{repo}@{pushed}", f"{registry.host}/local/other", "1")
        made.append(f"{registry.host}/local/other:1")
        code, found, _ = _signature_findings(capsys, f"{registry.host}/local/other:1", *flags)
        assert code == 1 and found[0].startswith("unverifiable: ")
    finally:
        for ref in [*made, f"{repo}@{pushed}" if pushed else ""]:
            with contextlib.suppress(Exception):
                if ref:
                    docker_api.remove_image(ref, force=True)


def test_engine_image_progress_in_a_terminal(engine_image: str, tmp_path: Path) -> None:
    """Read from the engine on a terminal (a real pty): the bytes streamed, of about the
    image's size; into a pipe, nothing."""
    import re

    from ptyrun import CLI, EAGER
    from ptyrun import run as run_cli

    args = ["image", engine_image, "--format", "json", "--fail-on", "never"]
    ran = run_cli(EAGER + CLI, args, tmp_path)
    assert ran.code == 0 and json.loads(ran.stdout)["errors"] == []
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", ran.stderr.decode("utf-8", "replace"))
    assert f"reading {engine_image} from the Docker Engine" in text
    assert re.search(r"\d+(\.\d)? [kM]B of \d+(\.\d)? [kM]B", text), text[-500:]
    piped = run_cli(EAGER + CLI, args, tmp_path, terminal=False)
    assert piped.code == 0 and piped.modules == ""
    assert piped.stderr.decode() == (f"hullcheck: warning: {engine_image}: read from the local"
                                     f" Docker Engine (image {_short_id(ran.stdout)})\n")


def _short_id(report: bytes) -> str:
    digest = json.loads(report)["findings"][0]["location"]["image"]["digest"]
    return str(digest)[:19]
