"""The text and concise formats: layout, wrapping at a real terminal's width, colour switches and
the verdict (issue 14, "Text output").

The terminal tests run the real CLI in a pseudo-terminal of 80 and 120 columns over a repository
that has everything that makes wrapping hard: hostile names (escaped by safe_text.terminal), a
10 kB word, East Asian wide characters, a combining accent and a path longer than the terminal.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from hullcheck.findings import Finding, InputError, Location, Report, Severity
from hullcheck.reporters import Output, render
from hullcheck.reporters.text import INDENT, MIN_WIDTH, _lines_any, _lines_ascii, lines, wrap
from test_safe_output import COMPOSE, DOCKERFILE, EVIL, POD, SGR, UNSAFE, _env

WIDE = "FROM alpine:3.20\nUSER 1000\nHEALTHCHECK CMD true\n" \
       "ADD https://\u4f8b\u3048.example/" + "\u6f22\u5b57" * 60 + "x\u0301y /app\n"
DEEP = Path("d" * 60, "e" * 60)  # a path longer than an 80-column line
# 19: the pod's CT017 and CT018 are KNS003's duplicates (hullcheck.overlaps); KNS003 takes medium;
# its privileged-only KNS030 is K8S003's, and K8S014/K8S017/K8S018 skip the privileged container
# (issue 24)
SUMMARY = "19 findings (2 critical, 2 high, 8 medium, 7 low); failed: 4 findings at high or above"
# A Dockerfile, as in tests/test_reporters.py: two findings reported, one suppressed inline.
SMALL = ("FROM node:latest AS build\nRUN echo build\n\n# hullcheck: ignore=DF002 the base is"
         " mirrored\nFROM python\nUSER root\n")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("text")
    evil = os.path.join(os.fsencode(root), EVIL)
    os.mkdir(evil)
    for name, data in ((b"Dockerfile", DOCKERFILE), (b"compose.yaml", COMPOSE),
                       (b"pod.yaml", POD)):
        with open(os.path.join(evil, name), "wb") as fh:
            fh.write(data.encode())
    (root / DEEP).mkdir(parents=True)
    (root / DEEP / "Dockerfile").write_text(WIDE)
    return root


def _pty(cwd: Path, columns: int, *args: str, **env: str) -> tuple[int, str]:
    """The CLI's stdout on a pseudo-terminal ``columns`` wide (its exit code, the text)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    chunks = []
    try:
        with subprocess.Popen([sys.executable, "-m", "hullcheck", "scan", ".", *args], cwd=cwd,
                              stdout=slave, stderr=subprocess.DEVNULL,
                              env={**_env(), **env}) as proc:
            os.close(slave)
            while True:  # read as it comes: a full pty would block the writer
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the writer is gone and everything was read
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            code = proc.wait(timeout=120)
    finally:
        os.close(master)
    return code, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def _piped(cwd: Path, *args: str, **env: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "hullcheck", "scan", ".", *args], cwd=cwd,
                          capture_output=True, env={**_env(), **env}, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8")


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


@pytest.fixture(scope="module")
def piped(repo: Path) -> str:
    code, out = _piped(repo, "--no-color")
    assert code == 1
    return out


