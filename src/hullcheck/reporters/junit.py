"""JUnit XML: a test suite per audited thing (file, object, container, image), a failing test
case per finding, and the benchmark checks of a host audit as their own suite.

CI servers show this report to people, and XML 1.0 cannot carry most control characters even as
character references (one would make the whole report unreadable to them): every string that is
not hullcheck's own goes through ``safe_text.terminal``, as in the text output.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from hullcheck.findings import CheckResult, Finding
from hullcheck.reporters import Output, display_location
from hullcheck.safe_text import terminal as _t


def _suite_name(f: Finding) -> str:
    loc = f.location
    if loc.image is not None:
        return _t(loc.image.ref)
    if loc.path:
        return _t(loc.path)
    return f"container {_t(loc.container)}" if loc.container else "host"


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
            where = display_location(f)
            case = ET.SubElement(
                suite, "testcase", classname=_t(f.rule),
                name=f"{_t(f.rule)} {where}",
                file=_t(f.location.path or ""), line=str(f.location.line or ""),
            )
            if out.changes is not None and out.changes[id(f)] == "fixed":
                continue  # hullcheck diff: a fixed finding is a test that passes now
            if f.suppressed is not None:
                skipped += 1
                reason = _t(f.suppressed.reason or "")
                ET.SubElement(case, "skipped", message=f"suppressed by {f.suppressed.by}: {reason}")
                continue
            failures += 1
            message = _t(f.message)
            fail = ET.SubElement(case, "failure", type=f.severity.label,
                                 message=f"[{f.severity.label}] {_t(f.title)}: {message}")
            refs = ", ".join(map(_t, f.references))
            fail.text = (f"{message}\nLocation: {where}\n"
                         f"Fix: {_t(f.remediation)}\nReferences: {refs}\n")
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
            case = ET.SubElement(suite, "testcase", classname="checks",
                                 name=f"{_t(c.id)} {_t(c.title)}")
            if c.result is CheckResult.FAIL:
                fails += 1
                ET.SubElement(case, "failure", message=_t(c.reason or "failed")).text = \
                    _t(c.evidence)
            elif c.result is not CheckResult.PASS:
                skips += 1
                ET.SubElement(case, "skipped", message=f"{c.result.value}: {_t(c.reason)}")
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
            case = ET.SubElement(suite, "testcase", classname="input", name=_t(e.path))
            ET.SubElement(case, "error", message=_t(e.message))
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
