"""Images from the local Docker Engine (streamed through the Engine API), and skopeo pushes."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

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
    assert key == {(f.rule, f.location.path, f.location.layer) for f in remote.findings}
