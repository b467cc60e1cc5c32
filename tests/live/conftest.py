"""Fixtures for tests that need a real Docker Engine (``@pytest.mark.live``).

- ``docker_client``: a client for the engine that answers (``DOCKER_HOST`` honoured). Without
  one the test is skipped with the reason, except under ``CI=true`` where it fails: CI must run
  these tests (``scripts/docker-engine.sh`` provides the engine there).
- ``busybox_image``: a base image built with ``docker import`` from the host's static busybox
  (Debian ``busybox-static``); nothing is pulled. Session-scoped, labelled, removed at the end.
- ``make_container``: creates labelled containers (started or not) and removes them afterwards,
  with their anonymous volumes.
Everything a live test creates carries the label ``hullcheck.test=<branch>``; tests remove only
what they created.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TEST_LABEL = "hullcheck.test"
TEST_OWNER = os.environ.get("HULLCHECK_TEST_OWNER", "host")
LABELS = {TEST_LABEL: TEST_OWNER}
RUN_ID = uuid.uuid4().hex[:8]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def no_engine(reason: str) -> None:
    """Skip locally, fail in CI: a CI run that skips the live tests proves nothing."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    try:
        import docker
    except ImportError:
        no_engine("the docker SDK is not installed")
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:
        host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        no_engine(f"no Docker Engine answers on {host}: {str(exc).splitlines()[0][:200]}")
    yield client
    client.close()


def find_busybox() -> Path | None:
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    found = shutil.which("busybox")
    return Path(found) if found else None


def busybox_rootfs_tar(busybox: Path) -> bytes:
    """A minimal root filesystem: busybox plus the applet links a test container needs."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for d in ("bin", "tmp", "etc", "proc", "sys", "dev"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if d == "tmp" else 0o755
            tar.addfile(info)
        data = busybox.read_bytes()
        info = tarfile.TarInfo("bin/busybox")
        info.size = len(data)
        info.mode = 0o755
        tar.addfile(info, io.BytesIO(data))
        for applet in ("sh", "sleep", "true", "cat", "ls", "ps", "id", "nc", "httpd"):
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        passwd = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"
        info = tarfile.TarInfo("etc/passwd")
        info.size = len(passwd)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(passwd))
    return buf.getvalue()


@pytest.fixture(scope="session")
def busybox_image(docker_client: Any) -> Iterator[str]:
    """Tag of a busybox base image imported from the host's static busybox."""
    busybox = find_busybox()
    if busybox is None:
        no_engine("no static busybox on this machine (install Debian's busybox-static)")
    assert busybox is not None
    tag = f"hullcheck-test/busybox:{TEST_OWNER}-{RUN_ID}"
    repo, _, version = tag.partition(":")
    label_change = " ".join(f'{k}="{v}"' for k, v in LABELS.items())
    docker_client.api.import_image_from_data(
        busybox_rootfs_tar(busybox),
        repository=repo,
        tag=version,
        changes=[f"LABEL {label_change}", 'CMD ["/bin/sh"]'],
    )
    yield tag
    try:
        docker_client.images.remove(tag, force=True, noprune=False)
    except Exception:
        pass


@pytest.fixture
def make_container(docker_client: Any, busybox_image: str) -> Iterator[Callable[..., Any]]:
    """``make_container(start=True, command=..., **create_kwargs)`` -> Container.

    Keyword arguments are those of ``client.containers.create``; labels are merged with the test
    label. Everything made here is removed (with anonymous volumes) when the test ends."""
    made: list[Any] = []

    def make(*, start: bool = True, image: str | None = None, **kwargs: Any) -> Any:
        labels = {**LABELS, **kwargs.pop("labels", {})}
        kwargs.setdefault("command", ["sleep", "3600"])
        kwargs.setdefault("name", f"hullcheck-{TEST_OWNER}-{RUN_ID}-{uuid.uuid4().hex[:6]}")
        container = docker_client.containers.create(
            image or busybox_image, labels=labels, **kwargs
        )
        made.append(container)
        if start:
            container.start()
            container.reload()
        return container

    yield make
    for container in made:
        try:
            container.remove(force=True, v=True)
        except Exception:
            pass
