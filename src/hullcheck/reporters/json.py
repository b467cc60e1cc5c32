"""The JSON contract (ARCHITECTURE.md, "Findings as JSON")."""

from __future__ import annotations

from hullcheck import __version__
from hullcheck.reporters import Output
from hullcheck.safe_text import json_dumps


def document(out: Output) -> dict[str, object]:
    r = out.report
    summary: dict[str, object] = {
        "findings": len(out.counted),
        "by_severity": out.by_severity(),
        "score": r.score,
    }
    if out.hidden is not None:  # additive: only with --severity
        summary["hidden"] = out.hidden
    return {
        "tool": "hullcheck",
        "version": __version__,
        "findings": [f.to_json() for f in out.shown],
        "checks": [c.to_json() for c in r.checks],
        "skipped": [s.to_json() for s in r.skipped] + [p.to_json() for p in r.skipped_paths],
        "errors": [e.to_json() for e in r.errors],
        "summary": summary,
    }


def render(out: Output) -> str:
    # No indent: only the C encoder is fast, and it does not indent. Pipe through `jq` to read.
    # The text is exact but for the undecodable bytes of a file name (U+FFFD; see safe_text).
    return json_dumps(document(out)) + "\n"
