"""Run Python code in a child process whose stderr is a real pseudo-terminal (or a pipe), as a
user's terminal (or a CI log) would be: what the child writes there comes back as bytes."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Bounds of one run: what is read from the terminal, and how long the child may take.
MAX_TTY_BYTES = 16 << 20
TIMEOUT = 120.0

# Progress drawn from the first step, and at every step (the defaults wait DELAY seconds and
# redraw every REFRESH: a test's small workload would end before anything showed).
EAGER = "import hullcheck.progress as _p; _p.DELAY = 0.0; _p.REFRESH = 0.0\n"

# The CLI as the `hullcheck` command runs it; then which rich.progress modules it imported.
CLI = """
import sys
from hullcheck.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(" ".join(sorted(m for m in sys.modules if m.startswith("rich.progress"))))
sys.exit(code)
"""


@dataclass
class Ran:
    code: int
    stderr: bytes  # what the terminal (or the pipe) got
    stdout: bytes
    modules: str  # the rich.progress modules imported (CLI runs)


def run(code: str, args: list[str], cwd: Path, terminal: bool = True,
        env: dict[str, str] | None = None) -> Ran:
    """``python -c code <modules-file> *args`` in ``cwd``, stderr a pty (``terminal``) or a
    pipe, stdout a file."""
    with tempfile.TemporaryDirectory() as scratch:
        return _run(code, args, cwd, terminal, env or {}, Path(scratch))


def _run(code: str, args: list[str], cwd: Path, terminal: bool, env: dict[str, str],
         scratch: Path) -> Ran:
    out_path = scratch / "stdout"
    modules_path = scratch / "modules"
    modules_path.write_text("")
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("NO_COLOR", "FORCE_COLOR", "HULLCHECK_CONFIG")}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"})
    environment.update(env)
    master = slave = -1
    if terminal:
        import pty

        master, slave = pty.openpty()
    with out_path.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(modules_path), *args],
            stdin=subprocess.DEVNULL, stdout=out,
            stderr=slave if terminal else subprocess.PIPE, cwd=cwd, env=environment,
        )
        if terminal:
            os.close(slave)  # the child holds it now: EOF once the child is gone
        try:
            got = _collect(proc, master, terminal)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return Ran(proc.returncode, got, out_path.read_bytes(), modules_path.read_text())


def _collect(proc: subprocess.Popen[bytes], master: int, terminal: bool) -> bytes:
    """What the child writes to its stderr, until it is done (bounded: TIMEOUT, MAX_TTY_BYTES)."""
    if not terminal:
        _, err = proc.communicate(timeout=TIMEOUT)
        return bytes(err)
    got = b""
    ends = time.monotonic() + TIMEOUT
    try:
        # Read as it comes (a full pty would block the writer), until the child is done.
        while time.monotonic() < ends and len(got) < MAX_TTY_BYTES:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(master, 1 << 16)
                except OSError:  # EIO: every writer has closed the terminal
                    break
                if not data:
                    break
                got += data
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    proc.wait(timeout=TIMEOUT)
    return got
