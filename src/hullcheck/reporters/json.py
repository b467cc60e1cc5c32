"""The JSON contract (ARCHITECTURE.md, "Findings as JSON")."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from hullcheck import __version__
from hullcheck.findings import FINGERPRINT_VERSION, Finding
from hullcheck.reporters import Output
from hullcheck.safe_text import json_dumps


def document(out: Output, with_findings: bool = True) -> dict[str, object]:
    """The whole JSON document; ``with_findings=False``: ``findings`` left an empty list (for
    ``pieces``, which writes them one batch at a time)."""
    r = out.report
    summary: dict[str, object] = {
        "findings": len(out.counted),
        "by_severity": out.by_severity(),
        "score": r.score,
    }
    if out.hidden is not None:  # additive: only with --severity
        summary["hidden"] = out.hidden
    findings = [finding_json(out, f) for f in out.shown] if with_findings else []
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
        tally = Counter(out.changes[id(f)] for f in out.shown)
        summary["diff"] = {k: tally[k] for k in ("appeared", "fixed", "stayed")}
        if out.diffed:
            doc["diffed"] = {"old": out.diffed[0], "new": out.diffed[1]}
    if out.merged is not None:  # hullcheck merge
        doc["sources"] = out.merged.sources
        for c, j in zip(r.checks, checks, strict=True):
            j["counts"] = out.merged.check_counts.get(c.id, {})
    return doc


def finding_json(out: Output, f: Finding) -> dict[str, Any]:
    """One finding of ``findings``, with what ``diff`` and ``merge`` add to it."""
    j = f.to_json()
    if out.changes is not None:  # hullcheck diff
        j["change"] = out.changes[id(f)]
    if out.merged is not None:  # hullcheck merge
        j["occurrences"] = [{"source": i} | ({"location": json.loads(loc)} if loc else {})
                            for i, loc in out.merged.places.get(f.fingerprint, ())]
        unlisted = out.merged.unlisted[f.fingerprint]
        if unlisted:
            j["occurrences_unlisted"] = unlisted
    return j


# Findings encoded per call of the C encoder by ``pieces``: few calls, and few dicts at a time.
_BATCH = 512


def pieces(out: Output) -> Iterator[str]:
    """``render(out)``, piece by piece and byte for byte: the findings are turned into JSON a
    batch at a time, so the document of 50,000 findings is never held whole (as dicts or as
    one string). ``json.dumps`` writes an object as ``{`` + ``"key": value`` joined by ``, ``
    + ``}`` and a list alike; each piece goes through ``json_dumps`` (no lone surrogate)."""
    doc = document(out, with_findings=False)
    opening = "{"
    for key, value in doc.items():
        yield f"{opening}{json_dumps(key)}: "
        opening = ", "
        if key != "findings":
            yield json_dumps(value)
            continue
        yield "["
        shown = out.shown
        for start in range(0, len(shown), _BATCH):
            batch = json_dumps([finding_json(out, f) for f in shown[start:start + _BATCH]])
            yield (", " if start else "") + batch[1:-1]
        yield "]"
    yield "}\n"


def render(out: Output) -> str:
    # No indent: only the C encoder is fast, and it does not indent. Pipe through `jq` to read.
    # The text is exact but for the undecodable bytes of a file name (U+FFFD; see safe_text).
    return json_dumps(document(out)) + "\n"
