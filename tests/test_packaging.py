"""The package installs anywhere: ``python -m build`` makes an sdist and a wheel (the wheel built
from the sdist, so the sdist is complete) with complete metadata; the wheel installed into a fresh
virtualenv runs a scan; ``pipx install git+file://...`` works.

The tree is copied first (the files git tracks or would track, uncommitted changes included), so
building never writes ``build/`` or ``*.egg-info`` into the checkout. Installs fetch the
dependencies from the package index: marked ``slow`` (about 30 s in all).
"""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH") and not k.startswith(("PIPX_", "GIT_"))}
    env.update(extra)
    return env


def _run(*args: str | Path, cwd: Path | None = None, **env: str
         ) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, env=_env(**env), capture_output=True,
                          text=True, timeout=600)
    return proc


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout as git sees it, copied, and committed as a repository of its own."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    dest = tmp_path_factory.mktemp("source") / "hullcheck"
    for name in filter(None, files):
        src = ROOT / os.fsdecode(name)
        if src.is_file() and not src.is_symlink():
            (dest / src.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / src.relative_to(ROOT))
    ident = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
             "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
             "GIT_CONFIG_GLOBAL": os.devnull}
    for cmd in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                ["git", "commit", "-q", "-m", "snapshot"]):
        proc = _run(*cmd, cwd=dest, **ident)
        assert proc.returncode == 0, proc.stderr
    return dest


@pytest.fixture(scope="module")
def dists(source: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    proc = _run(sys.executable, "-m", "build", "--outdir", out, source)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    found = {p.suffix if p.suffix == ".whl" else ".tar.gz": p for p in out.iterdir()}
    assert set(found) == {".whl", ".tar.gz"}, sorted(out.iterdir())
    return found


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(zf.read(name))


def test_wheel_metadata_is_complete(dists: dict[str, Path]) -> None:
    meta = _metadata(dists[".whl"])
    from hullcheck import __version__

    assert meta["Name"] == "hullcheck" and meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Description-Content-Type"] == "text/markdown"
    body = meta.get_payload()
    assert isinstance(body, str) and body.startswith("# hullcheck")  # the README
    classifiers = meta.get_all("Classifier") or []
    for c in ("Programming Language :: Python :: 3.11", "Topic :: Security", "Typing :: Typed",
              "Environment :: Console"):
        assert c in classifiers
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    with zipfile.ZipFile(dists[".whl"]) as zf:
        names = set(zf.namelist())
    assert "hullcheck/py.typed" in names
    assert "hullcheck/data/cis-docker-1.6.tsv" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
    with tarfile.open(dists[".tar.gz"]) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"LICENSE", "README.md", "pyproject.toml", "src/hullcheck/py.typed"} <= members


def test_wheel_installs_into_a_fresh_venv_and_scans(dists: dict[str, Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    proc = _run(venv / "bin" / "python", "-m", "pip", "install", "-q",
                "--disable-pip-version-check", dists[".whl"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = _run(venv / "bin" / "hullcheck", "scan", ROOT / "examples", "--format", "json",
                cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    installed = json.loads(proc.stdout)
    from conftest import run_cli

    _, here, _ = run_cli(capsys, "scan", str(ROOT / "examples"), "--format", "json")
    assert installed["findings"] == json.loads(here)["findings"]
    assert len(installed["findings"]) > 20
    # the installed package is the one that ran, not this checkout's src/
    proc = _run(venv / "bin" / "python", "-c", "import hullcheck; print(hullcheck.__file__)")
    assert proc.stdout.startswith(str(venv))


def test_pipx_installs_from_a_git_url(source: Path, tmp_path: Path) -> None:
    home, bin_dir = tmp_path / "pipx-home", tmp_path / "bin"
    env = {"PIPX_HOME": str(home), "PIPX_BIN_DIR": str(bin_dir),
           "PIPX_MAN_DIR": str(tmp_path / "man"), "PIPX_DEFAULT_PYTHON": sys.executable}
    proc = _run(sys.executable, "-m", "pipx", "install", f"git+file://{source}@main", **env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    from hullcheck import __version__

    proc = _run(bin_dir / "hullcheck", "--version", **env)
    assert proc.returncode == 0 and proc.stdout.strip() == f"hullcheck {__version__}"
    proc = _run(bin_dir / "hullcheck", "scan", "examples/web/Dockerfile", "--format", "concise",
                cwd=ROOT, **env)
    assert proc.returncode == 1 and "examples/web/Dockerfile:1:1: HIGH DF001" in proc.stdout
