"""Docker Bench for Security's JSON log shape, so dashboards built on it keep working.

```json
{"dockerbenchsecurity": "<version>", "start": 1700000000,
 "tests": [{"id": "1", "desc": "Host Configuration",
            "results": [{"id": "1.1.1", "desc": "...", "result": "PASS|WARN|INFO|NOTE",
                         "details": "...", "items": ["..."], "remediation": "...",
                         "remediation-impact": "..."}]}],
 "checks": 117, "score": 12, "end": 1700000001}
```
pass -> PASS, fail -> WARN (with the findings as ``items``), manual -> NOTE, not applicable and
error -> INFO (``details`` says why). The score is Docker Bench's: +1 per scored pass, -1 per
scored warning. ``dockerbenchsecurity`` carries hullcheck's version, marked as such.
"""

from __future__ import annotations

import time
from typing import Any

from hullcheck import __version__
from hullcheck.findings import CheckResult, Finding, Report
from hullcheck.hostaudit.catalog import SECTIONS, TAG_PREFIX, by_id
from hullcheck.safe_text import json_dumps

RESULTS = {
    CheckResult.PASS: "PASS",
    CheckResult.FAIL: "WARN",
    CheckResult.MANUAL: "NOTE",
    CheckResult.NOT_APPLICABLE: "INFO",
    CheckResult.ERROR: "INFO",
}


def _item(f: Finding) -> str:
    loc = f.location
    if loc.container:
        return loc.container
    if loc.image is not None:
        return loc.image.ref
    return loc.path or loc.setting or loc.object or f.message


def document(report: Report, findings: list[Finding], start: float, end: float) -> dict[str, Any]:
    catalog = by_id()
    by_check: dict[str, list[Finding]] = {}
    for f in findings:
        for ref in f.references:
            if ref.startswith(TAG_PREFIX):
                by_check.setdefault(ref[len(TAG_PREFIX) :], []).append(f)
    sections: dict[str, dict[str, Any]] = {}
    score = 0
    for check in report.checks:
        cid = check.id.removeprefix(TAG_PREFIX)
        cis = catalog.get(cid)
        top = cid.split(".", 1)[0]
        section = sections.setdefault(
            top, {"id": top, "desc": SECTIONS.get(top, top), "results": []}
        )
        found = by_check.get(cid, [])
        details = check.reason
        if check.result is CheckResult.ERROR:
            details = f"could not be judged: {check.reason}"
        elif check.result is CheckResult.NOT_APPLICABLE:
            details = f"not applicable: {check.reason}"
        entry: dict[str, Any] = {
            "id": cid,
            "desc": check.title,
            "result": RESULTS[check.result],
        }
        if details or check.evidence:
            entry["details"] = "; ".join(x for x in (details, check.evidence) if x)
        if found:
            entry["items"] = list(dict.fromkeys(_item(f) for f in found))
            remediation = next((f.remediation for f in found if f.remediation), "")
            if remediation:
                entry["remediation"] = remediation
            entry["remediation-impact"] = "None."
        section["results"].append(entry)
        if cis is not None and cis.scored:
            if check.result is CheckResult.PASS:
                score += 1
            elif check.result is CheckResult.FAIL:
                score -= 1
    return {
        "dockerbenchsecurity": f"hullcheck {__version__}",
        "start": int(start),
        "tests": [sections[k] for k in sorted(sections, key=int)],
        "checks": len(report.checks),
        "score": score,
        "end": int(end),
    }


def render(out: Any) -> str:
    """``out`` is the CLI's ``reporters.Output`` (or a bare ``Report``)."""
    report: Report = getattr(out, "report", out)
    findings = list(getattr(out, "counted", report.findings))
    now = time.time()  # a report its command did not time: the time it is written
    start = report.started if report.started is not None else now
    end = report.ended if report.ended is not None else now
    return json_dumps(document(report, findings, start, end), indent=2) + "\n"
