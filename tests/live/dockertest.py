"""Helpers for live Docker tests, importable as ``dockertest`` (the fixtures are in conftest).

Everything a live test creates carries the label ``hullcheck.test=<owner>`` (``host`` by default,
``HULLCHECK_TEST_OWNER`` to change it); tests remove only what they created.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tarfile
import uuid
from pathlib import Path
from typing import Any, NoReturn

import pytest

TEST_LABEL = "hullcheck.test"
TEST_OWNER = os.environ.get("HULLCHECK_TEST_OWNER", "host")
LABELS = {TEST_LABEL: TEST_OWNER}
RUN_ID = uuid.uuid4().hex[:8]
APPLETS = ("sh", "sleep", "true", "cat", "ls", "ps", "id", "nc", "httpd", "printf", "chmod")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def no_engine(reason: str) -> NoReturn:
    """Skip locally, fail in CI: a CI run that skips the live tests proves nothing."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def find_busybox() -> Path | None:
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    found = shutil.which("busybox")
    return Path(found) if found else None


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def busybox_rootfs_tar(busybox: Path) -> bytes:
    """A minimal root file system: busybox plus the applet links test containers use."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for d in ("bin", "tmp", "etc", "proc", "sys", "dev"):
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if d == "tmp" else 0o755
            tar.addfile(info)
        _add(tar, "bin/busybox", busybox.read_bytes(), 0o755)
        for applet in APPLETS:
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        _add(tar, "etc/passwd",
             b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", 0o644)
    return buf.getvalue()


def remove_container(container: Any) -> None:
    """Remove a test container with its anonymous volumes and its custom cgroup parent folder
    (the cgroupfs driver leaves ``<controller>/<parent>`` behind)."""
    parent = ""
    with contextlib.suppress(Exception):
        parent = container.attrs.get("HostConfig", {}).get("CgroupParent") or ""
    with contextlib.suppress(Exception):
        container.remove(force=True, v=True)
    if parent and "hullcheck" in parent:
        root = Path("/sys/fs/cgroup")
        for folder in [*sorted(root.glob(f"*/{parent.strip('/')}")), root / parent.strip("/")]:
            with contextlib.suppress(OSError):
                folder.rmdir()
