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
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from child_usage import Usage, load_average, run_child  # noqa: E402
from compose_corpus import generate  # noqa: E402


def run_compose_bench(projects: int = 500, repeat: int = 3, corpus: Path | None = None,
                      hullcheck: list[str] | None = None) -> dict[str, Any]:
    """Generate the corpus (unless given) and time ``hullcheck scan`` over it, one process per
    run as a user would. Returns files, findings, the best/median wall time, the CPU time
    (user+system) of the fastest run and the largest peak RSS of any run (GNU time)."""
    cmd = hullcheck or [sys.executable, "-m", "hullcheck"]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory(prefix="hullcheck-compose-bench-") as tmp:
        root = corpus or Path(tmp)
        files = generate(root, projects) if corpus is None or not any(root.iterdir()) else \
            sum(1 for _ in root.rglob("*.y*ml"))
        runs: list[Usage] = []
        doc: dict[str, Any] = {}
        for _ in range(repeat):
            with tempfile.TemporaryFile("w+") as out:
                usage = run_child([*cmd, "scan", str(root), "--format", "json", "--fail-on",
                                   "never"], env=env, stdout=out)
                if usage.returncode != 0:
                    raise RuntimeError(f"hullcheck failed ({usage.returncode})")
                out.seek(0)
                doc = json.load(out)
            runs.append(usage)
        runs.sort(key=lambda u: u.wall)
        times = [u.wall for u in runs]
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
            "best_cpu_seconds": round(runs[0].cpu, 2),
            "peak_rss_mb": round(max(u.rss_mib for u in runs), 1),
            "load_average": load_average(),
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
