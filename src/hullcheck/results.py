"""Reading hullcheck's own JSON results back, for ``hullcheck merge`` and ``hullcheck diff``.

A result file may come from anywhere (a DaemonSet's 1,000 nodes, a CI artefact store): it is
hostile like any input. Each file is read bounded in size, must be a JSON object written by
hullcheck (``"tool": "hullcheck"`` and a ``findings`` list), and each finding must have the
contract's shape; a finding that has not is an error line naming the file and the finding's
index, and the rest goes on. Nothing here keeps a whole document longer than it takes to turn
its findings into ``Finding`` objects (``merge`` streams file by file).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullcheck.findings import (
    FINGERPRINT_VERSION,
    Check,
    CheckResult,
    Finding,
    ImageRef,
    InputError,
    Location,
    Severity,
    Suppressed,
    UnitRef,
)

# Bounds on one result file (docs/security.md): its size, its findings and checks, and how many
# malformed findings are named one by one before the rest are counted in one line.
MAX_RESULT_BYTES = 64 * 1024 * 1024
MAX_RESULT_FINDINGS = 500_000
MAX_RESULT_CHECKS = 10_000
MAX_ERRORS_PER_FILE = 10
# A string field longer than this is cut (a message, a path): a result is not a place for
# megabytes of text, and the HTML page would carry it.
MAX_FIELD_CHARS = 16_384


class NotAResult(ValueError):
    """A file that is not a hullcheck JSON result: one line, exit 2."""


@dataclass
class Result:
    """One result file, read: its findings and checks as objects, the rest as it was."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)  # what is wrong with the file
    recorded_errors: int = 0  # the errors the run that wrote it reported (its "errors" list)
    source: dict[str, Any] = field(default_factory=dict)
    fingerprint_version: int = FINGERPRINT_VERSION
    score: int | None = None
    kubernetes: dict[str, Any] | None = None
    version: str = ""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return value[:MAX_FIELD_CHARS]


def _opt_text(value: Any) -> str | None:
    return value[:MAX_FIELD_CHARS] if isinstance(value, str) else None


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def location_from_json(raw: Any) -> Location:
    """``location`` of the JSON contract back into a ``Location`` (unknown keys ignored, wrong
    types dropped: a field is either what the contract says or absent)."""
    if not isinstance(raw, dict):
        return Location()
    image = raw.get("image")
    unit = raw.get("unit")
    return Location(
        path=_opt_text(raw.get("path")),
        line=_opt_int(raw.get("line")),
        object=_opt_text(raw.get("object")),
        container=_opt_text(raw.get("container")),
        container_id=_opt_text(raw.get("container_id")),
        image=(ImageRef(_text(image.get("ref")), _opt_text(image.get("digest")))
               if isinstance(image, dict) and isinstance(image.get("ref"), str) else None),
        layer=_opt_text(raw.get("layer")),
        setting=_opt_text(raw.get("setting")),
        unit=(UnitRef(_text(unit.get("kind")), _text(unit.get("path")))
              if isinstance(unit, dict) and isinstance(unit.get("kind"), str) else None),
    )


