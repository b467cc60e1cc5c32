"""Re-scan the precision inputs and score today's findings against the hand-judged sample.

Usage (from the repository root)::

    .venv/bin/python bench/precision/measure.py [--corpus DIR] [--json]

Inputs: ``bench/precision/data/`` (compose stacks, Kubernetes examples, a voting app and a
microservices demo, shaped like the public projects they are named after) and the official-image
Dockerfiles of the shared corpus (``--corpus``, default: the first ``shared/corpus`` found above
this file), read in place.

``sample.tsv`` holds the judged findings, one a line: file, line, rule, severity, container,
message_sha (the first 10 hex digits of the SHA-256 of the message), verdict, reason. ``file``
is ``data/...`` or ``corpus/...``. A verdict is

- ``true``: the finding is right, correctly placed and rated;
- ``context``: it depends on something the files do not show, and the message says what;
- ``misleading``: wrong severity, a duplicate of another finding, or advice that cannot be
  followed;
- ``false``: the problem is not there.

A row matches a current finding with the same file, line, rule, severity, container and message:
when a change re-rates or rewords a finding, the old row no longer matches (it counts as "no
longer reported") and the changed finding is unjudged until a row for it is added (a new row
judges what the finding now says; the old row stays, for the before figure). Precision is
computed over the current findings that a row judges: ``true`` over judged (strict) and ``true``
+ ``context`` over judged (the issue's target counts context-dependent findings that say what
they depend on).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
SAMPLE = HERE / "sample.tsv"
VERDICTS = ("true", "context", "misleading", "false")
SEVERE = ("critical", "high")
# One scan of ~200 files takes about 2 s here; anything far beyond is a hang.
SCAN_TIMEOUT_S = 600

Key = tuple[str, int, str, str, str, str]


def find_corpus() -> Path | None:
    """The shared corpus next to a checkout: ``<ancestor>/shared/corpus``."""
    for parent in HERE.parents:
        candidate = parent / "shared" / "corpus"
        if (candidate / "dockerfiles").is_dir():
            return candidate
    return None


def load_sample(path: Path = SAMPLE) -> dict[Key, tuple[str, str]]:
    """Rows keyed by (file, line, rule, severity, container, message_sha) -> (verdict, reason)."""
    rows: dict[Key, tuple[str, str]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) != 8 or cells[6] not in VERDICTS:
            raise SystemExit(f"{path}:{number}: expected 8 tab-separated cells with a verdict "
                             f"in {', '.join(VERDICTS)}")
        file, line, rule, severity, container, sha, verdict, reason = cells
        rows[(file, int(line), rule, severity, container, sha)] = (verdict, reason)
    return rows


def scan(corpus: Path | None) -> dict:
    """One hullcheck scan of the data and the corpus Dockerfiles, as its JSON document."""
    targets = [str(DATA)] + ([str(corpus / "dockerfiles")] if corpus else [])
    done = subprocess.run(
        [sys.executable, "-m", "hullcheck", "scan", "--fail-on", "never", "-f", "json", *targets],
        capture_output=True, text=True, timeout=SCAN_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise SystemExit(f"hullcheck scan exited {done.returncode}: {done.stderr.strip()[:500]}")
    return json.loads(done.stdout)


def relative(path: str, corpus: Path | None) -> str:
    """A finding's path as the sample writes it (``data/...`` or ``corpus/...``)."""
    p = Path(path).resolve()
    if p.is_relative_to(DATA):
        return "data/" + p.relative_to(DATA).as_posix()
    if corpus is not None and p.is_relative_to(corpus.resolve()):
        return "corpus/" + p.relative_to(corpus.resolve()).as_posix()
    return p.as_posix()


def message_sha(message: str) -> str:
    return hashlib.sha256(message.encode("utf-8")).hexdigest()[:10]


def key_of(finding: dict, corpus: Path | None) -> Key:
    loc = finding.get("location") or {}
    return (relative(loc.get("path") or "", corpus), int(loc.get("line") or 0), finding["rule"],
            finding["severity"], loc.get("container") or "", message_sha(finding["message"]))


def group_of(key: Key) -> str:
    """The input group of a finding: the first part of its sample path (``data``, ``corpus``)."""
    return key[0].split("/", 1)[0]


