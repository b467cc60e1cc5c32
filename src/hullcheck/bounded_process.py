"""Running a program whose output is not trusted: every stream read as it comes, bounded in
size and time, and the whole process session killed on the way out early.

``subprocess.run(capture_output=True)`` keeps everything a program prints: one that prints
100 MiB would cost that much memory, twice. Used for credential helpers (``trust/credentials``)
and renderers (``inputs/render``: helm, kustomize, kubectl).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time


class TimedOut(Exception):
    """The program did not finish (or close its streams) within the deadline."""


class OutputTooLong(Exception):
    """The program printed more than the stdout bound."""


def run_bounded(argv: list[str], *, timeout: float, max_stdout: int, max_stderr: int,
                stdin: bytes | None = None, cwd: str | None = None,
                env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """Exit status, stdout and the start of stderr of ``argv``.

    ``stdin`` is written to the program and closed (None: it reads nothing). Stdout is refused
    past ``max_stdout`` (``OutputTooLong``), stderr kept up to ``max_stderr`` and drained
    beyond, all within ``timeout`` (``TimedOut``). The program runs in its own session, so that
    when it has to go, whatever it started (a shell's children holding the pipes open) goes
    with it. OSError (the program cannot be run) propagates."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    assert proc.stdout is not None and proc.stderr is not None
    ends_at = time.monotonic() + timeout
    done = False
    try:
        if stdin is not None:
            assert proc.stdin is not None
            with contextlib.suppress(OSError):  # a program that never reads its stdin
                proc.stdin.write(stdin)
            with contextlib.suppress(OSError):
                proc.stdin.close()
        out, err = bytearray(), bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ, out)
            selector.register(proc.stderr, selectors.EVENT_READ, err)
            while selector.get_map():
                left = ends_at - time.monotonic()
                if left <= 0:
                    raise TimedOut
                for key, _ in selector.select(left):
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        selector.unregister(key.fileobj)
                    elif key.data is out:
                        out += chunk
                        if len(out) > max_stdout:
                            raise OutputTooLong
                    elif len(err) < max_stderr:
                        err += chunk[: max_stderr - len(err)]
        try:
            code = proc.wait(max(ends_at - time.monotonic(), 0.001))
        except subprocess.TimeoutExpired:
            raise TimedOut from None
        done = True
        return code, bytes(out), bytes(err)
    finally:
        if not done:
            # The leader is not reaped yet, so its process group id is still its own.
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
