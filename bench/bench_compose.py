"""Time ``hullcheck scan`` over a generated compose corpus (bench/compose_corpus.py).

Checkov has no compose framework (its `docker_compose` is not a thing) and KICS needs a Go
binary and its query library, so only hullcheck's own throughput is reported here; the lead
merges the figures into bench/README.md beside the Dockerfile ones.

    python bench/bench_compose.py [--projects N] [--repeat R] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from compose_corpus import generate  # noqa: E402


def run_compose_bench(projects: int = 500, repeat: int = 3, corpus: Path | None = None,
                      hullcheck: list[str] | None = None) -> dict[str, Any]:
    """Generate the corpus (unless given) and time ``hullcheck scan`` over it, one process per
    run as a user would. Returns files, findings and the best/median wall time."""
    cmd = hullcheck or [sys.executable, "-m", "hullcheck"]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory(prefix="hullcheck-compose-bench-") as tmp:
        root = corpus or Path(tmp)
        files = generate(root, projects) if corpus is None or not any(root.iterdir()) else \
            sum(1 for _ in root.rglob("*.y*ml"))
        times: list[float] = []
        doc: dict[str, Any] = {}
        for _ in range(repeat):
            start = time.perf_counter()
            proc = subprocess.run([*cmd, "scan", str(root), "--format", "json", "--fail-on",
                                   "never"], capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - start)
            if proc.returncode != 0:
                raise RuntimeError(f"hullcheck failed ({proc.returncode}): {proc.stderr[:500]}")
            doc = json.loads(proc.stdout)
        times.sort()
        best = times[0]
        return {
            "tool": "hullcheck",
            "input": "compose",
            "projects": projects,
            "files": files,
            "findings": len(doc.get("findings", [])),
            "errors": len(doc.get("errors", [])),
            "best_seconds": round(best, 3),
            "median_seconds": round(times[len(times) // 2], 3),
            "files_per_second": round(files / best, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this directory")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run_compose_bench(args.projects, args.repeat, args.keep), indent=2))


if __name__ == "__main__":
    main()
