"""Text for terminals: grouped by file (or container, image), severity colours, the fix in one
line, a summary. ``rich`` is imported only here, and only when text is asked for."""

from __future__ import annotations

import io
import sys
from collections import defaultdict
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.reporters import Output
from hullcheck.safe_text import terminal

STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _group(f: Finding) -> str:
    # Every field of a location may come from a scanned file, an image or a registry: each is
    # shown through ``terminal`` (hullcheck.safe_text), here and in ``_where``.
    loc = f.location
    if loc.image is not None:
        return f"image {terminal(loc.image.ref)}"
    if loc.path and loc.is_file:
        return terminal(loc.path)
    if loc.container:
        return f"container {terminal(loc.container)}"
    if loc.setting:
        return "docker daemon"
    return terminal(loc.path or "host")


def _where(f: Finding) -> str:
    loc = f.location
    parts = []
    if loc.line:
        parts.append(f"line {loc.line}")
    if loc.image is not None and loc.path:
        parts.append(terminal(loc.path))
    if loc.layer:
        parts.append(f"layer {terminal(loc.layer[:19])}")
    if loc.object:
        parts.append(terminal(loc.object))
    if loc.container and (loc.path or loc.object):
        parts.append(f"container {terminal(loc.container)}")
    if loc.setting:
        parts.append(terminal(loc.setting))
    return ", ".join(parts)


def _write(console: Any, out: Output) -> None:
    # Untrusted strings are never markup: each line is assembled from (text, style) parts, so a
    # "[bold]" or a trailing backslash in a scanned value is printed as it is.
    from rich.text import Text

    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in out.shown:
        groups[_group(f)].append(f)
    for name, findings in groups.items():
        console.print(Text(name, "bold underline"))
        for f in findings:
            where = _where(f)
            row = Text.assemble("  ", (f"{f.severity.label.upper():8}", STYLE[f.severity]), " ",
                                (terminal(f.rule), "bold"), " ", terminal(f.message))
            if where:
                row.append(" ").append(f"({where})", "dim")
            if f.suppressed:
                row.append(" ").append(f"(suppressed by {f.suppressed.by})", "dim")
            console.print(row)
            if f.remediation:
                console.print(Text.assemble("           ", ("fix:", "green"), " ",
                                            terminal(f.remediation)))
            if f.references:
                console.print(Text("           ") + Text(", ".join(map(terminal, f.references)),
                                                         "dim"))
        console.print()
    r = out.report
    if r.checks:
        counts: dict[str, int] = defaultdict(int)
        for c in r.checks:
            counts[c.result.value] += 1
        console.print("checks: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    for skip in out.verbose_skips:
        console.print(Text(f"skipped: {terminal(skip)}", "dim"))
    for sk in r.skipped:
        console.print(Text(f"skipped rule {terminal(sk.rule)}: {terminal(sk.reason)}", "dim"))
    # Errors and warnings go to stderr (the CLI writes them), one line each.
    by_sev = out.by_severity()
    total = len(out.counted)
    suppressed = len(r.findings) - total
    summary = ", ".join(f"{n} {sev}" for sev, n in by_sev.items() if n)
    line = f"[bold]{total} finding{'s' if total != 1 else ''}[/]"
    if summary:
        line += f" ({summary})"
    if suppressed:
        line += f", {suppressed} suppressed"
    if out.hidden_note():
        line += f", {out.hidden_note()}"
    if r.errors:
        line += f", [red]{len(r.errors)} error{'s' if len(r.errors) != 1 else ''}[/]"
    if r.score is not None:
        line += f", score {r.score}"
    if out.fail_on is not None:
        line += f"; failing at {out.fail_on.label} and above"
    console.print(line)


def render(out: Output) -> str:
    from rich.console import Console

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False, no_color=True, width=120, highlight=False,
                      soft_wrap=True, emoji=False)
    _write(console, out)
    return buf.getvalue()


def print_text(out: Output) -> None:
    from rich.console import Console

    # emoji=False: a scanned ":name:" is text, not rich's emoji code.
    console = Console(file=sys.stdout, no_color=not out.color, highlight=False, soft_wrap=True,
                      force_terminal=out.color or None, emoji=False)
    _write(console, out)
