"""The JSON contract (ARCHITECTURE.md, "Findings as JSON")."""

from __future__ import annotations

import json
from collections import Counter

from hullcheck import __version__
from hullcheck.findings import FINGERPRINT_VERSION
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
    findings = [f.to_json() for f in out.shown]
    checks = [c.to_json() for c in r.checks]
    doc: dict[str, object] = {
        "tool": "hullcheck",
        "version": __version__,
        "fingerprint_version": FINGERPRINT_VERSION,
        "findings": findings,
        "checks": checks,
        "skipped": [s.to_json() for s in r.skipped] + [p.to_json() for p in r.skipped_paths],
        "errors": [e.to_json() for e in r.errors],
        "summary": summary,
    }
    # Additive fields (docs/outputs.md), each only where it applies.
    if r.source is not None:
        doc["source"] = r.source
    if r.kubernetes is not None:
        doc["kubernetes"] = r.kubernetes
    if out.changes is not None:  # hullcheck diff
        for f, j in zip(out.shown, findings, strict=True):
            j["change"] = out.changes[id(f)]
        tally = Counter(out.changes[id(f)] for f in out.shown)
        summary["diff"] = {k: tally[k] for k in ("appeared", "fixed", "stayed")}
        if out.diffed:
            doc["diffed"] = {"old": out.diffed[0], "new": out.diffed[1]}
    if out.merged is not None:  # hullcheck merge
        doc["sources"] = out.merged.sources
        for c, j in zip(r.checks, checks, strict=True):
            j["counts"] = out.merged.check_counts.get(c.id, {})
        for f, j in zip(out.shown, findings, strict=True):
            j["occurrences"] = [{"source": i} | ({"location": json.loads(loc)} if loc else {})
                                for i, loc in out.merged.places.get(f.fingerprint, ())]
            unlisted = out.merged.unlisted[f.fingerprint]
            if unlisted:
                j["occurrences_unlisted"] = unlisted
    return doc


def render(out: Output) -> str:
    # No indent: only the C encoder is fast, and it does not indent. Pipe through `jq` to read.
    # The text is exact but for the undecodable bytes of a file name (U+FFFD; see safe_text).
    return json_dumps(document(out)) + "\n"
