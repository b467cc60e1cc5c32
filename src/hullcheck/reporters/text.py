"""Text for people: one finding per block, led by where it is, and a summary with a verdict.

Each finding starts with its location as compilers and linters print it (``path:line:col``, which
terminals and editors make clickable; ``container NAME``, ``image REF`` or ``docker daemon`` when
it is not in a file), then the severity, the rule id and the message, then the object, container
or path it concerns; the fix and the references follow on lines of their own. On a terminal the
text is wrapped at its width with a hanging indent, between words (a word longer than a line is
cut); anywhere else nothing is wrapped, so each finding's first line holds all of it for ``grep``.
``--format concise`` (``render_concise``) writes that first line alone, one line per finding.

No ``rich`` here: the lines are plain strings and the few colours hand-written SGR sequences
(text is written for every finding of a scan, and must cost little more than JSON). Every string
a scanned file, an image or a registry wrote goes through ``safe_text.terminal`` before it is
placed, so the only escape sequences in the output are the reporter's own colours.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TextIO

from hullcheck.findings import Finding, Severity
from hullcheck.reporters import Output
from hullcheck.safe_text import terminal

# SGR parameters (ECMA-48 "select graphic rendition") of each style; "" is unstyled.
BOLD = "1"
DIM = "2"
GREEN = "32"
FAILED = "1;31"
PASSED = "1;32"
STYLE = {
    Severity.CRITICAL: "1;37;41",  # bold white on red
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
    Severity.INFO: "2",
}
# Continuation lines of a wrapped finding, and its fix and references lines.
INDENT = "    "
# The narrowest width wrapped to: a terminal reporting fewer columns gets lines this long.
MIN_WIDTH = 20

Part = tuple[str, str]  # (text, SGR parameters)


def colour_wanted(no_color: bool, stream: TextIO, to_file: bool) -> bool:
    """Whether text written to ``stream`` is coloured: never with ``--no-color`` or into an
    ``-o`` file; never when ``NO_COLOR`` is set and not empty (no-color.org); always when
    ``FORCE_COLOR`` is set and not empty (force-color.org: a CI log that shows colours);
    otherwise when ``stream`` is a terminal. ``NO_COLOR`` wins over ``FORCE_COLOR``."""
    if no_color or to_file or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def terminal_width(stream: TextIO) -> int | None:
    """The width to wrap text written to ``stream`` at: ``None`` (no wrapping) unless it is a
    terminal; then ``COLUMNS`` when set to a positive number (as ``shutil.get_terminal_size``),
    else the terminal's own width, else 80; never under ``MIN_WIDTH``."""
    try:
        if not stream.isatty():
            return None
        fd = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    width = 0
    columns = os.environ.get("COLUMNS", "")
    if columns.isdecimal() and len(columns) < 8:  # bounded: int() of a long digit run is slow
        width = int(columns)
    if width <= 0:
        try:
            width = os.get_terminal_size(fd).columns
        except OSError:
            width = 0
    return max(width or 80, MIN_WIDTH)


# ---------------------------------------------------------------------------------- locations

def _lead(f: Finding) -> str:
    """Where the finding is, first on its line: ``path:line:col`` for a file (column 1 when the
    finding is about the whole line, as every finding is today), else what holds it. Every field
    may come from a scanned file, an image or a registry: each goes through ``terminal``."""
    loc = f.location
    if loc.image is not None:
        return f"image {terminal(loc.image.ref)}"
    if loc.path:
        if loc.line:
            return f"{terminal(loc.path)}:{loc.line}:{loc.column or 1}"
        return terminal(loc.path)
    if loc.container:
        return f"container {terminal(loc.container)}"
    if loc.setting:
        return "docker daemon"
    return "host"


