"""GitHub Actions workflow commands: one annotation per finding (``--format github``).

``::error file=F,line=L,col=C,title=T::message`` lines, which the runner turns into annotations on
the pull request and the run. The escaping is the Actions toolkit's (``@actions/core``
``command.ts``): in the message (data) ``%``, CR and LF become ``%25``, ``%0D`` and ``%0A``; in a
property value ``:`` and ``,`` too (``%3A``, ``%2C``), since they separate properties. So a scanned
value can never end the command early or start a new one.

GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job), and drops
the rest without a word; notices are held to the same budget here. So findings are written most
severe first, and those past a kind's budget are written as plain log lines (prefixed
``hullcheck:``, so no line the report writes can be read as a workflow command). A final
``::notice::`` gives the summary and says how many findings are only in the log; one notice is
kept for it.

Strings a stranger wrote (paths, messages quoting scanned values) first go through
``safe_text.terminal``, as in the text output, because the runner prints each command's message
to the log: no control or bidirectional character reaches it. A file path that would need
quoting is not given as ``file=`` (the annotation could not point at it anyway): the quoted path
leads the message instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.reporters import Output
from hullcheck.safe_text import terminal

# Annotations of one kind GitHub shows per step.
ANNOTATIONS_PER_KIND = 10
KIND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as ``@actions/core`` ``escapeData`` does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped as ``@actions/core`` ``escapeProperty``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, properties: dict[str, str], message: str) -> str:
    """``::kind name=value,...::message`` with every part escaped."""
    props = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def _annotation(f: Finding) -> str:
    from hullcheck.reporters.text import _context, _lead

    loc = f.location
    props: dict[str, str] = {}
    lead = ""
    if loc.is_file and loc.path and terminal(loc.path) == loc.path:
        props["file"] = loc.path
        if loc.line:
            props["line"] = str(loc.line)
            if loc.end_line and loc.end_line > loc.line:
                props["endLine"] = str(loc.end_line)
            props["col"] = str(loc.column or 1)
    else:  # an image, a container, the daemon, or a path that needs quoting: named in the text
        lead = _lead(f) + ": "
    props["title"] = f"{f.severity.label.upper()} {f.rule} {f.title}"
    context = _context(f)
    lines = [lead + terminal(f.message) + (f" ({context})" if context else "")]
    if f.remediation:
        lines.append("fix: " + terminal(f.remediation))
    if f.references:
        lines.append("refs: " + ", ".join(map(terminal, f.references)))
    return command(KIND[f.severity], props, "\n".join(lines))


def _log_line(f: Finding) -> str:
    """A finding past its kind's budget: one plain line, as ``--format concise`` writes it."""
    from hullcheck.reporters.text import _head, _plain

    return "hullcheck: " + _plain(_head(f), False)


def lines(out: Output) -> Iterator[str]:
    from hullcheck.reporters.text import _plain, _summary

    budget = {"error": ANNOTATIONS_PER_KIND, "warning": ANNOTATIONS_PER_KIND,
              "notice": ANNOTATIONS_PER_KIND - 1}  # one notice for the summary
    for e in out.report.errors:  # an input that could not be read: exit 2, shown first
        budget["error"] -= 1
        text = f"{terminal(e.path)}: {terminal(e.message)}"
        yield (command("error", {"title": "hullcheck: input error"}, text)
               if budget["error"] >= 0 else f"hullcheck: error: {text}")
    only_logged = 0
    # Most severe first (sorted() is stable: within a severity, the report's order).
    for f in sorted(out.shown, key=lambda f: -f.severity):
        if f.suppressed is not None:  # shown with --show-suppressed: never an annotation
            yield _log_line(f)  # the line says "(suppressed by ...)"
            continue
        kind = KIND[f.severity]
        budget[kind] -= 1
        if budget[kind] >= 0:
            yield _annotation(f)
        else:
            only_logged += 1
            yield _log_line(f)
    summary = _plain(_summary(out), False)
    if only_logged:
        summary += (f" {only_logged} finding{'s are' if only_logged != 1 else ' is'} only in"
                    f" this log, not annotated: GitHub shows at most {ANNOTATIONS_PER_KIND}"
                    " annotations of each kind per step.")
    yield command("notice", {"title": "hullcheck"}, summary)


def render(out: Output) -> str:
    return "\n".join(lines(out)) + "\n"
