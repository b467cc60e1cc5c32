"""JUnit XML: a test suite per audited thing (file, object, container, image), a failing test
case per finding, and the benchmark checks of a host audit as their own suite."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from hullcheck.findings import CheckResult, Finding
from hullcheck.reporters import Output, display_location


def _suite_name(f: Finding) -> str:
    loc = f.location
    if loc.image is not None:
        return loc.image.ref
    return loc.path or (f"container {loc.container}" if loc.container else None) or "host"


def render(out: Output) -> str:
    root = ET.Element("testsuites", name="hullcheck")
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in out.shown:
        groups[_suite_name(f)].append(f)
    total_tests = total_failures = total_skipped = 0
    for name, findings in sorted(groups.items()):
        suite = ET.SubElement(root, "testsuite", name=name)
        failures = skipped = 0
        for f in findings:
            case = ET.SubElement(
                suite, "testcase", classname=f.rule,
                name=f"{f.rule} {display_location(f)}",
                file=f.location.path or "", line=str(f.location.line or ""),
            )
            if f.suppressed is not None:
                skipped += 1
                reason = f.suppressed.reason or ""
                ET.SubElement(case, "skipped", message=f"suppressed by {f.suppressed.by}: {reason}")
                continue
            failures += 1
            fail = ET.SubElement(case, "failure", type=f.severity.label,
                                 message=f"[{f.severity.label}] {f.title}: {f.message}")
            refs = ", ".join(f.references)
            fail.text = (f"{f.message}\nLocation: {display_location(f)}\n"
                         f"Fix: {f.remediation}\nReferences: {refs}\n")
        suite.set("tests", str(len(findings)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        total_tests += len(findings)
        total_failures += failures
        total_skipped += skipped

    if out.report.checks:
        suite = ET.SubElement(root, "testsuite", name="benchmark checks")
        fails = skips = 0
        for c in out.report.checks:
            case = ET.SubElement(suite, "testcase", classname="checks", name=f"{c.id} {c.title}")
            if c.result is CheckResult.FAIL:
                fails += 1
                ET.SubElement(case, "failure", message=c.reason or "failed").text = c.evidence
            elif c.result is not CheckResult.PASS:
                skips += 1
                ET.SubElement(case, "skipped", message=f"{c.result.value}: {c.reason}")
        suite.set("tests", str(len(out.report.checks)))
        suite.set("failures", str(fails))
        suite.set("errors", "0")
        suite.set("skipped", str(skips))
        total_tests += len(out.report.checks)
        total_failures += fails
        total_skipped += skips

    if out.report.errors:
        suite = ET.SubElement(root, "testsuite", name="input errors",
                              tests=str(len(out.report.errors)), failures="0",
                              errors=str(len(out.report.errors)), skipped="0")
        for e in out.report.errors:
            case = ET.SubElement(suite, "testcase", classname="input", name=e.path)
            ET.SubElement(case, "error", message=e.message)
        total_tests += len(out.report.errors)

    if total_tests == 0:
        suite = ET.SubElement(root, "testsuite", name="hullcheck", tests="1", failures="0",
                              errors="0", skipped="0")
        ET.SubElement(suite, "testcase", classname="hullcheck", name="no findings")
        total_tests = 1
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", str(len(out.report.errors)))
    root.set("skipped", str(total_skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
