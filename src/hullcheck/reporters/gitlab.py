"""GitLab Code Quality JSON (``--format gitlab``), for ``artifacts: reports: codequality``.

The shape GitLab documents (https://docs.gitlab.com/ci/testing/code_quality/, "Code Quality
report format"): a JSON array of issues, each with ``description``, ``check_name``,
``fingerprint``, ``severity`` (``info``, ``minor``, ``major``, ``critical`` or ``blocker``),
``location.path`` (relative to the repository root) and ``location.lines.begin``. It is a subset
of Code Climate's issue format, so ``type`` and ``categories`` are written too.

GitLab keeps one issue per fingerprint and drops the repeats, so each occurrence needs its own.
hullcheck's fingerprint leaves out the line on purpose (baselines survive lines moving), and the
same finding can be reported once per deployable unit: the fingerprint here is hullcheck's,
joined with the unit and, for the n-th repeat of one, its number. It stays stable when lines
move, so GitLab's merge-request comparison does not see a moved finding as fixed and new.

Suppressed findings are left out (GitLab has no notion of them), and so are the benchmark
checks. An input that could not be read is an issue of its own (``check_name``
``input-error``): the run exits 2 for it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.reporters import Output
from hullcheck.safe_text import json_dumps

# One GitLab level per hullcheck severity, in the same order.
SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def _path(f: Finding) -> str:
    """A file's path as reported; for what is no file in the repository, what names it."""
    loc = f.location
    if loc.image is not None:
        return f"image {loc.image.ref}" + (f":{loc.path}" if loc.path else "")
    if loc.path:
        return loc.path
    if loc.container:
        return f"container {loc.container}"
    return "docker daemon" if loc.setting else "host"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _description(f: Finding) -> str:
    loc = f.location
    context = [x for x in (loc.object, loc.container and f"container {loc.container}",
                           loc.setting, loc.layer and f"layer {loc.layer}") if x]
    text = f"{f.rule}: {f.message}"
    if context:
        text += f" ({', '.join(context)})"
    return text + (f" Fix: {f.remediation}" if f.remediation else "")


def document(out: Output) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for e in out.report.errors:
        issues.append({
            "type": "issue", "check_name": "input-error", "categories": ["Bug Risk"],
            "description": f"{e.path}: {e.message}", "severity": "critical",
            "fingerprint": _fingerprint("input-error", e.path, e.message),
            "location": {"path": e.path, "lines": {"begin": 1}},
        })
    for f in out.shown:
        if f.suppressed is not None:
            continue
        unit = f.location.unit
        key = _fingerprint(f.fingerprint, f"{unit.kind}:{unit.path}" if unit else "")
        repeat = seen.get(key, 0)
        seen[key] = repeat + 1
        issue: dict[str, Any] = {
            "type": "issue",
            "check_name": f.rule,
            "categories": ["Security"],
            "description": _description(f),
            "severity": SEVERITY[f.severity],
            "fingerprint": _fingerprint(key, str(repeat)) if repeat else key,
            "location": {"path": _path(f), "lines": {"begin": f.location.line or 1}},
        }
        if f.location.end_line and f.location.line and f.location.end_line > f.location.line:
            issue["location"]["lines"]["end"] = f.location.end_line
        issues.append(issue)
    return issues


def render(out: Output) -> str:
    # json_dumps: exact text, but never a lone surrogate (a file name's undecodable byte).
    return json_dumps(document(out), indent=2) + "\n"
