"""Wall time, CPU time and peak RSS of one child process, for the benchmarks.

The child runs under GNU ``time -f "%U %S %M"``: user+system CPU of that process (and any it
waited for) and its peak resident set. Not ``os.wait4`` on a child of the benchmark itself: such
a child starts as a copy of the benchmark's address space, and Linux keeps that high-water RSS
in ``ru_maxrss`` across ``exec`` (988 MB for every child of image_bench.py while it held the
generated layers); ``time`` is a small process, so what it forks starts small.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import IO, Any

GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Usage:
    """One finished child: wall and CPU seconds, peak RSS in MiB, exit code."""

    wall: float
    cpu: float
    rss_mib: float
    returncode: int

    def row(self) -> str:
        return f"wall {self.wall:.2f} s, CPU {self.cpu:.2f} s, peak RSS {self.rss_mib:.0f} MB"


def run_child(cmd: list[str], env: dict[str, str] | None = None,
              stdout: int | IO[Any] | None = subprocess.DEVNULL) -> Usage:
    """Run cmd to completion under GNU time and return its usage (CPU and RSS are the child's)."""
    with tempfile.NamedTemporaryFile("r", prefix="hullcheck-usage-") as out:
        start = time.perf_counter()
        proc = subprocess.run([GNU_TIME, "-f", "%U %S %M", "-o", out.name, *cmd], env=env,
                              stdout=stdout, check=False)
        wall = time.perf_counter() - start
        # time writes "Command exited with non-zero status N" first when the child fails
        user, system, rss_kib = out.read().split()[-3:]
    return Usage(wall, float(user) + float(system), int(rss_kib) / 1024, proc.returncode)


def best_of(n: int, cmd: list[str], env: dict[str, str] | None = None) -> Usage:
    """The fastest of n runs (by wall time); raises if any run fails."""
    runs = []
    for _ in range(n):
        u = run_child(cmd, env)
        if u.returncode != 0:
            raise RuntimeError(f"{cmd}: exit {u.returncode}")
        runs.append(u)
    return min(runs, key=lambda u: u.wall)


def load_average() -> str:
    """The 1/5/15-minute load averages, as `uptime` prints them."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