@pytest.mark.parametrize("columns", [80, 120])
def test_text_fits_a_real_terminal(repo: Path, piped: str, columns: int) -> None:
    code, plain = _pty(repo, columns, NO_COLOR="1")
    assert code == 1
    assert "\x1b" not in plain  # no ESC[ (nor any other escape) under NO_COLOR=1
    assert UNSAFE.search(plain) is None
    rows = plain.splitlines()
    assert max(_cells(row) for row in rows) <= columns
    assert max(_cells(row) for row in rows) >= columns - 8  # and it does fill the lines
    assert len(rows) > len(piped.splitlines())  # wrapped
    # Wrapping moved line breaks and indents only: the same text, word for word, as piped.
    assert re.sub(r"\s+", "", plain) == re.sub(r"\s+", "", piped)
    # Each finding leads with path:line:col at the left margin; the rest hangs under it.
    leads = [row for row in rows if row and not row.startswith(" ")]
    # (18 of the 19 findings SUMMARY counts lead a row at this width)
    assert sum(1 for row in leads if re.match(r'(\S+|".*"):\d+:1: [A-Z]+ ', row)) >= 18
    assert all(row.startswith(INDENT) for row in rows if row.startswith(" "))
    footer = plain.split("\n\n")[-1].splitlines()  # the summary, wrapped like the rest
    assert " ".join(row.strip() for row in footer) == SUMMARY
    assert len(footer) == (2 if columns == 80 else 1)
    # With colour: the same text once the reporter's own SGR sequences are taken out.
    code, coloured = _pty(repo, columns)
    assert code == 1
    assert coloured.count("\x1b") == len(SGR.findall(coloured)) > 0
    assert SGR.sub("", coloured) == plain


def test_the_long_path_and_the_wide_word_are_cut_at_the_edge(repo: Path) -> None:
    _, plain = _pty(repo, 80, NO_COLOR="1")
    rows = plain.splitlines()
    first = next(i for i, row in enumerate(rows) if row.startswith("d" * 60))
    assert rows[first] == f"{'d' * 60}/{'e' * 19}"  # 80 columns
    assert rows[first + 1] == f"{INDENT}{'e' * 41}/Dockerfile:4:1: MEDIUM DF008 ADD"
    assert rows[first + 2] == INDENT + "of https://\u4f8b\u3048.example/" + "\u6f22\u5b57" * 13
    assert _cells(rows[first + 2]) == 80


def test_columns_overrides_the_terminal_width(repo: Path) -> None:
    _, plain = _pty(repo, 120, "--select", "DF001,DF008", NO_COLOR="1", COLUMNS="60")
    assert max(_cells(row) for row in plain.splitlines()) <= 60


def test_piped_text_is_not_wrapped_nor_coloured(piped: str) -> None:
    assert "\x1b" not in piped
    lead = re.compile(r'(\S+|".*"):\d+:1: (CRITICAL|HIGH|MEDIUM|LOW|INFO) [A-Z0-9]+ ')
    rows = piped.splitlines()
    # a finding is its lead line, then its "fix:" and "refs:" lines
    assert all(lead.match(row) or row.startswith((f"{INDENT}fix: ", f"{INDENT}refs: "))
               for row in rows[:rows.index("")])
    assert rows[-1] == SUMMARY


def test_concise_is_one_line_per_finding(repo: Path, piped: str) -> None:
    code, out = _piped(repo, "--format", "concise")
    assert code == 1
    rows = out.splitlines()
    leads = [row for row in piped.splitlines() if row and not row.startswith(INDENT)]
    assert rows == [*leads[:-1], "", *leads[-1:]]  # the text's lead lines, blank, summary
    # on a terminal too: never wrapped, a finding is one line whatever the width
    _, shown = _pty(repo, 80, "--format", "concise", NO_COLOR="1")
    assert shown.splitlines() == rows


def test_concise_snapshot_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(SMALL)
    code, out, _ = run_cli(capsys, "scan", "Dockerfile", "--select", "DF001,DF002,DF003",
                           "--show-suppressed", "--format", "concise")
    assert code == 1
    assert out.splitlines() == [
        "Dockerfile:1:1: MEDIUM DF003 FROM node:latest uses the moving 'latest' tag.",
        "Dockerfile:5:1: MEDIUM DF002 FROM python has no tag: it builds on whatever 'latest' is"
        " today. (suppressed by inline)",
        "Dockerfile:6:1: HIGH DF001 The last USER of the final stage is 'root': the container"
        " runs as root.",
        "",
        "2 findings (1 high, 1 medium), 1 suppressed; failed: 1 finding at high or above",
    ]