def finding_from_json(raw: Any) -> Finding:
    """One finding of the JSON contract as a ``Finding``; ``ValueError`` saying what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    rule, fp, severity = raw.get("rule"), raw.get("fingerprint"), raw.get("severity")
    if not isinstance(rule, str) or not rule:
        raise ValueError("no 'rule'")
    if not isinstance(fp, str) or not fp or len(fp) > 128:
        raise ValueError("no 'fingerprint'")
    if not isinstance(severity, str):
        raise ValueError("no 'severity'")
    sev = Severity.parse(severity)  # ValueError names the severities
    refs = raw.get("references")
    suppressed = raw.get("suppressed")
    return Finding(
        rule=rule[:64],
        title=_text(raw.get("title")),
        severity=sev,
        message=_text(raw.get("message")),
        location=location_from_json(raw.get("location")),
        references=tuple(_text(r) for r in refs[:256] if isinstance(r, str))
        if isinstance(refs, list) else (),
        remediation=_text(raw.get("remediation")),
        evidence=_text(raw.get("evidence")),
        suppressed=(Suppressed(_text(suppressed.get("by")) or "unknown",
                               _opt_text(suppressed.get("reason")))
                    if isinstance(suppressed, dict) else None),
        fingerprint=fp,
    )


def check_from_json(raw: Any) -> Check:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ValueError("no 'id'")
    try:
        result = CheckResult(str(raw.get("result")))
    except ValueError:
        raise ValueError(f"unknown result {str(raw.get('result'))[:40]!r}") from None
    return Check(id=raw["id"][:128], title=_text(raw.get("title")), result=result,
                 reason=_text(raw.get("reason")), evidence=_text(raw.get("evidence")))


def load_document(path: Path, name: str | None = None) -> dict[str, Any]:
    """The JSON object in ``path``, read bounded; ``NotAResult`` (one line) when it cannot be
    read, is too big, is not JSON or was not written by hullcheck."""
    from hullcheck.sources import TooLarge, read_regular

    shown = name or str(path)
    try:  # a regular file only (a FIFO would block), at most MAX_RESULT_BYTES
        data = read_regular(path, shown, MAX_RESULT_BYTES)
    except TooLarge:
        raise NotAResult(f"{shown}: larger than {MAX_RESULT_BYTES // (1024 * 1024)} MiB, not read"
                         " (a hullcheck result is far smaller)") from None
    except ValueError as exc:
        raise NotAResult(str(exc)) from None
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, deep nesting
        what = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise NotAResult(f"{shown}: not a hullcheck JSON result: not JSON ({what})") from None
    if not isinstance(doc, dict) or doc.get("tool") != "hullcheck" or not isinstance(
            doc.get("findings"), list):
        raise NotAResult(f"{shown}: not a hullcheck JSON result (expected an object with"
                         " \"tool\": \"hullcheck\" and a \"findings\" list, as --format json"
                         " writes)")
    return doc


def fingerprint_version(doc: dict[str, Any], shown: str) -> int:
    """The document's fingerprint scheme; ``NotAResult`` when this version cannot read it."""
    version = doc.get("fingerprint_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise NotAResult(f"{shown}: \"fingerprint_version\" is not a positive whole number")
    if version > FINGERPRINT_VERSION:
        raise NotAResult(f"{shown}: fingerprint_version {version} is newer than this hullcheck"
                         f" reads ({FINGERPRINT_VERSION}); use the version that wrote it or newer")
    return version


def _items(doc: dict[str, Any], key: str, limit: int, shown: str) -> list[Any]:
    items = doc.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise NotAResult(f"{shown}: not a hullcheck JSON result (\"{key}\" is not a list)")
    if len(items) > limit:
        raise NotAResult(f"{shown}: more than {limit:,} {key}, not read")
    return items


def read_result(path: Path, name: str | None = None) -> Result:
    """One result file as a ``Result`` (``NotAResult`` when it is not one at all; a malformed
    finding or check is an error line of the result, and the rest is read)."""
    shown = name or str(path)
    doc = load_document(path, shown)
    out = Result(path=shown, fingerprint_version=fingerprint_version(doc, shown),
                 version=_text(doc.get("version")))
    bad = 0
    for i, raw in enumerate(_items(doc, "findings", MAX_RESULT_FINDINGS, shown)):
        try:
            out.findings.append(finding_from_json(raw))
        except ValueError as exc:
            bad += 1
            if bad <= MAX_ERRORS_PER_FILE:
                out.errors.append(InputError(shown, f"finding {i + 1}: {exc}, left out"))
    for i, raw in enumerate(_items(doc, "checks", MAX_RESULT_CHECKS, shown)):
        try:
            out.checks.append(check_from_json(raw))
        except ValueError as exc:
            bad += 1
            if bad <= MAX_ERRORS_PER_FILE:
                out.errors.append(InputError(shown, f"check {i + 1}: {exc}, left out"))
    if bad > MAX_ERRORS_PER_FILE:
        out.errors.append(InputError(shown, f"{bad - MAX_ERRORS_PER_FILE} more malformed"
                                            " findings or checks left out"))
    out.recorded_errors = len(_items(doc, "errors", MAX_RESULT_FINDINGS, shown))
    source = doc.get("source")
    if isinstance(source, dict):
        out.source = {k: _text(source.get(k)) for k in ("kind", "name", "host")
                      if isinstance(source.get(k), str)}
    summary = doc.get("summary")
    if isinstance(summary, dict):
        out.score = _opt_int(summary.get("score"))
    kube = doc.get("kubernetes")
    if isinstance(kube, dict):
        out.kubernetes = kube
    return out


def iter_inputs(paths: list[str]) -> Iterator[Path]:
    """The result files ``paths`` name: a file as it is, a directory's ``*.json`` files (walked,
    sorted, symbolic links not followed)."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for sub in sorted(path.rglob("*.json")):
                if sub.is_file() and not sub.is_symlink():
                    yield sub
        else:
            yield path
