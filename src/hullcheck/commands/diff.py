"""``hullcheck diff OLD.json NEW.json``: what appeared, what was fixed, what stayed.

Findings are matched by fingerprint (stable across line moves and versions), as a multiset: two
findings of NEW sharing a fingerprint with one of OLD are one that stayed and one that appeared.
Both files must use a fingerprint scheme this version reads, and the same one (a document without
``fingerprint_version`` was written with scheme 1). The exit code follows ``--fail-on`` over what
appeared (unsuppressed) alone: what stayed is the old debt, and what was fixed is gone.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from hullcheck.errors import BadInput

APPEARED, FIXED, STAYED = "appeared", "fixed", "stayed"
CHANGE_ORDER = {APPEARED: 0, FIXED: 1, STAYED: 2}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD.json", help="the earlier result (--format json)")
    parser.add_argument("new", metavar="NEW.json", help="the later result (--format json)")


def diff(old: list[Any], new: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """(appeared, fixed, stayed) between two lists of findings, matched by fingerprint as
    multisets; ``stayed`` holds NEW's findings (their lines are today's)."""
    before: Counter[str] = Counter(f.fingerprint for f in old)
    after: dict[str, list[Any]] = defaultdict(list)
    for f in new:
        after[f.fingerprint].append(f)
    appeared, stayed = [], []
    for fp, found in after.items():
        kept = min(before[fp], len(found))
        stayed += found[:kept]
        appeared += found[kept:]
    fixed = []
    remaining = {fp: n - min(n, len(after.get(fp, ()))) for fp, n in before.items()}
    for f in old:
        if remaining[f.fingerprint] > 0:
            remaining[f.fingerprint] -= 1
            fixed.append(f)
    return appeared, fixed, stayed


def run(args: argparse.Namespace) -> tuple[Any, list[Any], dict[str, Any]]:
    """The diff as (report, shown, Output extras) for ``cli.emit``."""
    from hullcheck.findings import Report
    from hullcheck.results import NotAResult, read_result

    try:
        old = read_result(Path(args.old), args.old)
        new = read_result(Path(args.new), args.new)
    except NotAResult as exc:
        raise BadInput(str(exc)) from None
    if old.fingerprint_version != new.fingerprint_version:
        # Only one scheme exists yet; a second one ships with its migration (ARCHITECTURE.md),
        # applied here before comparing. Until then, two schemes cannot be compared.
        raise BadInput(f"{args.old} uses fingerprint_version {old.fingerprint_version} and"
                       f" {args.new} {new.fingerprint_version}: write both with one version")
    keep = (lambda f: True) if args.show_suppressed else (lambda f: f.suppressed is None)
    appeared, fixed, stayed = diff([f for f in old.findings if keep(f)],
                                   [f for f in new.findings if keep(f)])
    changes = {id(f): APPEARED for f in appeared}
    changes.update({id(f): FIXED for f in fixed})
    changes.update({id(f): STAYED for f in stayed})
    report = Report(findings=appeared, checks=new.checks, score=new.score,
                    errors=old.errors + new.errors, source=new.source or None,
                    kubernetes=new.kubernetes)
    return report, appeared + fixed + stayed, {"changes": changes,
                                               "diffed": (args.old, args.new)}
