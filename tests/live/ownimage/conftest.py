"""hullcheck's own image, built on the real engine (``Dockerfile`` at the repository's root).

No image can be pulled here, so the base is made here: Debian bookworm with python3, python3-venv
and passwd, by ``mmdebstrap`` from Debian's packages (the mirror of ``/etc/apt``), ``docker
import``ed. The root file system tarball and the dependency wheels are cached across runs
(``HULLCHECK_TEST_CACHE``, default ``~/.cache/hullcheck-tests``); the base image and hullcheck's
image are built once per test run under unique, labelled tags and removed at its end.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live.dockertest import LABELS, RUN_ID, TEST_OWNER, no_engine

ROOT = Path(__file__).resolve().parents[3]
# What the base holds; the cached tarball is keyed by this list.
BASE_PACKAGES = ("python3", "python3-venv", "passwd")
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
BUILD_TIMEOUT = 900  # seconds: mmdebstrap, pip wheel


def cache_dir() -> Path:
    path = Path(os.environ.get("HULLCHECK_TEST_CACHE") or Path.home() / ".cache" /
                "hullcheck-tests")
    path.mkdir(parents=True, exist_ok=True)
    return path


def base_tarball() -> Path:
    """Debian with python3, made by mmdebstrap once and cached (keyed by suite and packages)."""
    key = hashlib.sha256(f"{SUITE} {MIRROR} {' '.join(BASE_PACKAGES)} nodev".encode()
                         ).hexdigest()[:12]
    tarball = cache_dir() / f"debian-{SUITE}-python3-{key}.tar"
    if tarball.exists():
        return tarball
    if not shutil.which("mmdebstrap"):
        no_engine("mmdebstrap is not installed (scripts/live-packages.sh installs it)")
    if os.geteuid() != 0:
        no_engine("making the base image with mmdebstrap needs root")
    partial = tarball.with_suffix(f".partial-{RUN_ID}")
    done = subprocess.run(
        ["mmdebstrap", "--quiet", "--variant=essential", "--mode=root", "--format=tar",
         # no device nodes in the image (the engine makes /dev): as in a registry's base image
         "--skip=output/dev",
         "--include=" + ",".join(BASE_PACKAGES), SUITE, str(partial), MIRROR],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        no_engine(f"mmdebstrap could not make the base: {done.stderr.strip()[-300:]}")
    partial.rename(tarball)
    return tarball


def dependency_wheels() -> Path:
    """hullcheck's dependencies (and the build backend) as wheels for this machine's Python,
    cached by the dependency list; the image's build installs from them with no index."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    key = hashlib.sha256("\n".join([sys.version, *requirements]).encode()).hexdigest()[:12]
    wheels = cache_dir() / f"wheels-{key}"
    if wheels.is_dir():
        return wheels
    partial = cache_dir() / f"wheels-{key}.partial-{RUN_ID}"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir",
                           str(partial), *requirements],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False)
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        no_engine(f"pip could not fetch hullcheck's dependencies: {done.stderr.strip()[-300:]}")
    partial.rename(wheels)
    return wheels


@pytest.fixture(scope="session")
def python_base(docker_client: Any) -> Iterator[str]:
    """The imported base image (Debian bookworm + python3), unique to this run."""
    tag = f"hullcheck-test/debian-python3:{TEST_OWNER}-{RUN_ID}"
    repo, _, version = tag.partition(":")
    label_change = " ".join(f'{k}="{v}"' for k, v in LABELS.items())
    with base_tarball().open("rb") as data:
        docker_client.api.import_image_from_data(
            data.read(), repository=repo, tag=version,
            changes=[f"LABEL {label_change}", 'CMD ["/usr/bin/python3"]'])
    yield tag
    with contextlib.suppress(Exception):
        docker_client.images.remove(tag, force=True, noprune=False)


@pytest.fixture(scope="session")
def own_image(docker_client: Any, python_base: str) -> Iterator[str]:
    """hullcheck's image built from the repository's Dockerfile on ``python_base``, offline."""
    tag = f"hullcheck-test/hullcheck:{TEST_OWNER}-{RUN_ID}"
    stage_tag = f"hullcheck-test/hullcheck-build:{TEST_OWNER}-{RUN_ID}"
    with tempfile.TemporaryDirectory(prefix="hullcheck-image-") as tmp:
        context = Path(tmp)
        for name in ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, context / name)
        shutil.copytree(ROOT / "src", context / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copytree(dependency_wheels(), context / "wheels")
        # The build stage is built and tagged first, so that it is removed with the image (the
        # classic builder leaves an earlier stage behind untagged); the final build reuses it.
        for target, name in (("build", stage_tag), ("", tag)):
            try:
                docker_client.images.build(
                    path=str(context), tag=name, target=target or None, rm=True, forcerm=True,
                    pull=False, buildargs={"BASE_IMAGE": python_base, "PIP_NO_INDEX": "1"},
                    labels=dict(LABELS), timeout=BUILD_TIMEOUT)
            except Exception as exc:
                log = "".join(str(line.get("stream", ""))
                              for line in getattr(exc, "build_log", []))
                pytest.fail(f"building hullcheck's image failed: {exc}\n{log[-3000:]}")
    yield tag
    for name in (tag, stage_tag):
        with contextlib.suppress(Exception):
            docker_client.images.remove(name, force=True, noprune=False)
