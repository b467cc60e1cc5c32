"""Progress of long work (registry pulls, layer reading, host audits, large scans) on stderr.

Shown only when stderr is a terminal: CI logs, pipes and redirected output get nothing, and the
report itself never carries any (progress goes to stderr, findings to stdout or ``--output``).

Cheap when it is off, and light when it is on:

- ``task()`` answers None unless stderr is a terminal, and callers keep their plain loops for
  None: the scan's per-file path does no progress work at all when nothing is shown.
- ``rich.progress`` is imported only once a task has lasted ``DELAY`` seconds: work that ends
  sooner draws nothing (no flicker) and imports nothing.
- No thread is started unless a task asks for one (``ticking=True``, for work with no steps to
  count): the scan forks worker processes, which is safe only while this process has one thread
  (``parallel.can_fork``). Counted work redraws from ``advance``, at most every ``REFRESH``
  seconds, and only in the process that made the task (a forked child never draws).
- The bar is transient: it is erased when the last task ends, before any report is written.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Work that ends within this many seconds shows nothing.
DELAY = 0.5
# Redraw at most this often (seconds).
REFRESH = 0.1
# Descriptions are cut to this many characters (an image reference can be long).
MAX_DESCRIPTION = 60


def enabled() -> bool:
    """Whether progress is shown: stderr is a terminal that is not ``TERM=dumb``."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False
    return tty and os.environ.get("TERM") != "dumb"


class Task:
    """One line of progress: ``completed`` of ``total`` steps or bytes (total None: unknown)."""

    def __init__(self, board: _Board, description: str, total: float | None,
                 unit: str) -> None:
        self._board = board
        self.description = _describe(description)
        self.total = total
        self.unit = unit  # "bytes", or the name of a step ("files", "layers")
        self.completed = 0.0
        self.rich_id: Any = None

    def advance(self, amount: float = 1) -> None:
        self.completed += amount
        self._board.tick()

    def update(self, *, description: str | None = None, total: float | None = None,
               completed: float | None = None) -> None:
        if description is not None:
            self.description = _describe(description)
        if total is not None:
            self.total = total
        if completed is not None:
            self.completed = completed
        self._board.tick()


def _describe(text: str) -> str:
    """A description as it is drawn: control characters quoted (names come from scanned files
    and registries), cut to MAX_DESCRIPTION characters; rich markup is off where it is drawn."""
    from hullcheck.safe_text import terminal

    text = terminal(text)
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 3] + "..."


class _Board:
    """The tasks of this process and the one ``rich`` display that draws them."""

    def __init__(self) -> None:
        self.tasks: list[Task] = []
        self.pid = os.getpid()
        self.since = 0.0
        self.next_draw = 0.0
        self.display: Any = None
        self.lock = threading.RLock()  # host audits advance from a thread pool
        self.tickers = 0
        self.ticker: threading.Thread | None = None
        self.stop_ticker = threading.Event()

    def add(self, task: Task, ticking: bool) -> None:
        with self.lock:
            if not self.tasks:
                self.since = time.monotonic()
                self.next_draw = self.since + DELAY
            self.tasks.append(task)
            if ticking:
                self.tickers += 1
                if self.ticker is None:
                    self.stop_ticker.clear()
                    self.ticker = threading.Thread(target=self._tick_loop, daemon=True,
                                                   name="hullcheck-progress")
                    self.ticker.start()

    def remove(self, task: Task, ticking: bool) -> None:
        ticker = None
        with self.lock:
            if task in self.tasks:
                self.tasks.remove(task)
            if ticking:
                self.tickers -= 1
                if self.tickers == 0:
                    ticker, self.ticker = self.ticker, None
            if self.display is not None and task.rich_id is not None:
                self.display.remove_task(task.rich_id)
            if not self.tasks and self.display is not None and os.getpid() == self.pid:
                self.display.stop()  # transient: the lines are erased
                self.display = None
        if ticker is not None:
            self.stop_ticker.set()
            ticker.join()  # gone before anyone asks whether this process may fork

    def _tick_loop(self) -> None:
        while not self.stop_ticker.wait(REFRESH):
            self.tick()

    def tick(self) -> None:
        now = time.monotonic()
        if now < self.next_draw or os.getpid() != self.pid:
            return
        with self.lock:
            self.next_draw = now + REFRESH
            if not self.tasks:
                return
            if self.display is None:
                self.display = _start_display()
            for task in self.tasks:
                if task.rich_id is None:
                    task.rich_id = self.display.add_task(task.description, total=task.total,
                                                         unit=task.unit)
                self.display.update(task.rich_id, description=task.description,
                                    total=task.total, completed=task.completed)
            self.display.refresh()


def _start_display() -> Any:
    from rich.console import Console
    from rich.filesize import decimal
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Column
    from rich.text import Text

    class Amount(ProgressColumn):
        """``12.3 MB of 45.6 MB`` for bytes, ``3/10 layers`` for steps (total unknown: done
        only; no unit: nothing)."""

        def render(self, task: Any) -> Text:
            unit = task.fields.get("unit", "")
            done, total = task.completed, task.total
            if not unit:  # nothing counted: the spinner and the time say it goes on
                return Text("")
            if unit == "bytes":
                shown = decimal(int(done)) + (f" of {decimal(int(total))}" if total else "")
            else:
                # round: a forked scan's estimate ends at 299.99... of 300
                shown = f"{round(done)}" + (f"/{int(total)}" if total else "") + f" {unit}"
            return Text(shown, style="progress.download")

    console = Console(file=sys.stderr, emoji=False, highlight=False)
    # One line per task at any width: the description gives way (cut with an ellipsis), the
    # amounts never wrap.
    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False,
                   table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)),
        BarColumn(bar_width=24),
        Amount(table_column=Column(no_wrap=True)),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        auto_refresh=False,  # no thread: see the module docstring
        redirect_stdout=False,
        redirect_stderr=False,
    )
    display.start()
    return display


_BOARD = _Board()


@contextmanager
def task(description: str, total: float | None = None, unit: str = "files",
         ticking: bool = False) -> Iterator[Task | None]:
    """A progress line for the work inside the ``with``, or None when progress is not shown.

    ``unit``: "bytes", or what a step is ("files", "layers", "containers"). ``ticking``: redraw
    from a thread of its own, for work that advances rarely or never (never in a process that
    is about to fork)."""
    if not enabled():
        yield None
        return
    board = _BOARD
    if board.pid != os.getpid():  # a forked child: it has no display of its own
        yield None
        return
    job = Task(board, description, total, unit)
    board.add(job, ticking)
    try:
        yield job
    finally:
        board.remove(job, ticking)


class Reading:
    """A ``read`` that advances a task by the bytes read (only made when progress is shown)."""

    def __init__(self, raw: Any, job: Task) -> None:
        self.raw = raw
        self.job = job

    def read(self, n: int = -1) -> bytes:
        data: bytes = self.raw.read(n)
        self.job.advance(len(data))
        return data
