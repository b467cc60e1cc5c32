"""Globs (per-path ignores, trust `images`/`allowed`): the meaning of the regular expression they
used to be, in time linear in the name, however many wildcards a (possibly hostile) config has."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bounded import bounded_run
from hullcheck.references import Glob


def _as_regex(pattern: str) -> re.Pattern[str]:
    """What a glob meant when it was compiled to a regular expression (the reference)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("^" + "".join(out) + "$")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["*", "**", "?", "a", "b", "/", "."]), max_size=8).map("".join),
       st.text(alphabet="ab/.", max_size=10))
def test_same_meaning_as_the_regular_expression(pattern: str, name: str) -> None:
    assert Glob(pattern).match(name) == bool(_as_regex(pattern).match(name))


def test_examples() -> None:
    assert Glob("legacy/**").match("legacy/a/Dockerfile")
    assert not Glob("legacy/*").match("legacy/a/Dockerfile")
    assert Glob("ghcr.io/*/app*").match("ghcr.io/org/app-x")
    assert not Glob("ghcr.io/*/app*").match("ghcr.io/org/sub/app-x")
    assert Glob("**/*.yaml").match("deploy/k8s/web.yaml")


def test_many_wildcards_against_a_long_name_is_fast() -> None:
    import time

    start = time.perf_counter()
    assert not Glob("*a" * 30 + "b").match("a" * 4096)
    assert not Glob("**a*" * 30 + "b").match("a/" * 2048)
    assert time.perf_counter() - start < 2.0  # measured ~0.05 s; the regex never returned


def test_hostile_per_path_ignore_does_not_hang_a_scan(tmp_path: Path) -> None:
    # A repository's own .hullcheck.yaml is found by discovery: its globs are the stranger's.
    (tmp_path / ".hullcheck.yaml").write_text(
        'per-path-ignores:\n  "' + "*a" * 20 + 'b": [DF001]\n'
        'trust:\n  allowed: ["docker.io/' + "*a" * 20 + 'b"]\n')
    deep = tmp_path / ("a" * 40)
    deep.mkdir()
    (deep / "Dockerfile").write_text("FROM " + "a" * 60 + ":1\nUSER 1000\nHEALTHCHECK NONE\n")
    result = bounded_run(tmp_path, "scan", ".", "--format", "json")
    assert result["code"] == 1, result["err"]  # DF rules fire (the image is not allowed)
    assert result["seconds"] < 10  # it hung without end before
