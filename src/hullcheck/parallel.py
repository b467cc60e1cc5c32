"""Judging a large batch of independent files on more than one core.

Dockerfiles are judged one by one, with nothing shared between files, so a batch splits into
contiguous chunks: this process judges the first and a forked child each of the others. The
results come back pickled through a pipe and are joined in chunk order, so the report is the
same, finding for finding, as a run in one process.

Why ``fork`` and nothing else:

- threads serialise: the ``dockerfile`` extension holds the GIL while BuildKit's parser runs,
  and that parser is the largest single cost of a Dockerfile scan;
- a spawned pool pays the interpreter start-up and every import again per worker, which is most
  of what a fork saves on a batch of a thousand files.

Why only before the Go runtime starts: importing the ``dockerfile`` extension starts Go's
runtime and its threads. ``fork`` copies only the calling thread, so a child forked after that
inherits a runtime whose threads are gone and hangs at its first parse (measured). ``jobs_for``
therefore answers 1 once the extension is imported or any other thread runs, and the callers
import it only inside the work they hand out.

A child that fails (killed, or its result can't be read back) costs nothing but time: its chunk
is judged again here, so a result is never lost.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per process, a fork costs more than it saves (the copy, the child's own
# Go runtime, the results coming back: 10-15 ms in all). Measured: 200 files ran no faster on
# two processes, 400 ran 15% faster. Used when the caller cannot say how much work there is.
MIN_PER_PROCESS = 150

# The same bound in work, which is what a process is worth forking for: a file's bytes (the
# parser, the shell parser and most rules run over its text) plus FILE_WORK for what each file
# costs whatever its size (opening, the parser's set-up, dispatching the rules). 150 generated
# Dockerfiles of 400 bytes make about 128 KiB of work; 174 real ones (official images, long
# RUN scripts, 983 KB) make about 1 MiB, and are judged in two processes where a file count
# kept them in one.
FILE_WORK = 512
MIN_WORK_PER_PROCESS = 128 * 1024

# Modules that start threads of their own when imported: no fork once one is loaded.
_THREADED_EXTENSIONS = ("dockerfile",)

# More processes than this buy little on a batch (the serial start and join stay) and cost
# memory (each child holds its share of models): a ceiling, whatever the machine.
MAX_PROCESSES = 8


def available_cpus() -> int:
    """CPUs this process may use: its affinity, and within a container its CPU quota.

    A container limited to one CPU still sees every CPU of its node in its affinity mask; forking
    one process per visible CPU there would only add overhead, so the cgroup quota (v2
    ``cpu.max``, v1 ``cpu.cfs_quota_us``) caps it, rounded up.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return cpus


def cgroup_cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """The CPU quota of this process's cgroup in CPUs, or None when there is none (or it can't
    be read)."""
    try:
        with open(os.path.join(root, "cpu.max"), encoding="ascii") as f:
            quota, _, period = f.read().strip().partition(" ")
        if quota != "max":
            return int(quota) / int(period or "100000")
        return None
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(root, "cpu", "cpu.cfs_quota_us"), encoding="ascii") as f:
            quota_us = int(f.read().strip())
        with open(os.path.join(root, "cpu", "cpu.cfs_period_us"), encoding="ascii") as f:
            period_us = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None


def can_fork() -> bool:
    """True while forking is safe: Linux, one thread, no Go runtime in this process."""
    return (
        sys.platform == "linux"
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and not any(name in sys.modules for name in _THREADED_EXTENSIONS)
    )


def jobs_for(count: int, requested: int | None = None, work: int | None = None,
             per_process: int = MIN_WORK_PER_PROCESS) -> int:
    """How many processes should judge ``count`` files.

    ``requested`` is ``--jobs``: an explicit number is honoured (up to one process per file);
    None picks one process per CPU, each with at least ``per_process`` of ``work`` (by default
    ``MIN_WORK_PER_PROCESS`` of ``work_of``), or when the work is not known ``MIN_PER_PROCESS``
    files.
    """
    if count < 2 or not can_fork():
        return 1
    if requested is not None:
        return max(1, min(requested, count))
    shares = count // MIN_PER_PROCESS if work is None else work // per_process
    return max(1, min(available_cpus(), MAX_PROCESSES, count, shares))


def work_of(size: int) -> int:
    """The work of judging one file of ``size`` bytes, in the unit of MIN_WORK_PER_PROCESS."""
    return size + FILE_WORK


def chunks(items: Sequence[T], parts: int, weight: Callable[[T], int] | None = None
           ) -> list[Sequence[T]]:
    """``items`` in ``parts`` contiguous, non-empty slices of near-equal total ``weight`` (one
    per item by default), in order. A few large files don't leave one process working alone."""
    parts = max(1, min(parts, len(items)))
    weights = [weight(item) + 1 for item in items] if weight else [1] * len(items)
    total = sum(weights)
    out: list[Sequence[T]] = []
    start = 0
    running = 0
    for i, w in enumerate(weights):
        running += w
        left = parts - len(out) - 1  # slices still to cut after this one
        after = len(items) - i - 1  # items after this one
        # Cut once this slice has its share, or when each slice left needs one of the rest.
        if left and after >= left and (running * parts >= total * (len(out) + 1)
                                       or after == left):
            out.append(items[start:i + 1])
            start = i + 1
    out.append(items[start:])
    return out


def map_chunks(items: Sequence[T], work: Callable[[Sequence[T]], R], jobs: int,
               weight: Callable[[T], int] | None = None) -> list[R]:
    """``work`` on each of ``jobs`` chunks of ``items`` (see ``chunks``), the first here and the
    rest in forked children; the results in chunk order. ``work`` must not return None."""
    parts = chunks(items, jobs, weight)
    if len(parts) == 1 or not can_fork():
        return [work(part) for part in parts]
    import pickle
    # Nothing buffered may be written twice (a child exits without flushing, but be explicit).
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int, Sequence[T]]] = []
    for part in parts[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: judge, send the result, leave without running exit handlers
            os.close(read_end)
            _child(part, work, write_end)
        os.close(write_end)
        children.append((pid, read_end, part))
    results = [work(parts[0])]
    for _pid, read_end, part in children:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        result: R | None = None
        if data:  # a child writes only a whole result, and only once it has one
            try:
                result = pickle.loads(data)
            except Exception:
                result = None
        results.append(result if result is not None else work(part))
    # Reaped last: a child's exit (its address space torn down) overlaps the loading above.
    for pid, _, _ in children:
        os.waitpid(pid, 0)
    return results


def _child(part: Sequence[T], work: Callable[[Sequence[T]], R], write_end: int) -> None:
    import pickle

    code = 1
    try:
        payload = pickle.dumps(work(part), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        code = 0
    except BaseException:
        pass  # whatever happened, the parent judges this chunk again
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)
