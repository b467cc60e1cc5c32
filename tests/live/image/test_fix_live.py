"""``hullcheck fix`` against the real Docker Engine and a real registry (docker-registry on
127.0.0.1): digests pinned from what the engine recorded for a pushed image, and the fixed
Dockerfile (pinned FROM, BusyBox user creation, final USER) built and run by the engine.

The base is a static busybox imported with ``docker import`` (nothing is pulled), pushed to the
loopback registry so that the engine records its registry digest. The build goes through the
Engine API's builder: this machine's docker client has no buildx plugin, so
``DOCKER_BUILDKIT=1 docker build`` is not available here.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from image_live import Registry

from conftest import run_cli
from live.dockertest import LABELS, RUN_ID, TEST_OWNER, find_busybox

pytestmark = pytest.mark.live

APPLETS = ("sh", "id", "true")
# Debian's busybox-static (the only busybox here) is built without the adduser applet: a stand-in
# that takes exactly the flags the fix writes (-D -H -u UID NAME) and refuses any other, so the
# build proves the generated line runs and the USER it names exists.
ADDUSER = b"""#!/bin/sh
uid=
while [ $# -gt 1 ]; do
  case "$1" in
    -D|-H) shift ;;
    -u) uid=$2; shift 2 ;;
    *) echo "adduser: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$uid" ] && [ $# -eq 1 ] || exit 2
echo "$1:x:$uid:$uid::/home/$1:/bin/sh" >> /etc/passwd
"""


def _rootfs(busybox: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for d in ("bin", "tmp", "etc", "home"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if d == "tmp" else 0o755
            tar.addfile(info)

        def add(name: str, data: bytes, mode: int) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))

        add("bin/busybox", busybox.read_bytes(), 0o755)
        for applet in APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname = tarfile.SYMTYPE, "busybox"
            tar.addfile(link)
        add("bin/adduser", ADDUSER, 0o755)
        add("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", 0o644)
        add("etc/group", b"root:x:0:\n", 0o644)
    return buf.getvalue()


@pytest.fixture
def pushed_base(docker_api: Any, registry: Registry) -> Iterator[tuple[str, str]]:
    """(reference, registry digest) of a busybox base pushed to the loopback registry."""
    busybox = find_busybox()
    if busybox is None:
        pytest.skip("no static busybox on this machine (install Debian's busybox-static)")
    assert busybox is not None
    repo = f"{registry.host}/hullcheck-fix/busybox"
    tag = f"{TEST_OWNER}-{RUN_ID}"
    label = " ".join(f'{k}="{v}"' for k, v in LABELS.items())
    docker_api.import_image_from_data(_rootfs(busybox), repository=repo, tag=tag,
                                      changes=[f"LABEL {label}"])
    ref = f"{repo}:{tag}"
    try:
        out = [json.loads(line) for line in
               docker_api.push(repo, tag=tag, stream=True) if line.strip()]
        assert not [o for o in out if "error" in o], out
        digests = docker_api.inspect_image(ref)["RepoDigests"]
        digest = next(d.split("@", 1)[1] for d in digests if d.startswith(repo + "@"))
        yield ref, digest
    finally:
        docker_api.remove_image(ref, force=True)


def test_pins_and_user_build_and_run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     docker_api: Any, pushed_base: tuple[str, str]) -> None:
    ref, digest = pushed_base
    work = tmp_path / "app"
    work.mkdir()
    (work / "Dockerfile").write_text(f"FROM {ref} AS base\nCMD [\"id\", \"-u\"]\n")
    (work / "compose.yaml").write_text(f'services:\n  app:\n    image: "{ref}"  # the app\n')
    (work / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers:\n"
        f"  - name: app\n    image: {ref}\n")
    config = tmp_path / "hullcheck.yaml"
    config.write_text("trust:\n  require-digest: true\n")
    code, out, err = run_cli(capsys, "fix", "--unsafe-fixes", "--config", str(config),
                             "--select", "DF005,CT028,DF001", "--fail-on", "never", str(work))
    assert (code, err) == (0, "")
    pinned = f"{ref}@{digest}"
    assert (work / "Dockerfile").read_text() == (
        f"FROM {pinned} AS base\nCMD [\"id\", \"-u\"]\n"
        "RUN adduser -D -H -u 10001 app\nUSER 10001\n")
    assert (work / "compose.yaml").read_text() == \
        f'services:\n  app:\n    image: "{pinned}" # the app\n'  # (the column moved right)
    assert (work / "pod.yaml").read_text().endswith(f"  - name: app\n    image: {pinned}\n")
    assert out.splitlines()[-1] == "4 finding(s) fixed in 3 file(s); 0 left"
    # Re-scanned: nothing left of those rules; fixed again: nothing to do.
    code, _, _ = run_cli(capsys, "scan", "--config", str(config), "--select",
                         "DF005,CT028,DF001", str(work))
    assert code == 0
    assert run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--config", str(config),
                   "--select", "DF005,CT028,DF001", str(work))[:2] == (0, "")
    # The engine builds the fixed Dockerfile from the pinned base, and it runs as uid 10001.
    image = f"hullcheck-fix-built:{TEST_OWNER}-{RUN_ID}"
    (work / "Dockerfile").write_text((work / "Dockerfile").read_text()
                                     + "".join(f'LABEL {k}="{v}"\n' for k, v in LABELS.items()))
    logs = list(docker_api.build(path=str(work), tag=image, rm=True, forcerm=True, decode=True))
    try:
        assert any("Successfully tagged" in str(o.get("stream", "")) for o in logs), logs[-3:]
        container = docker_api.create_container(image, labels=LABELS)
        try:
            docker_api.start(container)
            assert docker_api.wait(container, timeout=60)["StatusCode"] == 0
            assert docker_api.logs(container).decode().strip() == "10001"
            assert docker_api.inspect_image(image)["Config"]["User"] == "10001"
        finally:
            docker_api.remove_container(container, force=True)
    finally:
        with contextlib.suppress(Exception):  # (not there when the build failed)
            docker_api.remove_image(image, force=True)


def test_an_image_the_engine_never_pushed_is_not_pinned(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], docker_api: Any) -> None:
    f = tmp_path / "compose.yaml"
    text = "services:\n  app:\n    image: hullcheck-fix-never-pushed/app:latest\n"
    f.write_text(text)
    _, out, _ = run_cli(capsys, "fix", "--select", "CT028", "--fail-on", "never", str(f))
    assert f.read_text() == text
    assert ("CT028: not fixed: the Docker Engine has no registry digest for "
            "hullcheck-fix-never-pushed/app:latest (pull it, or push it, first; or "
            "--registry-digests)") in out


def test_registry_digests_pin_what_the_registry_serves(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: Registry) -> None:
    """An image this engine never pulled: with --registry-digests its tag is resolved by the
    registry (plain HTTP on loopback with --insecure-registry); without, it is left alone."""
    from image_builders import M, image_blobs, layer_tar

    manifest, _cfg, blobs = image_blobs([layer_tar([M("app/run", b"#!/bin/sh\n", 0o755)])])
    repo = f"hullcheck-fix/{TEST_OWNER}-{RUN_ID}"
    digest = registry.push(repo, "1.0", manifest, blobs)
    ref = f"{registry.host}/{repo}:1.0"
    f = tmp_path / "compose.yaml"
    text = f"services:\n  app:\n    image: {ref}\n"
    f.write_text(text)
    config = tmp_path / "hullcheck.yaml"
    config.write_text("trust:\n  require-digest: true\n")
    _, out, _ = run_cli(capsys, "fix", "--config", str(config), "--select", "CT028",
                        "--fail-on", "never", str(f))
    assert f.read_text() == text
    assert (f"CT028: not fixed: the Docker Engine has no registry digest for {ref} (pull it, or "
            "push it, first; or --registry-digests)") in out
    code, out, err = run_cli(capsys, "fix", "--config", str(config), "--select", "CT028",
                             "--registry-digests", "--insecure-registry", registry.host,
                             "--fail-on", "never", str(f))
    assert (code, err) == (0, "")
    assert f.read_text() == f"services:\n  app:\n    image: {ref}@{digest}\n"
    # A tag the registry does not have: one line, nothing written.
    g = tmp_path / "other.yaml"
    g.write_text(f"services:\n  app:\n    image: {registry.host}/{repo}:2.0\n")
    _, out, _ = run_cli(capsys, "fix", "--config", str(config), "--select", "CT028",
                        "--registry-digests", "--insecure-registry", registry.host,
                        "--fail-on", "never", str(g))
    assert f"CT028: not fixed: {registry.host}/{repo}:2.0: not found in its registry" in out
