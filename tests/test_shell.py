"""The shell parser: bashlex for real shell, a fast tokenizer for simple command lists, and the
two must agree wherever the fast path is taken."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hullcheck.models import shell

WORDS = ["apt-get", "install", "-y", "curl", "https://x/y.sh", "sh", "bash", "-c", "'a b'",
         '"c d"', "pip", "--trusted-host", "x.y", "FOO=1", "a=b", "rm", "-rf", "/var/lib/apt/*",
         "chmod", "4755", "/bin/su", "wget", "-qO-", "--no-check-certificate", "sudo", "-u",
         "root", "env", "make", "tee", "x.log"]
OPS = [" ", " ", " ", " && ", " || ", " | ", "; ", "\n", " & "]


def _shape(script: shell.ShellScript) -> tuple[list[str], list[list[str]]]:
    return ([str(c) for c in script.commands],
            [[str(c) for c in p] for p in script.pipelines])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(OPS)), min_size=1,
                max_size=25))
def test_fast_path_agrees_with_bashlex(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + op for w, op in parts).strip(" &|;\n")
    if not text or shell._NEEDS_PARSER.search(text):
        return
    try:
        reference = shell._parse_bashlex(text)
    except Exception:  # bashlex rejects some operator sequences; nothing to compare
        return
    assert _shape(shell.parse_shell(text)) == _shape(reference)


def test_complex_scripts_use_bashlex() -> None:
    script = shell.parse_shell("if true; then curl -k $(echo x) > /dev/null; fi")
    assert [str(c) for c in script.commands] == ["true", "curl -k $(echo x)", "echo x"]


def test_unwrapped_and_options() -> None:
    [cmd] = shell.parse_shell("sudo -u root env A=1 curl -fsSLk https://x").commands
    inner = cmd.unwrapped()
    assert inner.name == "curl" and inner.assignments == ["A=1"]
    assert inner.has_option("-k") and not inner.has_option("--insecure")
