"""What text output costs against JSON on the same scan (issue 14: at most 25% more).

Run from the repository root:  python bench/bench_text.py [--namespaces 167] [--dockerfiles 1000]

Two corpora: Kubernetes manifests from bench/k8s_corpus.py (167 namespaces make 1,504 files) and
Dockerfiles from bench/dockerfile_corpus.py. On each, ``hullcheck scan DIR --fail-on never`` runs
as a fresh process (start-up included) in each way of writing the report:

- ``--format json`` into a pipe (the reference);
- ``--format text`` into a pipe (no colour, no wrapping: CI logs, ``| less``);
- ``--format concise`` into a pipe;
- ``--format text`` on a pseudo-terminal 80 columns wide: coloured and wrapped, as a person sees
  it (the reader drains the terminal as fast as it can; a real terminal emulator draws slower).

The rounds are interleaved (json, text, concise, tty; json, text, ...) so the load of a shared
machine falls on every row alike; each row is the best of ``--runs``. Not part of CI.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dockerfile_corpus import generate as generate_dockerfiles
from k8s_corpus import generate as generate_k8s

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1.25  # the bound: text at most 25% more than JSON


def hullcheck_cmd() -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    venv = ROOT / ".venv" / "bin" / "hullcheck"
    if venv.exists():
        return [str(venv)], env
    env["PYTHONPATH"] = str(ROOT / "src")
    return [sys.executable, "-m", "hullcheck"], env


def piped(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds to run ``cmd`` with stdout read from a pipe, and the bytes it wrote."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False, env=env)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd}: exit {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return took, len(proc.stdout)


def on_terminal(cmd: list[str], env: dict[str, str], columns: int = 80) -> tuple[float, int]:
    """Seconds to run ``cmd`` with stdout on a pseudo-terminal ``columns`` wide, and the bytes."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    size = 0
    start = time.perf_counter()
    with subprocess.Popen(cmd, stdout=slave, stderr=subprocess.DEVNULL, env=env) as proc:
        os.close(slave)
        while True:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the writer is gone and everything was read
                break
            if not chunk:
                break
            size += len(chunk)
        proc.wait()
    took = time.perf_counter() - start
    os.close(master)
    return took, size


def measure(target: Path, runs: int) -> dict[str, tuple[float, int]]:
    hc, env = hullcheck_cmd()
    base = [*hc, "scan", str(target), "--fail-on", "never"]
    rows: dict[str, Callable[[], tuple[float, int]]] = {
        "json": lambda: piped([*base, "--format", "json"], env),
        "text (pipe)": lambda: piped([*base, "--format", "text"], env),
        "concise (pipe)": lambda: piped([*base, "--format", "concise"], env),
        "text (terminal, 80 columns, colour)": lambda: on_terminal([*base, "--format", "text"],
                                                                   env),
    }
    best: dict[str, tuple[float, int]] = {}
    for _ in range(runs):
        for name, run in rows.items():
            took, size = run()
            if name not in best or took < best[name][0]:
                best[name] = (took, size)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--namespaces", type=int, default=167, help="k8s corpus (167: 1,504 files)")
    ap.add_argument("--dockerfiles", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    args = ap.parse_args()
    corpora = []
    k8s = args.corpus / "text-k8s"
    if k8s.exists():
        shutil.rmtree(k8s)
    corpora.append((f"{len(generate_k8s(k8s, args.namespaces))} Kubernetes manifests", k8s))
    df = args.corpus / "text-dockerfiles"
    if df.exists():
        shutil.rmtree(df)
    corpora.append((f"{len(generate_dockerfiles(df, args.dockerfiles))} Dockerfiles", df))
    worst = 0.0
    print(f"best of {args.runs}, each a fresh process; ratio = time / JSON's time"
          f" (bound {LIMIT:.2f})")
    print("| corpus | output | time s | output bytes | vs JSON |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, path in corpora:
        best = measure(path, args.runs)
        ref = best["json"][0]
        for name, (took, size) in best.items():
            ratio = took / ref
            if name != "json":
                worst = max(worst, ratio)
            print(f"| {label} | {name} | {took:.2f} | {size:,} | {ratio:.2f}x |")
    print(f"worst text/JSON ratio: {worst:.2f}x ({'within' if worst <= LIMIT else 'OVER'} the"
          f" {LIMIT:.2f}x bound)")


if __name__ == "__main__":
    main()
