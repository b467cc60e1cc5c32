"""The shell parser on every script hullcheck parses in a corpus of real Dockerfiles: bashlex
(the parser before issue 19, a test dependency now) against tree-sitter's bash grammar.

    .venv/bin/python bench/bench_shell.py [DIR ...]    # default ../shared/corpus/dockerfiles

For each script a Dockerfile gives the shell parser (RUN, shell-form CMD/ENTRYPOINT, the text
of ``RUN <<EOF`` here-documents), counts those the fast tokenizer takes, those bashlex fails on
and those the grammar reports an error in; times both parsers (best of 5, CPU time), and
lists every script where the two disagree on the commands, words, redirections or pipelines
(bashlex's fallback tokenizer stands in where it fails, as it did in hullcheck).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hullcheck.inputs import dockerfile, shell  # noqa: E402
from hullcheck.models import shell as model  # noqa: E402
from test_shell import _bashlex  # noqa: E402  (bashlex's tree as the model)


def scripts_of(roots: list[Path]) -> list[str]:
    found: list[str] = []
    parse = model._parser
    assert parse is not None
    def recording(text: str) -> shell.ShellScript:
        found.append(text)
        return parse(text)

    model.use_parser(recording)
    try:
        for root in roots:
            for path in sorted(root.rglob("*")):
                if not path.is_file() or not (path.name.startswith("Dockerfile")
                                              or path.name.endswith(".dockerfile")):
                    continue
                try:
                    parsed = dockerfile.parse(str(path), path.read_text(errors="replace"))
                except dockerfile.DockerfileError:
                    continue
                for stage in parsed.stages:
                    for ins in stage.instructions:
                        _ = ins.shell
    finally:
        model.use_parser(parse)
    return found


def cpu_best(fn: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def shape(script: shell.ShellScript) -> tuple[object, object]:
    return ([(c.assignments, c.words, c.redirects) for c in script.commands],
            [[str(c) for c in p] for p in script.pipelines])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", type=Path, nargs="*")
    ap.add_argument("--show", type=int, default=0, help="print this many disagreements")
    args = ap.parse_args()
    roots = args.dirs or [ROOT.parent / "shared" / "corpus" / "dockerfiles"]
    scripts = scripts_of(roots)
    tree = [s for s in scripts
            if shell._NEEDS_PARSER.search(s) or shell._parse_simple(s) is None]

    def old(text: str) -> shell.ShellScript | None:
        try:
            return _bashlex(text)
        except Exception:  # bashlex raises many things on what it does not support
            return None

    olds = [old(s) for s in tree]
    news = [shell._parse_tree(s) for s in tree]
    failed = sum(o is None for o in olds)
    errors = [s for s, n in zip(tree, news, strict=True) if not n.parsed]
    differ = [(s, o, n) for s, o, n in zip(tree, olds, news, strict=True)
              if o is not None and shape(o) != shape(n)]
    t_old = cpu_best(lambda: [old(s) for s in tree])
    t_new = cpu_best(lambda: [shell._parse_tree(s) for s in tree])
    print(f"{len(scripts)} scripts, {sum(map(len, scripts)):,} characters; "
          f"{len(scripts) - len(tree)} plain command lists (fast tokenizer), "
          f"{len(tree)} need a parser")
    print(f"bashlex: {t_old * 1000:.0f} ms CPU, fails on {failed}")
    print(f"tree-sitter + walk: {t_new * 1000:.0f} ms CPU, reports an error in {len(errors)}"
          f" ({sum('Write-Host' in s or '$env:' in s for s in errors)} of them PowerShell)")
    print(f"where bashlex parses: {len(differ)} scripts differ")
    for text, o, n in differ[:args.show]:
        print("---", text[:300])
        for a, b in zip(shape(o)[0], shape(n)[0], strict=False):  # type: ignore[call-overload]
            if a != b:
                print("  bashlex    ", a)
                print("  tree-sitter", b)


if __name__ == "__main__":
    main()
