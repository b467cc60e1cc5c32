"""The data every rule produces and every reporter consumes.

These types are the public JSON contract (see ARCHITECTURE.md and the README): renaming a field
here changes what other tools parse, so don't.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

try:
    # CPython's own SHA-256 (the digest of hashlib.sha256): importing hashlib loads OpenSSL's
    # libcrypto, which costs a small scan several milliseconds of its start-up.
    from _sha256 import sha256 as _sha256  # Python 3.11
except ImportError:  # pragma: no cover - a newer or different Python
    try:
        from _sha2 import sha256 as _sha256  # Python 3.12 and later
    except ImportError:
        from hashlib import sha256 as _sha256

# Where a finding is: defined with the models (which import nothing else of the tool), and
# importable from here as before.
from hullcheck.models.location import ImageRef as ImageRef
from hullcheck.models.location import Location as Location
from hullcheck.models.location import SourceRef as SourceRef
from hullcheck.models.location import UnitRef as UnitRef


class Severity(enum.IntEnum):
    """Ordered so that ``a >= b`` means *a is at least as severe as b*."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


# Severity.label is read for every finding a reporter writes: looked up, not lowered each time.
_LABELS: dict[Severity, str] = {s: s.name.lower() for s in Severity}


@dataclass(slots=True)
class Suppressed:
    """Why a finding does not count: ``by`` is inline, annotation, config or baseline."""

    by: str
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"by": self.by, "reason": self.reason}


@dataclass(slots=True)
class Finding:
    rule: str
    title: str
    severity: Severity
    message: str
    location: Location
    references: tuple[str, ...] = ()
    remediation: str = ""
    # What makes this finding this finding, independent of where it sits in the file: the
    # instruction text, the field and value, the file path inside an image. Feeds the fingerprint
    # so baselines survive lines moving.
    evidence: str = ""
    suppressed: Suppressed | None = None
    fingerprint: str = field(default="")
    # Other places of the same problem (JSON ``related_locations``, SARIF ``relatedLocations``):
    # a compose service and the Dockerfile stage it builds. Not part of the fingerprint.
    related_locations: tuple[Location, ...] = ()

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = compute_fingerprint(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # See Location.__reduce__; the fingerprint travels, so it is not computed again.
        return (Finding, (self.rule, self.title, self.severity, self.message, self.location,
                          self.references, self.remediation, self.evidence, self.suppressed,
                          self.fingerprint, self.related_locations))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity.label,
            "message": self.message,
            "references": list(self.references),
            "location": self.location.to_json(),
            "remediation": self.remediation,
            "fingerprint": self.fingerprint,
        }
        if self.evidence:
            # Additive (issue 22): what the fingerprint hashes besides the location, so a reader
            # (the HTML page of merged results, a migration of fingerprints) has it too. Secret
            # values are masked in evidence as in messages (docs/security.md).
            out["evidence"] = self.evidence
        if self.suppressed is not None:
            out["suppressed"] = self.suppressed.to_json()
        if self.related_locations:
            out["related_locations"] = [r.to_json() for r in self.related_locations]
        return out

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (
            loc.path or "",
            loc.object or "",
            loc.line or 0,
            loc.container or "",
            self.rule,
            self.message,
        )


# The scheme compute_fingerprint implements (JSON's top-level ``fingerprint_version``). A result
# without the field was written before it existed, with scheme 1. A new scheme ships with a
# migration of old baselines and results (ARCHITECTURE.md).
FINGERPRINT_VERSION = 1


def compute_fingerprint(f: Finding, rule: str | None = None) -> str:
    """A stable id over (rule, file, object, container, image, evidence), never the line; for
    an object a renderer produced (a chart, a rendered kustomization: ``location.source`` set)
    also the unit, since each rendering is its own object.

    ``rule`` computes it as if another rule id had reported the finding: a baseline written for
    a retired id is matched against its successors' findings that way (``hullcheck.deprecations``).
    """
    loc = f.location
    parts = [
        rule or f.rule,
        loc.path or "",
        loc.object or "",
        loc.container or "",
        loc.image.ref if loc.image else "",
        loc.setting or "",
        f.evidence or f.message,
    ]
    if loc.source is not None and loc.unit is not None and loc.unit.kind in RENDERED_UNITS:
        parts.append(f"{loc.unit.kind}:{loc.unit.path}")
    return _sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


# Units whose objects a renderer produced (``helm template``, ``kustomize build``).
RENDERED_UNITS = frozenset({"helm", "kustomize"})


class CheckResult(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    MANUAL = "manual"
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"


@dataclass(slots=True)
class Check:
    """One benchmark check a run evaluated (the JSON ``checks`` list)."""

    id: str
    title: str
    result: CheckResult
    reason: str = ""
    evidence: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "result": self.result.value,
            "reason": self.reason,
            "evidence": self.evidence,
        }


@dataclass(slots=True)
class Skipped:
    rule: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason}


@dataclass(slots=True)
class SkippedPath:
    """A path a directory walk did not follow: a symbolic link leading out of the scanned
    directory. In JSON ``skipped`` as ``{"path", "reason"}``; in text with --verbose."""

    path: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason}


@dataclass(slots=True)
class InputError:
    """An input that could not be read or parsed: one line, what and where."""

    path: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "message": self.message}


@dataclass(slots=True)
class RuleCrash(InputError):
    """A rule that raised: an error line like any other, which also says which rule (so the
    host audit turns that rule's checks into errors without reading the message)."""

    rule: str = ""


@dataclass(slots=True)
class Report:
    """Everything one run produced, before suppression and formatting."""

    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    skipped_paths: list[SkippedPath] = field(default_factory=list)  # JSON "skipped" too
    errors: list[InputError] = field(default_factory=list)
    # One-line warnings for the terminal (unused suppressions, unknown rule ids...): not part of
    # the JSON contract.
    warnings: list[str] = field(default_factory=list)
    # A score for benchmark-style runs (the host audit); None elsewhere.
    score: int | None = None
    # Inline comments and annotations the inputs carried (hullcheck.suppress.Suppression);
    # applied after the rules ran. Not part of the JSON contract.
    suppressions: list[Any] = field(default_factory=list)
    # When the run started and ended (epoch seconds), for reporters that print them (the
    # docker-bench-json log); None where a command does not time itself. Not in the JSON contract.
    started: float | None = None
    ended: float | None = None
    # Where the run looked (JSON's additive top-level ``source``: kind, name, host), so merged
    # results keep where each came from.
    source: dict[str, Any] | None = None
    # A Kubernetes scan's overview for readers of the report (JSON's additive ``kubernetes``):
    # namespaces with their workloads and Pod Security labels, and the exposure map.
    kubernetes: dict[str, Any] | None = None

    def extend(self, other: Report) -> None:
        self.findings.extend(other.findings)
        self.checks.extend(other.checks)
        self.skipped.extend(other.skipped)
        self.skipped_paths.extend(other.skipped_paths)
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)
        self.suppressions.extend(other.suppressions)
        if other.score is not None:
            self.score = (self.score or 0) + other.score
        if other.kubernetes is not None:
            from hullcheck.kube_overview import join

            self.kubernetes = join(self.kubernetes, other.kubernetes)