def _context(f: Finding) -> str:
    """What the lead leaves out: the path inside an image, its layer, the Kubernetes object, the
    container (unless the lead names it), the daemon setting."""
    loc = f.location
    parts = []
    if loc.image is not None and loc.path:
        parts.append(terminal(loc.path))
    if loc.layer:
        parts.append(f"layer {terminal(loc.layer[:19])}")
    if loc.object:
        parts.append(terminal(loc.object))
    if loc.container and (loc.path or loc.object or loc.image is not None):
        parts.append(f"container {terminal(loc.container)}")
    if loc.setting:
        parts.append(terminal(loc.setting))
    return ", ".join(parts)


def _head(f: Finding) -> list[Part]:
    """The finding's first line, as styled parts: lead, severity, id, message, context."""
    parts: list[Part] = [
        (_lead(f) + ":", BOLD), (" ", ""), (f.severity.label.upper(), STYLE[f.severity]),
        (" ", ""), (terminal(f.rule), BOLD), (" " + terminal(f.message), ""),
    ]
    context = _context(f)
    if context:
        parts += ((" ", ""), (f"({context})", DIM))
    if f.suppressed:
        parts += ((" ", ""), (f"(suppressed by {terminal(f.suppressed.by)})", DIM))
    return parts


# ----------------------------------------------------------------------------------- wrapping

_WORDS = re.compile(r"( *)([^ ]*)")


def _cells() -> Callable[[str], int]:
    from rich.cells import cell_len  # only for text that is not ASCII (10 ms to import)

    return cell_len


def _width_of(text: str) -> int:
    # Columns the text takes: its length when ASCII (the usual case), else East Asian wide
    # characters count two and combining marks none.
    return len(text) if text.isascii() else _cells()(text)


def _cut(word: str, room: int) -> tuple[str, str]:
    """``word`` split into a first piece at most ``room`` columns wide and the rest; the piece is
    empty when not even the first character fits."""
    if word.isascii():
        return word[:room], word[room:]
    from rich.cells import get_character_cell_size

    used = 0
    for i, ch in enumerate(word):
        used += get_character_cell_size(ch)
        if used > room:
            return word[:i], word[i:]
    return word, ""