def measure(report: dict, sample: dict[Key, tuple[str, str]], corpus: Path | None) -> dict:
    """The figures: precision over judged current findings, rows gone, findings unjudged."""
    current = [key_of(f, corpus) for f in report["findings"]]
    present = set(current)
    judged = [k for k in current if k in sample]
    unjudged = [k for k in current if k not in sample]

    def precision(keys: list[Key]) -> dict:
        verdicts = collections.Counter(sample[k][0] for k in keys)
        n = len(keys)
        return {"judged": n, "verdicts": dict(verdicts),
                "strict": round(verdicts["true"] / n, 3) if n else None,
                "with_context": round((verdicts["true"] + verdicts["context"]) / n, 3)
                if n else None}

    # A row whose finding is still there, re-rated or reworded, is "changed" (judged again by
    # a newer row); only a row whose finding left the place is gone.
    places = {(k[0], k[1], k[2], k[4]) for k in current}
    missing = [k for k in sample if k not in present]
    changed = [k for k in missing if (k[0], k[1], k[2], k[4]) in places]
    gone = [k for k in missing if (k[0], k[1], k[2], k[4]) not in places]
    gone_verdicts = collections.Counter(sample[k][0] for k in gone)
    return {
        "findings": len(current),
        "by_severity": report["summary"]["by_severity"],
        "skipped": len(report.get("skipped") or []),
        "sample_rows": len(sample),
        "all": precision(judged),
        "critical_high": precision([k for k in judged if k[3] in SEVERE]),
        # The input groups (``data``: shaped compose/Kubernetes projects, ``corpus``: the
        # official-image Dockerfiles) have different rules, so each gets its own figures.
        "by_group": {
            group: {"findings": sum(1 for k in current if group_of(k) == group),
                    "all": precision([k for k in judged if group_of(k) == group]),
                    "critical_high": precision([k for k in judged
                                                if group_of(k) == group and k[3] in SEVERE])}
            for group in sorted({group_of(k) for k in current})},
        "no_longer_reported": {
            "fixed_false_positives": gone_verdicts["false"] + gone_verdicts["misleading"],
            "lost_true_positives": gone_verdicts["true"],
            "lost_context": gone_verdicts["context"],
            "rows": [[*k, sample[k][0]] for k in sorted(gone)],
        },
        "changed": {"count": len(changed),
                    "verdicts_before": dict(collections.Counter(sample[k][0] for k in changed))},
        "unjudged": {"count": len(unjudged),
                     "critical_high": sum(1 for k in unjudged if k[3] in SEVERE),
                     "by_rule": dict(sorted(collections.Counter(k[2] for k in unjudged).items()))},
    }


def sample_verdict(row: list) -> str:
    return str(row[-1])


def render(figures: dict) -> str:
    def line(name: str, p: dict) -> str:
        if not p["judged"]:
            return f"{name}: nothing judged"
        return (f"{name}: {p['strict']:.1%} true ({p['with_context']:.1%} with context-dependent "
                f"findings that say what they depend on), {p['judged']} judged {p['verdicts']}")

    gone = figures["no_longer_reported"]
    out = [
        f"findings: {figures['findings']} {figures['by_severity']}, skipped entries: "
        f"{figures['skipped']}",
        line("precision, all", figures["all"]),
        line("precision, critical+high", figures["critical_high"]),
    ]
    for group, g in figures["by_group"].items():
        out += [f"group {group}: {g['findings']} findings",
                line(f"  {group}, all", g["all"]),
                line(f"  {group}, critical+high", g["critical_high"])]
    out += [
        f"sample rows whose finding is gone: {len(gone['rows'])} (fixed false/misleading: "
        f"{gone['fixed_false_positives']}, lost true: {gone['lost_true_positives']}, lost context: "
        f"{gone['lost_context']})",
    ]
    out += [f"  gone: {r[0]}:{r[1]} {r[2]} {r[3]} {r[4]} ({sample_verdict(r)})"
            for r in gone["rows"]]
    ch = figures["changed"]
    out.append(f"sample rows whose finding was re-rated or reworded (judged again by newer rows "
               f"where the sample has them): {ch['count']} {ch['verdicts_before']}")
    un = figures["unjudged"]
    out.append(f"current findings not in the sample: {un['count']} ({un['critical_high']} "
               f"critical/high) by rule {un['by_rule']}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None,
                        help="the shared corpus directory (holds dockerfiles/)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--unjudged", action="store_true",
                        help="also list the current findings no row judges (to extend the sample)")
    args = parser.parse_args(argv)
    corpus = args.corpus or find_corpus()
    if corpus is None:
        print("note: no shared/corpus found; scanning bench/precision/data only", file=sys.stderr)
    report = scan(corpus)
    sample = load_sample()
    figures = measure(report, sample, corpus)
    print(json.dumps(figures, indent=1) if args.json else render(figures))
    if args.unjudged:
        for f in report["findings"]:
            k = key_of(f, corpus)
            if k not in sample:
                print("\t".join(map(str, k)) + "\t" + f["message"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
