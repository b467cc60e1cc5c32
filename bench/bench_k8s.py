"""Kubernetes: hullcheck vs Checkov vs the YAML load alone, and scaling at 1x/4x/16x.

Run from the repository root:  python bench/bench_k8s.py [--namespaces 240] [--scales 1,4,16]

- the floor: a fresh Python reading every file and running
  ``yaml.load_all(text, Loader=yaml.CSafeLoader)`` (what any Python scanner must at least pay);
- hullcheck: ``hullcheck scan DIR --format json`` with every rule (cluster-wide rules included);
- Checkov (own virtualenv bench/.venv-checkov: ``python3 -m venv bench/.venv-checkov &&
  bench/.venv-checkov/bin/pip install checkov``): ``checkov -d DIR --framework kubernetes``, at
  the first scale only (it takes minutes).
Times are wall-clock seconds, best of ``--runs``, each a separate process (start-up included).
Not part of CI: it takes minutes and measures the machine as much as the code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from k8s_corpus import generate

ROOT = Path(__file__).resolve().parent.parent
FLOOR = """
import pathlib, sys, yaml
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml")):
    n += sum(1 for d in yaml.load_all(p.read_text(), Loader=yaml.CSafeLoader) if d)
print(n)
"""


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - start, proc.stdout


def best(n: int, cmd: list[str], env: dict[str, str] | None = None) -> float:
    return min(run(cmd, env)[0] for _ in range(n))


def hullcheck_cmd() -> tuple[list[str], dict[str, str]]:
    venv = ROOT / ".venv" / "bin" / "hullcheck"
    env = dict(os.environ)
    if venv.exists():
        return [str(venv)], env
    env["PYTHONPATH"] = str(ROOT / "src")
    return [sys.executable, "-m", "hullcheck"], env


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--namespaces", type=int, default=240, help="namespaces at 1x")
    ap.add_argument("--scales", default="1,4,16")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-checkov", action="store_true")
    ap.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    args = ap.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    hc, env = hullcheck_cmd()
    checkov = ROOT / "bench" / ".venv-checkov" / "bin" / "checkov"
    rows = []
    for i, scale in enumerate(scales):
        out = args.corpus / f"k8s-{scale}x"
        if out.exists():
            shutil.rmtree(out)
        files = generate(out, args.namespaces * scale)
        size = sum(f.stat().st_size for f in files) / 2**20
        _t, count = run([sys.executable, "-c", FLOOR, str(out)])
        objects = int(count.strip() or 0)
        floor = best(args.runs, [sys.executable, "-c", FLOOR, str(out)])
        ours = best(args.runs, [*hc, "scan", str(out), "--format", "json", "-o", "/dev/null",
                                "--fail-on", "never"], env)
        ck = None
        if i == 0 and checkov.exists() and not args.no_checkov:
            ck_env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_NO_OUTPUT="1")
            ck = best(1, [str(checkov), "-d", str(out), "--framework", "kubernetes", "-o",
                          "json", "--quiet", "--compact", "--skip-download"], ck_env)
        rows.append((scale, len(files), objects, size, floor, ours, ck))
        print(f"{scale}x: {len(files)} files, {objects} objects, {size:.1f} MiB: floor "
              f"{floor:.2f}s, hullcheck {ours:.2f}s ({ours / floor:.2f}x floor)"
              + (f", checkov {ck:.1f}s ({ck / ours:.0f}x slower)" if ck else ""), flush=True)
    base = rows[0]
    print("\n| scale | files | objects | MiB | YAML load alone | hullcheck | hullcheck / load "
          "| hullcheck µs/object | cost vs 1x (objects vs 1x) | Checkov |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for scale, nfiles, objects, size, floor, ours, ck in rows:
        print(f"| {scale}x | {nfiles} | {objects} | {size:.1f} | {floor:.2f} s | {ours:.2f} s | "
              f"{ours / floor:.2f}x | {ours / objects * 1e6:.0f} | "
              f"{ours / base[5]:.1f}x ({objects / base[2]:.1f}x) | "
              + (f"{ck:.1f} s ({ck / ours:.0f}x hullcheck)" if ck else "-") + " |")


if __name__ == "__main__":
    main()
