"""Golden results: what hullcheck reports today on fixed inputs, kept to compare a refactor against.

    .venv/bin/python scripts/golden.py            # compare against tests/golden/ (exit 1 on a diff)
    .venv/bin/python scripts/golden.py --update   # write tests/golden/ anew

The inputs are the bundled examples, every fixture family, the benchmark generators' corpora at a
fixed seed and size, and the real Dockerfiles of ``../shared/corpus/`` (where present). Each is
scanned in a process of its own as a user would run it (``python -m hullcheck scan --format json``)
and the JSON is normalised only where a run differs by nature (the version, the temporary
directory). ``tests/test_golden.py`` runs the comparison in the suite; the live ``host`` golden is
in ``tests/live/host/test_golden_host.py``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "dockerfiles"


@dataclass(frozen=True)
class Case:
    name: str
    # makes the input under a scratch directory and returns (cwd, scan arguments)
    prepare: Callable[[Path], tuple[Path, list[str]]]


def _fixed(path: Path, *targets: str) -> Callable[[Path], tuple[Path, list[str]]]:
    return lambda _tmp: (path, list(targets))


def _generated(module: str, **kwargs: int) -> Callable[[Path], tuple[Path, list[str]]]:
    def prepare(tmp: Path) -> tuple[Path, list[str]]:
        sys.path.insert(0, str(ROOT / "bench"))
        try:
            gen = __import__(module)
        finally:
            sys.path.pop(0)
        out = tmp / module
        out.mkdir()
        gen.generate(out, **kwargs)
        return out, ["."]

    return prepare


def cases() -> Iterator[Case]:
    yield Case("examples", _fixed(ROOT / "examples", "."))
    for family in sorted(p.name for p in (ROOT / "tests" / "fixtures").iterdir() if p.is_dir()):
        # Each fixture file is judged alone (--unit file), as the fixture tests judge it: the
        # files reuse object names, and one unit would keep only the last of each.
        yield Case(f"fixtures-{family}",
                   _fixed(ROOT / "tests" / "fixtures" / family, ".", "--unit", "file"))
    yield Case("bench-dockerfiles", _generated("dockerfile_corpus", count=300))
    yield Case("bench-compose", _generated("compose_corpus", projects=60))
    yield Case("bench-k8s", _generated("k8s_corpus", namespaces=12))
    if SHARED_CORPUS.is_dir():
        yield Case("shared-corpus-dockerfiles", _fixed(SHARED_CORPUS, "."))


def normalise(doc: dict[str, object]) -> dict[str, object]:
    """The report without what differs from run to run by nature."""
    doc = dict(doc)
    doc.pop("version", None)
    source = doc.get("source")
    if isinstance(source, dict):  # the machine the run was on
        doc["source"] = {**source, "host": "HOST"}
    return doc


def run(case: Case, tmp: Path) -> str:
    cwd, targets = case.prepare(tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HULLCHECK", "PYTHONIO"))}
    env["LC_ALL"] = "C.UTF-8"
    proc = subprocess.run(
        [sys.executable, "-m", "hullcheck", "scan", *targets, "--format", "json",
         "--fail-on", "never", "--show-suppressed", "--jobs", "1"],
        cwd=cwd, capture_output=True, env=env, timeout=600, check=False,
    )
    if proc.returncode not in (0, 2) or not proc.stdout:
        raise SystemExit(f"{case.name}: exit {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    doc = normalise(json.loads(proc.stdout))
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def compare(name: str, got: str) -> str | None:
    """None when ``got`` equals the golden file, else a unified diff (cut to 200 lines)."""
    path = GOLDEN / f"{name}.json"
    want = path.read_text(encoding="utf-8") if path.exists() else ""
    if got == want:
        return None
    diff = list(difflib.unified_diff(want.splitlines(), got.splitlines(), f"golden/{name}",
                                     "now", lineterm="", n=2))
    return "\n".join(diff[:200]) or f"{name}: golden file missing"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="write the golden files anew")
    ap.add_argument("names", nargs="*", help="only these cases")
    args = ap.parse_args()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases():
            if args.names and case.name not in args.names:
                continue
            scratch = Path(tmp) / case.name
            scratch.mkdir()
            got = run(case, scratch)
            if args.update:
                (GOLDEN / f"{case.name}.json").write_text(got, encoding="utf-8")
                print(f"wrote {case.name}")
                continue
            diff = compare(case.name, got)
            if diff is not None:
                failed += 1
                print(diff)
            print(f"{case.name}: {'differs' if diff else 'identical'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
