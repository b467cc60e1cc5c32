"""``hullcheck merge RESULT.json...``: many JSON results folded into one report.

A DaemonSet's output from 1,000 nodes, a CI matrix, scans of many repositories: findings are
de-duplicated by fingerprint, each keeping every place it occurs in (which source, and the
location there when it differs), with a summary per source. Files are read one at a time and
dropped once folded in, so memory grows with the distinct findings and the places they occur
in, never with the inputs' size. A file that is not a hullcheck result is an error line (exit 2)
and the others are still merged.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullcheck.errors import UsageError
from hullcheck.findings import Check, CheckResult, Finding, InputError, Report

# Bounds (docs/security.md): how many result files one merge reads, how many distinct findings
# it keeps, how many places it records in all (beyond: counted, not listed), and the Kubernetes
# overview entries it keeps.
MAX_MERGE_INPUTS = 100_000
MAX_MERGED_FINDINGS = 1_000_000
MAX_MERGED_PLACES = 5_000_000
MAX_MERGED_KUBE_ENTRIES = 100_000
MAX_MERGED_CHECKS = 10_000  # distinct check ids (the CIS Docker Benchmark has 117)
NAMES_IN_REASON = 5

# A check's merged result: the worst of its sources' results, in this order.
_WORST = (CheckResult.FAIL, CheckResult.ERROR, CheckResult.MANUAL, CheckResult.PASS,
          CheckResult.NOT_APPLICABLE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="RESULT",
                        help="hullcheck JSON results (--format json), or directories whose"
                             " *.json files are results")


@dataclass
class _CheckTally:
    first: Check
    counts: Counter[CheckResult] = field(default_factory=Counter)
    names: dict[CheckResult, list[str]] = field(default_factory=dict)


@dataclass
class Merged:
    """What a merge knows beyond a plain report, for the reporters: the sources and where each
    finding (by fingerprint) occurs: ``places[fp]`` is a list of (source index, location as
    compact JSON text, or None when it is the finding's own location: text takes a quarter of
    the memory of the dict, and a fleet's container findings differ in every place)."""

    sources: list[dict[str, Any]] = field(default_factory=list)
    places: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)
    unlisted: Counter[str] = field(default_factory=Counter)  # places beyond the bound
    # Each check's results across the sources (check id -> result -> how many sources).
    check_counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def occurrences(self, fp: str) -> int:
        return len(self.places.get(fp, ())) + self.unlisted[fp]

    def source_name(self, index: int) -> str:
        s = self.sources[index]
        return str(s.get("name") or s.get("host") or s.get("file"))

    def where(self, fp: str, names: int = NAMES_IN_REASON) -> str:
        """``in 3 of 1000 results: node-1, node-2, node-7`` for a text report."""
        from hullcheck.safe_text import terminal

        seen = list(dict.fromkeys(i for i, _ in self.places.get(fp, ())))
        more = len(seen) - names + (1 if self.unlisted[fp] else 0)
        listed = ", ".join(terminal(self.source_name(i)) for i in seen[:names])
        return (f"in {len(seen)}{'+' if self.unlisted[fp] else ''} of {len(self.sources)}"
                f" results: {listed}" + (" and more" if more > 0 else ""))


