"""Redirections kept on the parsed commands, and the files an instruction writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hullcheck.inputs import dockerfile, shell
from hullcheck.rules.dockerfile._writes import copied_heredocs, shell_writes


@pytest.mark.parametrize("parse", [shell.parse_shell, shell._parse_tree])
def test_redirects_are_kept_apart_from_words(
        parse: Callable[[str], shell.ShellScript]) -> None:
    script = parse("echo 'a b' > /etc/x 2>&1 && echo c >>/var/log/y; echo d 2> err")
    first, second, *rest = script.commands
    assert first.words == ["echo", "a b"]
    assert first.stdout_files() == ["/etc/x"]
    assert second.words == ["echo", "c"]
    assert second.stdout_files() == ["/var/log/y"]
    (last,) = rest
    assert last.stdout_files() == []
    assert ("2>", "err") in last.redirects


def test_here_document_text_is_a_redirect() -> None:
    (cmd,) = shell.parse_shell("cat <<EOF > /f\nline 1\nline 2\nEOF\n").commands
    assert cmd.redirects == [("<<", "line 1\nline 2"), (">", "/f")]


def _instructions(text: str) -> list[dockerfile.Instruction]:
    return dockerfile.parse("Dockerfile", text).stages[0].instructions


def test_writes_of_echo_tee_cat_and_sed() -> None:
    text = ("FROM x\n"
            "RUN echo -e 'a\\nb' > /etc/one && printf '%s' c | sudo tee -a /etc/two >/dev/null\n"
            "RUN cat <<EOF > /etc/three\nthree\nEOF\n"
            "RUN sed -i -e 's/x/y/' -e '$a tail' /etc/four /etc/five\n"
            "RUN echo stdout-only && echo x > /etc/../etc/six\n")
    writes = [w for ins in _instructions(text) for w in shell_writes(ins)]
    got = {(w.path, w.content, w.how) for w in writes}
    assert ("/etc/one", "a\nb", "echo") in got
    assert ("/etc/two", "%s c", "tee") in got
    assert ("/dev/null", "%s c", "printf") not in got  # tee's own output is not printf's
    assert ("/etc/three", "three\n", "cat") in got
    assert ("/etc/four", "y\ntail", "sed") in got and ("/etc/five", "y\ntail", "sed") in got
    assert ("/etc/six", "x", "echo") in got
    assert len(got) == 6


def test_copied_heredocs_land_at_the_destination() -> None:
    text = "FROM x\nCOPY <<a <<b /etc/d/\nA\na\nB\nb\nCOPY <<EOF /etc/f\nF\nEOF\n"
    got = [(w.path, w.content) for ins in _instructions(text) for w in copied_heredocs(ins)]
    assert got == [("/etc/d/a", "A\n"), ("/etc/d/b", "B\n"), ("/etc/f", "F\n")]
