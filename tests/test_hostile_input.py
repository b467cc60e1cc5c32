"""Hostile input never produces a traceback, and time and memory stay bounded.

Bounds asserted here: any single input below is handled in under 10 s (most in milliseconds) and
the process's peak RSS grows by less than 512 MiB; oversized files are refused up front
(Dockerfiles over 1 MiB, any file over 64 MiB).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_cli, run_json
from hullcheck.cli import main

TOKENS = [
    "FROM", "RUN", "COPY", "ADD", "USER", "ENV", "ARG", "EXPOSE", "HEALTHCHECK", "ONBUILD",
    "SHELL", "CMD", "ENTRYPOINT", "WORKDIR", "LABEL", "VOLUME", "STOPSIGNAL", " AS ", "--from=",
    "--mount=type=cache,from=x", "alpine", "$X", "${X:-y}", "\\\n", "\n", " ", "<<EOF\n",
    "EOF\n", "#", "# escape=`\n", "# syntax=x\n", '["a", "b"', "]", "|", "&&", ";", "'", '"',
    "curl -k http://x | sh", "chmod 4777 /", "scratch", "\t", "\x00", "é", "\r\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_mutated_dockerfiles_never_crash(tmp_path_factory: pytest.TempPathFactory,
                                         parts: list[str]) -> None:
    d = tmp_path_factory.mktemp("fuzz")
    p = d / "Dockerfile"
    p.write_bytes("".join(parts).encode("utf-8", "surrogatepass"))
    code = main(["scan", str(p), "--format", "json", "-o", str(d / "out.json")])
    assert code in (0, 1, 2)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=4096))
def test_binary_junk(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    d = tmp_path_factory.mktemp("junk")
    p = d / "Dockerfile"
    p.write_bytes(data)
    code = main(["scan", str(p), "--format", "json", "-o", str(d / "out.json")])
    assert code in (0, 1, 2)


def test_binary_file_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    code, _, err = run_cli(capsys, "scan", str(p))
    assert code == 2
    assert err.strip().count("\n") == 0 and "binary" in err and str(p) in err


def test_broken_dockerfile_reports_and_scan_goes_on(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.Dockerfile").write_text("RUN echo no from\n")
    (tmp_path / "b.Dockerfile").write_text("FROM node:latest\n")
    code, doc, _ = run_json(capsys, "scan", str(tmp_path))
    assert code == 2
    assert [e["path"] for e in doc["errors"]] == [str(tmp_path / "a.Dockerfile")]
    assert {f["location"]["path"] for f in doc["findings"]} == {str(tmp_path / "b.Dockerfile")}


def test_50mb_file_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "Dockerfile"
    line = b"RUN echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
    with p.open("wb") as fh:
        fh.write(b"FROM alpine:3.20\n")
        for _ in range(50 * 1024 * 1024 // len(line)):
            fh.write(line)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    code, _, err = run_cli(capsys, "scan", str(p))
    elapsed = time.monotonic() - start
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert code == 2 and "too large" in err
    assert elapsed < 10, elapsed
    assert grown_mib < 512, grown_mib


def test_huge_file_refused_before_reading(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "Dockerfile"
    with p.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    start = time.monotonic()
    code, _, err = run_cli(capsys, "scan", str(p))
    assert code == 2 and "too large" in err
    assert time.monotonic() - start < 5


def test_broken_symlinks_and_loops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1\nHEALTHCHECK CMD true\n")
    (root / "sub" / "loop").symlink_to(root)  # a directory loop
    (root / "dangling").symlink_to(root / "nowhere")
    start = time.monotonic()
    code, doc, _ = run_json(capsys, "scan", str(root), "--verbose")
    assert time.monotonic() - start < 10
    assert code == 0 and doc["errors"] == []
    # An explicitly named broken link is an error.
    code, _, err = run_cli(capsys, "scan", str(root / "dangling"))
    assert code == 2 and "broken symbolic link" in err


def test_fifo_is_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, "scan", str(fifo))
    assert code == 2 and "not a regular file" in err


SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(os.geteuid() != 0 or SETPRIV is None,
                    reason="needs root and setpriv to drop the DAC override capabilities")
def test_unreadable_file(tmp_path: Path) -> None:
    # Root reads everything; without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH a mode-000 file is
    # unreadable even to its owner, which is what an unprivileged user meets.
    secret = tmp_path / "Dockerfile"
    secret.write_text("FROM alpine:3.20\n")
    secret.chmod(0o000)
    ok = tmp_path / "ok.Dockerfile"
    ok.write_text("FROM node:latest\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    drop = "-dac_override,-dac_read_search"
    proc = subprocess.run([str(SETPRIV), f"--inh-caps={drop}", f"--bounding-set={drop}",
                           sys.executable, "-m", "hullcheck", "scan", str(secret), str(ok),
                           "--format", "json"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{secret}: cannot read: Permission denied" in proc.stderr
    assert '"DF003"' in proc.stdout  # the rest of the scan went on


def test_unknown_explicit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("hello\n")
    code, _, err = run_cli(capsys, "scan", str(p))
    assert code == 2 and "not a Dockerfile" in err


def test_non_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "Dockerfile"
    p.write_bytes(b"FROM alpine\nRUN echo \xff\xfe\n")
    code, _, err = run_cli(capsys, "scan", str(p))
    assert code == 2 and "not UTF-8" in err
