"""SARIF 2.1.0 as GitHub code scanning accepts it.

Rule metadata and help come from the rules themselves; findings in files are physical locations
with precise regions, findings in images and on a live host are logical locations.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from hullcheck import __version__
from hullcheck.findings import Finding, Location, Severity
from hullcheck.reporters import Output, RuleDoc
from hullcheck.safe_text import json_dumps, unicode_scalars

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub ranks security alerts by this number (9+ critical, 7+ high, 4+ medium, >0 low).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.5",
}


def _rule_descriptor(rule: RuleDoc) -> dict[str, Any]:
    from hullcheck.deprecations import PREDECESSORS

    sections = rule.doc_sections()
    help_md = rule.documentation()
    refs = ", ".join(rule.references)
    # SARIF's own way to say a rule took over retired ids (2.1.0 §3.49.4), so a viewer can
    # carry results of the old id (HOST005) over to its successors.
    deprecated = {"deprecatedIds": list(PREDECESSORS[rule.id])} if rule.id in PREDECESSORS else {}
    return {
        "id": rule.id,
        **deprecated,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": sections.get("What it finds", rule.title)},
        "help": {
            "text": f"{rule.title}\n\nHow to fix: {sections.get('How to fix', rule.fix)}"
                    + (f"\n\nReferences: {refs}" if refs else ""),
            "markdown": help_md,
        },
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", *rule.references],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
        },
    }


def _name_bytes(path: str) -> bytes:
    try:
        return path.encode("utf-8", "surrogateescape")  # the bytes the name had on disk
    except UnicodeEncodeError:  # a surrogate that was never a byte: replaced
        return unicode_scalars(path).encode("utf-8")


def _uri(path: str) -> tuple[str, str | None]:
    # Percent-encoded from the bytes of the name: exact even for bytes that are not UTF-8 (held
    # as surrogates, which quote() cannot encode as text), and no control character survives.
    if path.startswith("/"):
        return "file://" + quote(_name_bytes(path)), None
    return quote(_name_bytes(str(PurePosixPath(path.replace("\\", "/"))))), "%SRCROOT%"


def _locations(loc: Location) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    physical: list[dict[str, Any]] = []
    logical: list[dict[str, Any]] = []
    if loc.is_file and loc.path:
        uri, base = _uri(loc.path)
        artifact: dict[str, Any] = {"uri": uri}
        if base:
            artifact["uriBaseId"] = base
        ploc: dict[str, Any] = {"artifactLocation": artifact}
        if loc.line:
            region: dict[str, Any] = {"startLine": loc.line}
            if loc.end_line and loc.end_line >= loc.line:
                region["endLine"] = loc.end_line
            if loc.column:
                region["startColumn"] = loc.column
            ploc["region"] = region
        physical.append({"physicalLocation": ploc})
    if loc.object:
        logical.append({"name": loc.object.rsplit("/", 1)[-1], "fullyQualifiedName": loc.object,
                        "kind": "resource"})
    if loc.image is not None:
        name = loc.image.ref + (f"@{loc.image.digest}" if loc.image.digest else "")
        if loc.layer:
            name += f"/layer/{loc.layer}"
        if loc.path:
            name += f"/{loc.path.lstrip('/')}"
        logical.append({"name": loc.path or loc.image.ref, "fullyQualifiedName": name,
                        "kind": "module"})
    if loc.container:
        fq = f"container/{loc.container}" + (f"/{loc.container_id}" if loc.container_id else "")
        logical.append({"name": loc.container, "fullyQualifiedName": fq, "kind": "object"})
    if loc.setting:
        logical.append({"name": loc.setting, "fullyQualifiedName": f"daemon/{loc.setting}",
                        "kind": "variable"})
    if not loc.is_file and loc.path and loc.image is None:
        logical.append({"name": loc.path, "fullyQualifiedName": loc.path, "kind": "resource"})
    return physical, logical


def _related(f: Finding) -> list[dict[str, Any]]:
    """``relatedLocations``: the other places of the same problem, each with its index as id."""
    out: list[dict[str, Any]] = []
    for i, loc in enumerate(f.related_locations):
        physical, logical = _locations(loc)
        entry: dict[str, Any] = physical[0] if physical else {}
        if logical:
            entry["logicalLocations"] = logical
        if entry:
            out.append({"id": i, **entry})
    return out


_LINK_SYNTAX = re.compile(r"[\\\[\]]")


def plain_message(text: str) -> str:
    """``text`` for a SARIF plain-text message: ``\\``, ``[`` and ``]`` escaped with a backslash.

    A plain-text message may carry embedded links, ``[text](target)`` (SARIF 2.1.0 §3.11.6),
    which viewers such as GitHub code scanning render as links; the target may be any URI. A
    message quotes scanned values, so a hostile file could otherwise plant a link to anywhere in
    a code-scanning alert. Escaped, every bracket is literal and the text reads as written.
    """
    return _LINK_SYNTAX.sub(lambda m: "\\" + m.group(), text)


BASELINE_STATE = {"appeared": "new", "fixed": "absent", "stayed": "unchanged"}


def document(out: Output) -> dict[str, Any]:
    rules = sorted(out.rules(), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in out.shown:
        physical, logical = _locations(f.location)
        locations = physical or ([{"logicalLocations": logical}] if logical else [])
        if physical and logical:
            locations[0]["logicalLocations"] = logical
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": LEVEL[f.severity],
            "message": {"text": plain_message(
                f.message + (f" Fix: {f.remediation}" if f.remediation else ""))},
            "locations": locations,
            "partialFingerprints": {"hullcheck/v1": f.fingerprint},
            "properties": {"severity": f.severity.label, "tags": list(f.references)},
        }
        related = _related(f)
        if related:
            result["relatedLocations"] = related
        if f.location.unit is not None:  # where a Kubernetes finding was judged
            result["properties"]["unit"] = f.location.unit.to_json()
        if f.location.source is not None:  # the template or file a rendered object came from
            result["properties"]["source"] = f.location.source.to_json()
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if out.changes is not None:  # hullcheck diff: SARIF's own word for it
            result["baselineState"] = BASELINE_STATE[out.changes[id(f)]]
        if f.suppressed is not None:
            result["suppressions"] = [{
                "kind": "inSource" if f.suppressed.by in ("inline", "annotation") else "external",
                "justification": f.suppressed.reason or f"suppressed by {f.suppressed.by}",
            }]
        results.append(result)
    notifications = [
        {"level": "error", "message": {"text": plain_message(f"{e.path}: {e.message}")}}
        for e in out.report.errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "hullcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/hullcheck/hullcheck",
                "rules": [_rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [{
            "executionSuccessful": not out.report.errors,
            "toolExecutionNotifications": notifications,
        }],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///"}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    # originalUriBaseIds pointing at / would make relative paths absolute: leave the base to the
    # consumer (GitHub resolves %SRCROOT% to the checkout) instead.
    del run["originalUriBaseIds"]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(out: Output) -> str:
    # No indent: only the C encoder is fast, and it does not indent. Pipe through `jq` to read.
    return json_dumps(document(out)) + "\n"
