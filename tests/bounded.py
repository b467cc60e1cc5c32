"""Run ``hullcheck`` in a child process and measure it: exit code, stderr, seconds and how much
the peak RSS grew. A child, so other tests' memory does not blur the peak; the baseline is taken
after the CLI is imported, so the number is what reading the input cost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CHILD = """
import io, json, os, resource, sys, time
sys.path[:0] = {paths!r}
os.chdir(sys.argv[1])
from hullcheck.cli import main
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
err = io.StringIO()
sys.stderr, real = err, sys.stderr
code = main(sys.argv[2:])
sys.stderr = real
grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) >> 10
print(json.dumps({{"code": code, "err": err.getvalue(), "grew_mib": grew,
                  "seconds": time.monotonic() - start}}))
"""


def bounded_run(cwd: Path, *args: str) -> dict[str, Any]:
    """``hullcheck ARGS`` run in ``cwd``: {"code", "err", "seconds", "grew_mib"}."""
    paths = [p for p in sys.path if p]
    proc = subprocess.run([sys.executable, "-c", CHILD.format(paths=paths), str(cwd), *args],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result
