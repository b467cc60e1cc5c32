"""Kubernetes: hullcheck vs Checkov vs the YAML load alone, and scaling at 1x/4x/16x.

Run from the repository root:  python bench/bench_k8s.py [--namespaces 240] [--scales 1,4,16]

- the floor: a fresh Python reading every file and running
  ``yaml.compose_all(text, Loader=yaml.CSafeLoader)`` (what any Python scanner that reports
  line numbers must at least pay: the nodes and their marks; until 2026-12-03 the floor was
  ``yaml.load_all``, which builds plain values without marks);
- hullcheck: ``hullcheck scan DIR --format json`` with every rule (cluster-wide rules included);
- Checkov (own virtualenv bench/.venv-checkov: ``python3 -m venv bench/.venv-checkov &&
  bench/.venv-checkov/bin/pip install checkov``): ``checkov -d DIR --framework kubernetes``, at
  the first scale only (it takes minutes).
Times are wall-clock seconds, best of ``--runs``, each a separate process (start-up included),
with the CPU time (user + system) and peak RSS (GNU time) of hullcheck's best run.
``--real DIR`` (repeatable) measures a directory of real manifests the same way, after the
generated scales.
Not part of CI: it takes minutes and measures the machine as much as the code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from k8s_corpus import generate

ROOT = Path(__file__).resolve().parent.parent
FLOOR = """
import pathlib, sys, yaml
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*")):
    if p.suffix in (".yaml", ".yml") and p.is_file():
        n += sum(1 for d in yaml.compose_all(p.read_text(), Loader=yaml.CSafeLoader) if d)
print(n)
"""
GNU_TIME = "/usr/bin/time"


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - start, proc.stdout


def best(n: int, cmd: list[str], env: dict[str, str] | None = None) -> float:
    return min(run(cmd, env)[0] for _ in range(n))


def best_with_usage(n: int, cmd: list[str], env: dict[str, str] | None = None
                    ) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of the fastest of n runs."""
    runs = []
    for _ in range(n):
        with tempfile.NamedTemporaryFile("r") as out:
            wall, _ = run([GNU_TIME, "-f", "%U %S %M", "-o", out.name, *cmd], env)
            user, system, rss = out.read().split()[-3:]
        runs.append((wall, float(user) + float(system), int(rss) / 1024))
    return min(runs)


def hullcheck_cmd() -> tuple[list[str], dict[str, str]]:
    venv = ROOT / ".venv" / "bin" / "hullcheck"
    env = dict(os.environ)
    # As installed: bytecode compiled once and reused (an editable install in a shell that sets
    # PYTHONDONTWRITEBYTECODE would compile every module on every run, ~0.1 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
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
    ap.add_argument("--real", type=Path, action="append", help="a directory of manifests")
    args = ap.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    hc, env = hullcheck_cmd()
    checkov = ROOT / "bench" / ".venv-checkov" / "bin" / "checkov"
    rows = []
    targets = [(f"{scale}x", args.corpus / f"k8s-{scale}x", scale) for scale in scales]
    targets += [(str(d), d, 0) for d in args.real or []]
    for i, (name, out, scale) in enumerate(targets):
        if scale:
            if out.exists():
                shutil.rmtree(out)
            files = generate(out, args.namespaces * scale)
        else:
            files = sorted(p for p in out.rglob("*") if p.suffix in (".yaml", ".yml"))
        size = sum(f.stat().st_size for f in files) / 2**20
        _t, count = run([sys.executable, "-c", FLOOR, str(out)])
        objects = int(count.strip() or 0)
        floor = best(args.runs, [sys.executable, "-c", FLOOR, str(out)])
        scan = [*hc, "scan", str(out), "--format", "json", "-o", "/dev/null", "--fail-on",
                "never"]
        run(scan, env)  # bytecode written, files in the page cache
        ours, cpu, rss = best_with_usage(args.runs, scan, env)
        one, one_cpu, one_rss = best_with_usage(args.runs, [*scan, "--jobs", "1"], env)
        ck = None
        if i == 0 and checkov.exists() and not args.no_checkov:
            ck_env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_NO_OUTPUT="1")
            ck = best(1, [str(checkov), "-d", str(out), "--framework", "kubernetes", "-o",
                          "json", "--quiet", "--compact", "--skip-download"], ck_env)
        rows.append((name, len(files), objects, size, floor, ours, cpu, rss, ck))
        print(f"{name}: {len(files)} files, {objects} objects, {size:.1f} MiB: floor "
              f"{floor:.2f}s, hullcheck {ours:.2f}s ({ours / floor:.2f}x floor, CPU {cpu:.2f}s, "
              f"peak RSS {rss:.0f} MiB); --jobs 1 {one:.2f}s ({one / floor:.2f}x floor, CPU "
              f"{one_cpu:.2f}s, peak RSS {one_rss:.0f} MiB)"
              + (f", checkov {ck:.1f}s ({ck / ours:.0f}x slower)" if ck else ""), flush=True)
    base = rows[0]
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    print("| corpus | files | objects | MiB | compose_all alone | hullcheck | hullcheck / floor "
          "| CPU s | peak RSS MiB | µs/object | cost vs first (objects vs first) | Checkov |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, nfiles, objects, size, floor, ours, cpu, rss, ck in rows:
        print(f"| {name} | {nfiles} | {objects} | {size:.1f} | {floor:.2f} s | {ours:.2f} s | "
              f"{ours / floor:.2f}x | {cpu:.2f} | {rss:.0f} | {ours / max(objects, 1) * 1e6:.0f} | "
              f"{ours / base[5]:.1f}x ({objects / max(base[2], 1):.1f}x) | "
              + (f"{ck:.1f} s ({ck / ours:.0f}x hullcheck)" if ck else "-") + " |")


if __name__ == "__main__":
    main()
