"""The data every rule produces and every reporter consumes.

These types are the public JSON contract (see ARCHITECTURE.md and the README): renaming a field
here changes what other tools parse, so don't.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image a finding lives in (``location.image``)."""

    ref: str
    digest: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "digest": self.digest}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is. Only the fields that apply are set.

    - a file on disk: ``path`` (+ ``line``, 1-based; ``end_line``/``column`` when known)
    - a Kubernetes object: ``object`` is ``Kind/namespace/name`` or ``Kind/name``
    - a container: ``container`` (+ ``container_id`` on a live host)
    - inside an image: ``image`` set, ``path`` the path inside it, ``layer`` the layer digest
    - a daemon option: ``setting``
    """

    path: str | None = None
    line: int | None = None
    end_line: int | None = None
    column: int | None = None
    object: str | None = None
    container: str | None = None
    container_id: str | None = None
    image: ImageRef | None = None
    layer: str | None = None
    setting: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Findings cross a pipe from the processes of a parallel scan (hullcheck.parallel): a
        # tuple of the fields pickles about three times faster than the slots' state.
        return (Location, (self.path, self.line, self.end_line, self.column, self.object,
                           self.container, self.container_id, self.image, self.layer,
                           self.setting))

    @property
    def is_file(self) -> bool:
        """True when ``path`` names a file on disk (not a path inside an image)."""
        return self.path is not None and self.image is None

    def with_line(self, line: int | None, end_line: int | None = None) -> Location:
        return Location(
            path=self.path,
            line=line,
            end_line=end_line,
            column=None,
            object=self.object,
            container=self.container,
            container_id=self.container_id,
            image=self.image,
            layer=self.layer,
            setting=self.setting,
        )

    def to_json(self) -> dict[str, Any]:
        # Once per finding written; the fields a Dockerfile finding has are tested first.
        out: dict[str, Any] = {}
        if self.path is not None:
            out["path"] = self.path
        if self.line is not None:
            out["line"] = self.line
        if self.object is not None:
            out["object"] = self.object
        if self.container is not None:
            out["container"] = self.container
        if self.container_id is not None:
            out["container_id"] = self.container_id
        if self.layer is not None:
            out["layer"] = self.layer
        if self.setting is not None:
            out["setting"] = self.setting
        if self.image is not None:
            out["image"] = self.image.to_json()
        return out


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

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = compute_fingerprint(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # See Location.__reduce__; the fingerprint travels, so it is not computed again.
        return (Finding, (self.rule, self.title, self.severity, self.message, self.location,
                          self.references, self.remediation, self.evidence, self.suppressed,
                          self.fingerprint))

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
        if self.suppressed is not None:
            out["suppressed"] = self.suppressed.to_json()
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


def compute_fingerprint(f: Finding) -> str:
    """A stable id over (rule, file, object, container, image, evidence), never the line."""
    loc = f.location
    parts = [
        f.rule,
        loc.path or "",
        loc.object or "",
        loc.container or "",
        loc.image.ref if loc.image else "",
        loc.setting or "",
        f.evidence or f.message,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]


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
