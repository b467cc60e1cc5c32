"""Reporters only format: each takes an ``Output`` and returns text."""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from hullcheck.findings import Finding, Report, Severity

# The reporters' table lives in a module of its own, light enough for the parser (--format).
from hullcheck.reporters_table import ONLY_FOR, REPORTERS, formats_for

__all__ = ["ONLY_FOR", "REPORTERS", "Output", "display_location", "formats_for", "pieces",
           "render"]


class RuleDoc(Protocol):
    """What a reporter may read of a rule (``hullcheck.rules.base.Rule`` is one): reporters are
    handed the catalogue in ``Output.rules`` and never import the rules themselves."""

    id: str
    name: str
    title: str
    severity: Severity
    references: tuple[str, ...]
    fix: str

    def documentation(self) -> str: ...

    def doc_sections(self) -> dict[str, str]: ...


@dataclass
class Output:
    report: Report
    shown: list[Finding]  # what to print, sorted (suppressed ones only with --show-suppressed)
    counted: list[Finding]  # unsuppressed findings: the ones the exit code and summary count
    command: str = "scan"
    color: bool = False
    fail_on: Severity | None = Severity.HIGH
    verbose_skips: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    # Every rule of the tool (SARIF's rule catalogue lists them), asked for only by the reporter
    # that needs it: loading every rule family costs a Dockerfile scan's start-up.
    rules: Callable[[], Sequence[RuleDoc]] = tuple
    # --severity: the levels shown (empty: all), and how many counted findings it hides (None
    # when not given; JSON's additive ``summary.hidden``).
    hidden: int | None = None
    severities: frozenset[Severity] = frozenset()
    # hullcheck diff: each shown finding's change ("appeared", "fixed", "stayed") by id(finding),
    # and the two files compared.
    changes: dict[int, str] | None = None
    diffed: tuple[str, str] | None = None
    # hullcheck merge: the sources and each finding's places (hullcheck.commands.merge.Merged).
    merged: Any = None

    def hidden_note(self) -> str:
        """``12 lower-severity hidden by --severity`` for a text summary, or "" when none is."""
        if not self.hidden:
            return ""
        lowest = min(self.severities)
        lower = all(f.severity < lowest for f in self.counted if f.severity not in self.severities)
        return f"{self.hidden} {'lower-severity ' if lower else ''}hidden by --severity"

    def by_severity(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.counted:
            counts[f.severity.label] += 1
        return counts


def render(fmt: str, out: Output) -> str:
    module, _, func = REPORTERS[fmt].partition(":")
    result: str = getattr(importlib.import_module(module), func)(out)
    return result


def pieces(fmt: str, out: Output) -> Iterator[str]:
    """``render(fmt, out)`` as pieces to write one after the other, the same text: a reporter
    with ``pieces`` of its own (JSON) makes each as it is written, so a large report is never
    one string in memory; any other is rendered here, before anything is written. The first
    piece is made before this returns, so what fails before the findings fails before the
    output file is opened."""
    module = importlib.import_module(REPORTERS[fmt].partition(":")[0])
    own: Callable[[Output], Iterator[str]] | None = getattr(module, "pieces", None)
    if own is None:
        return iter((render(fmt, out),))
    made = own(out)
    return itertools.chain((next(made),), made)


def display_location(f: Finding) -> str:
    """One short string naming where a finding is, for text and JUnit: each field, written by
    whoever wrote the scanned thing, shown through ``safe_text.terminal``."""
    from hullcheck.safe_text import terminal

    loc = f.location
    if loc.image is not None:
        where = terminal(loc.image.ref) + (f":{terminal(loc.path)}" if loc.path else "")
    elif loc.path:
        where = terminal(loc.path) + (f":{loc.line}" if loc.line else "")
    elif loc.container:
        where = f"container {terminal(loc.container)}"
    elif loc.setting:
        where = f"daemon setting {terminal(loc.setting)}"
    else:
        where = "-"
    extra = [x for x in (loc.object and terminal(loc.object),
                         f"container {terminal(loc.container)}" if loc.container and
                         (loc.path or loc.image) else None) if x]
    if loc.unit is not None and loc.unit.kind == "kustomize":
        # A base two overlays include is judged in each: say which (a directory's, a file's or
        # stdin's unit is plain from the path).
        extra.append(f"kustomization {terminal(loc.unit.path)}")
    elif loc.unit is not None and loc.unit.kind == "helm":
        extra.append(f"Helm chart {terminal(loc.unit.path)}")
    return where + (f" ({', '.join(extra)})" if extra else "")