def _paint(text: str, sgr: str, colour: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if colour and sgr and text else text


def _plain(parts: list[Part], colour: bool) -> str:
    return "".join(_paint(text, sgr, colour) for text, sgr in parts)


def wrap(parts: list[Part], width: int, first: str, rest: str, colour: bool) -> Iterator[str]:
    """The styled ``parts`` as lines of at most ``width`` columns, broken between words: the first
    line starts with ``first``, the others with ``rest`` (the hanging indent). Spaces at a break
    and at the end are dropped. A word wider than a whole line is cut, starting where it stands.
    ``width`` must leave room for two wide characters after ``rest`` (``MIN_WIDTH`` does)."""
    line: list[str] = [first]
    col = len(first)
    room = width - len(rest)  # of a continuation line
    fresh = True  # nothing but the indent on the line yet
    pending = ""  # spaces at the end of a part: they go before the next part's first word
    for text, sgr in parts:
        for match in _WORDS.finditer(text):
            spaces, word = pending + match.group(1), match.group(2)
            if not word:
                pending = spaces
                continue
            pending = ""
            gap = 0 if fresh else len(spaces)
            w = _width_of(word)
            if gap and col + gap + w > width and (w <= room or col + gap >= width):
                yield "".join(line)  # the word goes on the next line
                line, col, gap = [rest], len(rest), 0
            if gap:
                line.append(spaces)
                col += gap
            while col + w > width:  # wider than the room left: cut, go on on the next line
                piece, word = _cut(word, width - col)
                if piece:
                    line.append(_paint(piece, sgr, colour))
                yield "".join(line)
                line, col = [rest], len(rest)
                w = _width_of(word)
            line.append(_paint(word, sgr, colour))
            col += w
            fresh = False
    yield "".join(line)


# ------------------------------------------------------------------------------------ summary

def _summary(out: Output) -> list[Part]:
    r = out.report
    total = len(out.counted)
    parts: list[Part] = [(f"{total} finding{'s' if total != 1 else ''}", BOLD)]
    line = ""
    counts = ", ".join(f"{n} {sev}" for sev, n in out.by_severity().items() if n)
    if counts:
        line += f" ({counts})"
    suppressed = len(r.findings) - total
    if suppressed:
        line += f", {suppressed} suppressed"
    # Findings left out by --severity (helper A's ``Output.hidden``, when it is there): they are
    # counted above and judged by --fail-on, only not listed.
    hidden: int = getattr(out, "hidden", 0)
    if hidden:
        line += f", {hidden} lower-severity hidden by --severity"
    if r.score is not None:
        line += f", score {r.score}"
    parts.append((line + ";", ""))
    return parts + _verdict(out)


def _verdict(out: Output) -> list[Part]:
    """"passed" or "failed" and why, as the exit code says: input errors (exit 2) and findings
    at or above --fail-on (exit 1) fail, nothing else does."""
    reasons = []
    if out.fail_on is not None:
        failing = sum(1 for f in out.counted if f.severity >= out.fail_on)
        if failing:
            reasons.append(f"{failing} finding{'s' if failing != 1 else ''} at"
                           f" {out.fail_on.label} or above")
    errors = len(out.report.errors)
    if errors:
        reasons.append(f"{errors} error{'s' if errors != 1 else ''}")
    if reasons:
        return [(" ", ""), ("failed", FAILED), (": " + ", ".join(reasons), "")]
    if out.fail_on is None:
        return [(" ", ""), ("passed", PASSED), (" (--fail-on never)", "")]
    return [(" ", ""), ("passed", PASSED), (f": nothing at {out.fail_on.label} or above", "")]


def _footer(out: Output) -> Iterator[list[Part]]:
    r = out.report
    if r.checks:
        counts: dict[str, int] = defaultdict(int)
        for c in r.checks:
            counts[c.result.value] += 1
        yield [("checks: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())), "")]
    for skip in out.verbose_skips:
        yield [(f"skipped: {terminal(skip)}", DIM)]
    for sk in r.skipped:
        yield [(f"skipped rule {terminal(sk.rule)}: {terminal(sk.reason)}", DIM)]
    # Errors and warnings go to stderr (the CLI writes them), one line each.
    yield _summary(out)


# ------------------------------------------------------------------------------------ reports

def lines(out: Output, width: int | None = None, colour: bool = False,
          concise: bool = False) -> Iterator[str]:
    """The report's lines: wrapped at ``width`` unless it is ``None``; ``concise``: each finding's
    first line alone, never wrapped."""
    if width is not None:
        width = max(width, MIN_WIDTH)
    for f in out.shown:
        head = _head(f)
        if width is None or concise:
            yield _plain(head, colour)
        else:
            yield from wrap(head, width, "", INDENT, colour)
        if concise:
            continue
        tails: list[list[Part]] = []
        if f.remediation:
            tails.append([("fix:", GREEN), (" " + terminal(f.remediation), "")])
        if f.references:
            tails.append([("refs: " + ", ".join(map(terminal, f.references)), DIM)])
        for tail in tails:
            if width is None:
                yield INDENT + _plain(tail, colour)
            else:
                yield from wrap(tail, width, INDENT, INDENT, colour)
    if out.shown:
        yield ""
    for parts in _footer(out):
        if width is None:
            yield _plain(parts, colour)
        else:
            yield from wrap(parts, width, "", INDENT, colour)


def render(out: Output) -> str:
    """Plain text, nothing wrapped: for ``-o FILE``, pipes and tests."""
    return "\n".join(lines(out)) + "\n"


def render_concise(out: Output) -> str:
    """``--format concise``: one line per finding, then the summary."""
    return "\n".join(lines(out, concise=True)) + "\n"


def print_text(out: Output, stream: TextIO, concise: bool = False) -> None:
    """Write the report to ``stream`` (stdout): coloured as ``out.color`` says, wrapped at the
    terminal's width when it is one."""
    width = None if concise else terminal_width(stream)
    stream.write("\n".join(lines(out, width, out.color, concise)) + "\n")