class Merger:
    """Folds results in one at a time (``add``), then gives the report (``report``)."""

    def __init__(self) -> None:
        self.merged = Merged()
        self.findings: dict[str, Finding] = {}
        self.checks: dict[str, _CheckTally] = {}
        self.errors: list[InputError] = []
        self.kube_namespaces: list[dict[str, Any]] = []
        self.kube_exposure: list[dict[str, Any]] = []
        self.places = 0
        self.dropped = 0

    def add_file(self, path: Path) -> None:
        from hullcheck.results import NotAResult, read_result

        try:
            result = read_result(path, str(path))
        except NotAResult as exc:
            message = str(exc)
            prefix = f"{path}: "
            self.errors.append(InputError(str(path), message.removeprefix(prefix)))
            return
        self.errors.extend(result.errors)
        index = len(self.merged.sources)
        counted = [f for f in result.findings if f.suppressed is None]
        by_sev = Counter(f.severity.label for f in counted)
        checks = Counter(c.result.value for c in result.checks)
        source: dict[str, Any] = {
            **{"kind": None, "name": None, "host": None}, **result.source,
            "file": str(path),
            "summary": {"findings": len(counted), "by_severity": dict(sorted(by_sev.items())),
                        "suppressed": len(result.findings) - len(counted),
                        "checks": dict(sorted(checks.items())), "score": result.score,
                        "errors": result.recorded_errors},
        }
        self.merged.sources.append(source)
        name = source["name"] or source["host"] or str(path)
        for f in result.findings:
            self._add_finding(f, index)
        for c in result.checks:
            tally = self.checks.get(c.id)
            if tally is None:
                if len(self.checks) >= MAX_MERGED_CHECKS:
                    continue
                tally = self.checks[c.id] = _CheckTally(first=c)
            tally.counts[c.result] += 1
            names = tally.names.setdefault(c.result, [])
            if len(names) < NAMES_IN_REASON:
                names.append(name)
        if result.kubernetes:
            self._add_kube(result.kubernetes, index)

    def _add_finding(self, f: Finding, index: int) -> None:
        kept = self.findings.get(f.fingerprint)
        if kept is None:
            if len(self.findings) >= MAX_MERGED_FINDINGS:
                self.dropped += 1
                return
            self.findings[f.fingerprint] = f
            self.merged.places[f.fingerprint] = []
            kept = f
        else:
            kept.severity = max(kept.severity, f.severity)  # a config may override one source
            if f.suppressed is None:
                kept.suppressed = None  # counted where any source counts it
        if self.places >= MAX_MERGED_PLACES:
            self.merged.unlisted[f.fingerprint] += 1
            return
        self.places += 1
        where = None if f.location == kept.location else json.dumps(
            f.location.to_json(), separators=(",", ":"))
        self.merged.places[f.fingerprint].append((index, where))

    def _add_kube(self, kube: dict[str, Any], index: int) -> None:
        for key, into in (("namespaces", self.kube_namespaces), ("exposure", self.kube_exposure)):
            items = kube.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, dict) and len(into) < MAX_MERGED_KUBE_ENTRIES:
                    into.append({**item, "source": index})

    def report(self) -> Report:
        report = Report(findings=list(self.findings.values()), errors=self.errors)
        total = len(self.merged.sources)
        for cid, tally in self.checks.items():
            result = next(r for r in _WORST if tally.counts[r])
            parts = [f"{r.value} on {n} of {total}" for r in _WORST
                     if (n := tally.counts[r])]
            names = tally.names.get(result, [])
            more = tally.counts[result] - len(names)
            detail = ", ".join(names) + (f" and {more} more" if more > 0 else "")
            report.checks.append(Check(id=cid, title=tally.first.title, result=result,
                                       reason=f"{'; '.join(parts)} ({result.value}: {detail})"))
            self.merged.check_counts[cid] = {r.value: n for r in _WORST if (n := tally.counts[r])}
        if self.dropped:
            report.warnings.append(f"merge: more than {MAX_MERGED_FINDINGS:,} distinct findings;"
                                   f" {self.dropped:,} left out")
        if any(self.merged.unlisted.values()):
            report.warnings.append(f"merge: more than {MAX_MERGED_PLACES:,} places; the rest are"
                                   " counted, not listed")
        return report


def run(args: argparse.Namespace) -> tuple[Report, list[Finding], dict[str, Any]]:
    """The merge as (report, shown, Output extras) for ``cli.emit``."""
    from hullcheck.results import iter_inputs

    merger = Merger()
    for n, path in enumerate(iter_inputs(args.inputs)):
        if n >= MAX_MERGE_INPUTS:
            raise UsageError(f"merge: more than {MAX_MERGE_INPUTS:,} result files")
        merger.add_file(path)
    if not merger.merged.sources and not merger.errors:
        raise UsageError("merge: no result files found in " + ", ".join(args.inputs))
    report = merger.report()
    shown = [f for f in report.findings if args.show_suppressed or f.suppressed is None]
    kube = None
    if merger.kube_namespaces or merger.kube_exposure:
        kube = {"namespaces": merger.kube_namespaces, "exposure": merger.kube_exposure}
    report.kubernetes = kube
    return report, shown, {"merged": merger.merged}
