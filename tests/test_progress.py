"""Progress of long work on stderr: drawn on a real terminal (a pty), never into a pipe.

The child processes here draw from the first step and at every step (``ptyrun.EAGER``); the
defaults wait ``progress.DELAY`` seconds first, which one test keeps to show that short work
draws nothing and imports nothing."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from hullcheck import parallel, progress
from ptyrun import CLI, EAGER, run

ROOT = Path(__file__).resolve().parent.parent
HIDE_CURSOR, SHOW_CURSOR, ERASE_LINE = b"\x1b[?25l", b"\x1b[?25h", b"\x1b[2K"
SGR = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def plain(tty: bytes) -> str:
    return SGR.sub(b"", tty).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 generated Dockerfiles: enough for the scan to fork a second process (150 each)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import dockerfile_corpus
    finally:
        sys.path.pop(0)
    out = tmp_path_factory.mktemp("corpus")
    dockerfile_corpus.generate(out, count=300)
    return out


SCAN = ["scan", ".", "--format", "json", "--fail-on", "never"]


def test_scan_shows_progress_on_a_terminal(corpus: Path) -> None:
    ran = run(EAGER + CLI, SCAN, corpus)
    assert ran.code == 0
    text = plain(ran.stderr)
    assert "Dockerfiles" in text and "/300 files" in text
    # One display, started by this process only (a forked worker never draws), and erased at
    # the end: nothing of it stays on the screen, and the report (stdout) carries none of it.
    assert ran.stderr.count(HIDE_CURSOR) == 1
    assert ran.stderr.endswith(ERASE_LINE + SHOW_CURSOR + b"\r")
    assert ran.modules == "rich.progress rich.progress_bar"
    counts = [int(n) for n in re.findall(r"(\d+)/300 files", text)]
    assert counts[0] == 0 and counts == sorted(counts) and counts[-1] >= 298
    if parallel.available_cpus() >= 2:
        # Forked: this process judges about half the files (a draw each), each standing for
        # about two; the other half is judged in a child, which draws nothing.
        assert 100 < len(counts) < 250
    doc = json.loads(ran.stdout)
    piped = run(EAGER + CLI, SCAN, corpus, terminal=False)
    assert piped.code == 0 and json.loads(piped.stdout)["findings"] == doc["findings"]


def test_scan_shows_nothing_into_a_pipe(corpus: Path) -> None:
    ran = run(EAGER + CLI, SCAN, corpus, terminal=False)
    assert ran.code == 0 and ran.stderr == b""
    assert ran.modules == ""  # rich.progress is never imported
    assert len(json.loads(ran.stdout)["findings"]) > 300


def test_dumb_terminal_shows_nothing(corpus: Path) -> None:
    ran = run(EAGER + CLI, SCAN, corpus, env={"TERM": "dumb"})
    assert ran.code == 0 and ran.stderr == b"" and ran.modules == ""


def test_short_work_draws_nothing(tmp_path: Path) -> None:
    """With the defaults: work that ends within DELAY (0.5 s) draws nothing and imports
    nothing, even on a terminal."""
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nUSER 1000\n")
    ran = run(CLI, SCAN, tmp_path)
    assert ran.code == 0 and ran.stderr == b"" and ran.modules == ""


def test_task_is_none_unless_stderr_is_a_terminal() -> None:
    # Under pytest, stderr is captured: not a terminal.
    with progress.task("anything", 10) as job:
        assert job is None


def test_descriptions_are_safe_and_bounded() -> None:
    board = progress._Board()
    job = progress.Task(board, "evil\x1b[2J[bold]name" + "x" * 100, 1, "files")
    assert job.description.startswith('"evil\\x1b[2J[bold]name')  # quoted, markup drawn as is
    assert len(job.description) == progress.MAX_DESCRIPTION


HOST = """
import sys, time
from hullcheck.inputs.docker_host import HostOptions, collect

class Api:
    def info(self): return {"Name": "fake", "SecurityOptions": []}
    def version(self): return {"Version": "27.0.0"}
    def containers(self, all=False, quiet=False):
        return [{"Id": f"{i:064x}"} for i in range(40)]
    def inspect_container(self, cid):
        return {"Id": cid, "Name": "/c" + cid[-4:], "State": {"Running": True},
                "Config": {"Image": "alpine"}, "HostConfig": {}, "ExecIDs": []}
    def top(self, cid, ps_args=None): return {"Titles": ["PID", "CMD"], "Processes": []}
    def images(self, all=False, quiet=False): return [f"sha256:{i:064x}" for i in range(25)]
    def inspect_image(self, iid): return {"Id": iid, "Config": {}}
    def history(self, iid): return []
    def networks(self): return []

class Client:
    api = Api()

host = collect(HostOptions(docker_host="tcp://127.0.0.1:1", workers=4), client=Client())
print(len(host.containers), len(host.images))
"""


def test_host_audit_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    ran = run(EAGER + HOST, [], tmp_path)
    assert ran.code == 0 and ran.stdout == b"40 25\n"
    text = plain(ran.stderr)
    for line in ("inspecting containers", "40/40 containers",
                 "reading processes and execs of containers", "inspecting images",
                 "25/25 images"):
        assert line in text
    assert ran.stderr.count(HIDE_CURSOR) == ran.stderr.count(SHOW_CURSOR) == 3  # one per step


def test_host_audit_shows_nothing_into_a_pipe(tmp_path: Path) -> None:
    ran = run(EAGER + HOST, [], tmp_path, terminal=False)
    assert ran.code == 0 and ran.stdout == b"40 25\n" and ran.stderr == b""
