"""Text for people: one finding per block, led by where it is, and a summary with a verdict.

Each finding starts with its location as compilers and linters print it (``path:line:col``, which
terminals and editors make clickable; ``container NAME``, ``image REF`` or ``docker daemon`` when
it is not in a file), then the severity, the rule id and the message, then the object, container
or path it concerns; the fix and the references follow on lines of their own. On a terminal the
text is wrapped at its width with a hanging indent, between words (a word longer than a line is
cut); anywhere else nothing is wrapped, so each finding's first line holds all of it for ``grep``.
``--format concise`` (``render_concise``) writes that first line alone, one line per finding.

No ``rich`` console here: the lines are plain strings and the few colours hand-written SGR
sequences (text is written for every finding of a scan, and must cost little more than JSON);
``rich.cells`` measures the columns of text that is not ASCII, imported only for such text.
Every string a scanned file, an image or a registry wrote goes through ``safe_text.terminal``
before it is placed, so the only escape sequences in the output are the reporter's own colours.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import TextIO

from hullcheck.findings import Finding, Location, Severity
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
    """Where the finding is, first on its line: ``path:line:col`` for a file (the column where
    the input knows it: an indented Dockerfile instruction; else 1, as SARIF's absent
    ``startColumn`` means), else what holds it. Every field
    may come from a scanned file, an image or a registry: each goes through ``terminal``."""
    return _lead_at(f.location)


def _lead_at(loc: Location) -> str:
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


def _related(loc: Location) -> str:
    lead = _lead_at(loc)
    if loc.container and (loc.path or loc.image is not None):
        lead += f" (container {terminal(loc.container)})"
    return lead


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
    if loc.unit is not None and loc.unit.kind == "kustomize":
        # A base two kustomizations include is judged in each: say which.
        parts.append(f"kustomization {terminal(loc.unit.path)}")
    elif loc.unit is not None and loc.unit.kind == "helm":
        parts.append(f"Helm chart {terminal(loc.unit.path)}")
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

_WORD = re.compile(r"[^ ]+")


def _paint(text: str, sgr: str, colour: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if colour and sgr and text else text


def _plain(parts: list[Part], colour: bool) -> str:
    return "".join(_paint(text, sgr, colour) for text, sgr in parts)


def _cells() -> Callable[[str], int]:
    from rich.cells import cell_len  # only for text that is not ASCII (10 ms to import)

    return cell_len


def _cut(word: str, room: int) -> int:
    """How many characters of ``word`` fit in ``room`` columns (none when not even the first
    does: a wide character never straddles the edge)."""
    from rich.cells import get_character_cell_size

    used = 0
    for i, ch in enumerate(word):
        used += get_character_cell_size(ch)
        if used > room:
            return i
    return len(word)


def _lines_any(text: str, width: int, col: int, room: int) -> list[tuple[int, int]]:
    """Where ``text`` (any characters) breaks: (start, end) of each line, by columns on screen.

    Word by word: a word goes on the line if it fits after the spaces before it; else it starts
    the next line, unless it is wider than a whole line (``room``), when it is cut starting where
    it stands (if a column is left). Spaces at a break are dropped."""
    cells = _cells()
    spans: list[tuple[int, int]] = []
    start = end = -1  # the line being filled (-1: nothing on it yet)
    for match in _WORD.finditer(text):
        ws, we = match.span()
        w = cells(match.group())
        gap = ws - end if start >= 0 else 0
        if start >= 0 and col + gap + w > width and (w <= room or col + gap >= width):
            spans.append((start, end))
            start, col, gap = -1, width - room, 0
        if start < 0:
            start = ws
        col += gap
        pos = ws
        while col + w > width:  # wider than the room left: cut, go on on the next line
            pos += _cut(text[pos:we], width - col)
            spans.append((start, pos))
            start, col = pos, width - room
            w = cells(text[pos:we])
        col += w
        end = we
    spans.append((start, end) if start >= 0 else (0, 0))
    return spans


def _lines_ascii(text: str, width: int, col: int, room: int) -> list[tuple[int, int]]:
    """``_lines_any`` for ASCII text (one column a character), a line at a time rather than a
    word at a time: the last space that fits is found with ``rfind``. The same breaks (a property
    test compares the two)."""
    spans: list[tuple[int, int]] = []
    n = len(text.rstrip(" "))
    start = len(text) - len(text.lstrip(" "))
    if start >= n:
        return [(0, 0)]
    while True:
        avail = width - col
        if n - start <= avail:
            spans.append((start, n))
            return spans
        cut = text.rfind(" ", start, start + avail + 1)
        if cut > start:  # a space where the line may end: the words before it fit
            end = cut
            while text[end - 1] == " ":
                end -= 1
            nxt = cut + 1
            while text[nxt] == " ":
                nxt += 1
            word_end = text.find(" ", nxt)
            w = (n if word_end < 0 else word_end) - nxt
            if w <= room or col + nxt - start >= width:  # the next word starts the next line
                spans.append((start, end))
                start = nxt
            else:  # wider than a whole line: cut, starting where it stands
                spans.append((start, start + avail))
                start += avail
        else:  # one word fills the line: cut
            spans.append((start, start + avail))
            start += avail
        col = width - room


def wrap(parts: list[Part], width: int, first: str, rest: str, colour: bool) -> Iterator[str]:
    """The styled ``parts`` as lines of at most ``width`` columns, broken between words: the first
    line starts with ``first``, the others with ``rest`` (the hanging indent). Spaces at a break,
    at the start and at the end are dropped. A word wider than a whole line is cut, starting
    where it stands. ``width`` must leave room for two wide characters after ``rest``
    (``MIN_WIDTH`` does)."""
    text = "".join(t for t, _ in parts)
    room = width - len(rest)
    find = _lines_ascii if text.isascii() else _lines_any
    spans = find(text, width, len(first), room)
    if not colour:
        yield first + text[spans[0][0]:spans[0][1]]
        for a, b in spans[1:]:
            yield rest + text[a:b]
        return
    if len(spans) == 1 and spans[0] == (0, len(text)):  # on one line, as it is
        yield first + _plain(parts, True)
        return
    bounds, at = [], 0  # (start, end, sgr) of each part in ``text``, in order
    for t, sgr in parts:
        bounds.append((at, at + len(t), sgr))
        at += len(t)
    j = 0  # the first part not wholly before the line: lines go forward, so does j
    for i, (a, b) in enumerate(spans):
        pieces = [first if i == 0 else rest]
        while bounds[j][1] <= a and j < len(bounds) - 1:
            j += 1
        for ps, pe, sgr in bounds[j:]:
            if ps >= b:
                break
            pieces.append(_paint(text[max(ps, a):min(pe, b)], sgr, True))
        yield "".join(pieces)


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
    # Findings left out by --severity: counted above and judged by --fail-on, only not listed.
    if out.hidden_note():
        line += f", {out.hidden_note()}"
    if r.score is not None:
        line += f", score {r.score}"
    if out.changes is not None:
        tally = Counter(out.changes[id(f)] for f in out.shown)
        line += f"; diff: {tally['appeared']} appeared, {tally['fixed']} fixed," \
                f" {tally['stayed']} stayed"
    if out.merged is not None:
        n = len(out.merged.sources)
        line += f"; merged from {n} result{'s' if n != 1 else ''}"
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
        # a rule that could not run, or (--resolve-images) an image that could not be read
        what = "rule " if sk.rule[:1].isupper() else ""
        yield [(f"skipped {what}{terminal(sk.rule)}: {terminal(sk.reason)}", DIM)]
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
        if out.changes is not None:  # hullcheck diff
            head.insert(0, (f"[{out.changes[id(f)]}] ", BOLD))
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
        if out.merged is not None:  # hullcheck merge: where else it occurs
            tails.append([(out.merged.where(f.fingerprint), DIM)])
        if f.related_locations:  # the other places of the same problem
            tails.append([("also: " + ", ".join(map(_related, f.related_locations)), DIM)])
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
