"""Issue 14, moving from hadolint: its ignore pragmas are honoured for the rules that carry the
named ``hadolint:`` tags, scoped as hadolint scopes them (Hadolint.Pragma: an ``ignore=`` covers
the instruction starting on the very next line only; ``global ignore=`` the whole file; the
comment must be the pragma and nothing else)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json


def scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
         ) -> tuple[set[tuple[str, int]], set[tuple[str, int]], str]:
    """(active (rule, line)s, suppressed ones, stderr)."""
    p = tmp_path / "Dockerfile"
    p.write_text(text)
    _, doc, err = run_json(capsys, "scan", str(p), "--show-suppressed", "--fail-on", "never")
    rows = [(f["rule"], f["location"]["line"], bool(f.get("suppressed"))) for f in doc["findings"]]
    active = {(rule, line) for rule, line, suppressed in rows if not suppressed}
    hidden = {(rule, line) for rule, line, suppressed in rows if suppressed}
    return active, hidden, err


TAIL = "HEALTHCHECK CMD true\nUSER 1000\n"


def test_ignore_covers_the_next_instruction(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    active, hidden, err = scan(tmp_path, capsys, "FROM node:latest AS build\n"
                               "# hadolint ignore=DL3007\nFROM nginx:latest\n" + TAIL)
    assert hidden == {("DF003", 3)}
    assert active == {("DF003", 1)}  # the other FROM is not covered
    assert err == ""


def test_suppressed_entry_says_by_what(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "Dockerfile"
    p.write_text("# hadolint ignore=DL3007\nFROM nginx:latest\n" + TAIL)
    _, doc, _ = run_json(capsys, "scan", str(p), "--show-suppressed")
    [f] = doc["findings"]
    assert f["suppressed"] == {"by": "inline", "reason": "hadolint ignore pragma"}
    assert doc["summary"]["findings"] == 0


@pytest.mark.parametrize("between", ["# a comment\n", "\n", "# hadolint ignore=DL3006\n"])
def test_ignore_covers_only_the_very_next_line(tmp_path: Path, between: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # hadolint maps a pragma on line N to failures on line N+1: anything in between, and the
    # instruction is not covered (by this pragma; a pragma right above it still is).
    active, hidden, err = scan(tmp_path, capsys,
                               f"# hadolint ignore=DL3007\n{between}FROM nginx:latest\n" + TAIL)
    assert active == {("DF003", 3)} and hidden == set()
    assert err == ""  # a stale hadolint pragma is hadolint's business: no "unused" warning


def test_ignore_covers_every_line_of_a_multiline_instruction(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # hadolint reports at the instruction's first line; our finding may sit on a later one.
    active, hidden, _ = scan(tmp_path, capsys, "FROM alpine:3.20\n# hadolint ignore=DL3004\n"
                             "RUN apk add curl && \\\n    sudo ls\n" + TAIL)
    assert hidden == {("DF004", 3)} and active == set()


@pytest.mark.parametrize("pragma", ["# hadolint ignore=DL3004,DL3007",
                                    "#hadolint ignore = DL3004 , DL3007",
                                    "\t#  hadolint\tignore=DL3007,SC2086,DL3004  "])
def test_several_codes_and_spacing(tmp_path: Path, pragma: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    active, hidden, err = scan(tmp_path, capsys, f"{pragma}\nFROM nginx:latest\nRUN sudo ls\n"
                               + TAIL)
    assert hidden == {("DF003", 2)} and active == {("DF004", 3)} and err == ""
    active, hidden, _ = scan(tmp_path, capsys, f"FROM nginx:1.25\n{pragma}\nRUN sudo ls\n" + TAIL)
    assert hidden == {("DF004", 3)} and active == set()


@pytest.mark.parametrize("comment", [
    "# hadolint ignore=DL3007 pinned by the release job",  # trailing text: not a pragma
    "# hadolint ignore=dl3007",  # codes are upper case
    "# hadolint: ignore=DL3007",
    "# hadolint ignore DL3007",
    "# hadolintignore=DL3007",
])
def test_what_hadolint_does_not_read_as_a_pragma(tmp_path: Path, comment: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    active, hidden, err = scan(tmp_path, capsys, f"{comment}\nFROM nginx:latest\n" + TAIL)
    assert active == {("DF003", 2)} and hidden == set() and err == ""


def test_global_ignore_anywhere_covers_the_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    active, hidden, err = scan(tmp_path, capsys,
                               "FROM node:latest AS build\nRUN sudo ls\nFROM nginx:latest\n"
                               + TAIL + "# hadolint global ignore=DL3007,DL9999\n")
    assert hidden == {("DF003", 1), ("DF003", 3)}
    assert active == {("DF004", 2)}
    assert err == ""  # DL9999: no rule of ours carries it, and no warning about it


def test_only_rules_carrying_the_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # DF001 carries hadolint:DL3002 only on an explicit last `USER root`; DF018 carries no
    # hadolint tag at all.
    active, hidden, _ = scan(tmp_path, capsys, "# hadolint global ignore=DL3002,DL3007\n"
                             "FROM nginx:latest AS a\nUSER root\n"
                             "FROM nginx:1.25\n")
    assert hidden == {("DF003", 2)}
    assert active == {("DF018", 4), ("DF001", 4)}
    active, hidden, _ = scan(tmp_path, capsys, "FROM nginx:1.25\nHEALTHCHECK CMD true\n"
                             "# hadolint ignore=DL3002\nUSER root\n")
    assert hidden == {("DF001", 4)} and active == set()


def test_hullcheck_and_hadolint_comments_together(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    active, hidden, err = scan(tmp_path, capsys,
                               "# hullcheck: ignore=DF004 needs root to install\n"
                               "# hadolint ignore=DL3007\nFROM nginx:latest\n"
                               "# hadolint ignore=DL3004\nRUN sudo ls\n" + TAIL)
    # The hullcheck comment's block reaches FROM (DF004 is not there: unused); the hadolint
    # pragmas cover the line right below each.
    assert hidden == {("DF003", 3), ("DF004", 5)} and active == set()
    assert "unused suppression (DF004)" in err