@pytest.mark.parametrize(("env", "flags", "coloured"), [
    ({}, [], False),  # not a terminal
    ({"FORCE_COLOR": "1"}, [], True),
    ({"FORCE_COLOR": "0"}, [], True),  # "set and not empty", whatever the value (force-color.org)
    ({"FORCE_COLOR": ""}, [], False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # NO_COLOR wins
    ({"FORCE_COLOR": "1", "NO_COLOR": ""}, [], True),  # an empty NO_COLOR is not set
    ({"FORCE_COLOR": "1"}, ["--no-color"], False),
    ({"FORCE_COLOR": "1"}, ["--format", "concise"], True),
    ({"FORCE_COLOR": "1"}, ["--format", "json"], False),
])
def test_colour_switches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str], env: dict[str, str],
                         flags: list[str], coloured: bool) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(SMALL)
    for name in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli(capsys, "scan", "Dockerfile", *flags)
    assert code == 1
    assert ("\x1b[" in out) is coloured
    if coloured:
        assert "\x1b[1;31mHIGH\x1b[0m" in out and out.count("\x1b") == len(SGR.findall(out))
    assert all(len(row) > 100 for row in out.splitlines() if "DF018" in row)  # not wrapped


def test_a_report_file_is_never_coloured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(SMALL)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run_cli(capsys, "scan", "Dockerfile", "-o", "report.txt")
    assert code == 1 and out == ""
    text = (tmp_path / "report.txt").read_text()
    assert "\x1b" not in text and text.startswith("Dockerfile:1:1: MEDIUM DF003 ")


def _report(*severities: Severity, errors: int = 0) -> Report:
    findings = [Finding(f"DF{i:03d}", "t", s, f"m{i}", Location(path="Dockerfile", line=i + 1))
                for i, s in enumerate(severities)]
    return Report(findings=findings, errors=[InputError("x", "bad")] * errors)


@pytest.mark.parametrize(("severities", "fail_on", "errors", "summary"), [
    ((Severity.HIGH, Severity.LOW), Severity.HIGH, 0,
     "2 findings (1 high, 1 low); failed: 1 finding at high or above"),
    ((Severity.HIGH, Severity.CRITICAL), Severity.MEDIUM, 0,
     "2 findings (1 critical, 1 high); failed: 2 findings at medium or above"),
    ((Severity.HIGH, Severity.LOW), Severity.CRITICAL, 0,
     "2 findings (1 high, 1 low); passed: nothing at critical or above"),
    ((), Severity.HIGH, 0, "0 findings; passed: nothing at high or above"),
    ((Severity.CRITICAL,), None, 0, "1 finding (1 critical); passed (--fail-on never)"),
    ((Severity.LOW,), None, 2, "1 finding (1 low); failed: 2 errors"),
    ((Severity.HIGH,), Severity.HIGH, 1,
     "1 finding (1 high); failed: 1 finding at high or above, 1 error"),
])
def test_the_verdict_follows_the_exit_code(severities: tuple[Severity, ...],
                                           fail_on: Severity | None, errors: int,
                                           summary: str) -> None:
    report = _report(*severities, errors=errors)
    out = Output(report=report, shown=report.findings, counted=report.findings, fail_on=fail_on)
    assert render("text", out).splitlines()[-1] == summary
    assert render("concise", out).splitlines()[-1] == summary


@pytest.mark.parametrize(("fail_on", "code", "verdict"), [
    ("high", 1, "failed: 1 finding at high or above"),
    ("critical", 0, "passed: nothing at critical or above"),
    ("never", 0, "passed (--fail-on never)"),
])
def test_the_cli_verdict_and_exit_code_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], fail_on: str,
                                             code: int, verdict: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(SMALL)
    got, out, _ = run_cli(capsys, "scan", "Dockerfile", "--select", "DF001,DF003",
                          "--fail-on", fail_on)
    assert got == code
    assert out.splitlines()[-1] == f"2 findings (1 high, 1 medium); {verdict}"


def test_the_summary_leaves_room_for_hidden_findings() -> None:
    """``Output.hidden`` (findings left out by --severity) is said in the summary when set."""
    report = _report(Severity.HIGH)
    out = Output(report=report, shown=report.findings, counted=report.findings, hidden=3,
                 severities=frozenset({Severity.HIGH}))
    assert render("text", out).splitlines()[-1] == (
        "1 finding (1 high), 3 lower-severity hidden by --severity;"
        " failed: 1 finding at high or above")


# ------------------------------------------------------------------------------------- wrap()

def test_wrap_breaks_between_words_with_a_hanging_indent() -> None:
    parts = [("Dockerfile:12:1:", "1"), (" ", ""), ("HIGH", "1;31"), (" ", ""), ("DF001", "1"),
             (" the quick brown fox jumps over the lazy dog", "")]
    assert list(wrap(parts, 30, "", "    ", False)) == [
        "Dockerfile:12:1: HIGH DF001",
        "    the quick brown fox jumps",
        "    over the lazy dog",
    ]
    assert list(wrap(parts, 30, "", "    ", True)) == [
        "\x1b[1mDockerfile:12:1:\x1b[0m \x1b[1;31mHIGH\x1b[0m \x1b[1mDF001\x1b[0m",
        "    the quick brown fox jumps",
        "    over the lazy dog",
    ]


def test_wrap_cuts_a_word_longer_than_a_line_where_it_stands() -> None:
    assert list(wrap([("see " + "x" * 50 + " end", "")], 20, "", "  ", False)) == [
        "see " + "x" * 16, "  " + "x" * 18, "  " + "x" * 16, "  end"]


def test_wrap_counts_wide_characters_as_two_columns() -> None:
    rows = list(wrap([("ab " + "\u6f22" * 20, "")], 21, "", "  ", False))
    assert rows == ["ab " + "\u6f22" * 9, "  " + "\u6f22" * 9, "  " + "\u6f22" * 2]
    assert [_cells(r) for r in rows] == [21, 20, 6]  # a wide character never straddles the edge


def test_wrap_keeps_inner_spaces_and_drops_them_at_breaks() -> None:
    assert list(wrap([("a  b   ", "")], 20, "", "  ", False)) == ["a  b"]
    assert list(wrap([("aaaa bbbb", "")], 8, "", "  ", False)) == ["aaaa", "  bbbb"]


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "bb", " ", "  ", "x" * 30, "\u6f22", "e\u0301",
                                      "\U0001f389", "-", "/"]), max_size=40).map("".join),
       width=st.integers(MIN_WIDTH, 60), indent=st.integers(0, 8))
def test_wrap_never_exceeds_the_width_nor_loses_text(text: str, width: int, indent: int) -> None:
    rest = " " * indent
    rows = list(wrap([(text, "")], width, rest, rest, False))
    assert all(_cells(row) <= width for row in rows)
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")
    assert all(row.startswith(rest) for row in rows)


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "bb", " ", "  ", "x" * 17, "y" * 30, "-"]),
                     max_size=40).map("".join),
       width=st.integers(MIN_WIDTH, 60), first=st.integers(0, 8), rest=st.integers(0, 8))
def test_the_ascii_fast_path_breaks_where_the_general_one_does(text: str, width: int, first: int,
                                                               rest: int) -> None:
    assert _lines_ascii(text, width, first, width - rest) == _lines_any(text, width, first,
                                                                        width - rest)


def test_a_narrow_terminal_is_wrapped_at_the_minimum_width() -> None:
    report = _report(Severity.HIGH)
    out = Output(report=report, shown=report.findings, counted=report.findings)
    rows = list(lines(out, width=5))
    assert rows[0] == "Dockerfile:1:1: HIGH" and max(map(len, rows)) <= MIN_WIDTH
