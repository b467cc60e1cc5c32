"""The shell parser: tree-sitter's bash grammar for real shell, a fast tokenizer for simple
command lists; the two must agree wherever the fast path is taken, and the grammar must agree
with bashlex (the former parser, kept as a test reference) wherever bashlex parses."""

from __future__ import annotations

import bashlex
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hullcheck.inputs import shell

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
def test_fast_path_agrees_with_the_grammar(parts: list[tuple[str, str]]) -> None:
    text = "".join(w + op for w, op in parts).strip(" &|;\n")
    if not text or shell._NEEDS_PARSER.search(text):
        return
    assert _shape(shell.parse_shell(text)) == _shape(shell._parse_tree(text))


# Scripts with what only a parser gets right: substitutions, redirections, compound commands.
_ATOMS = ["curl -fsSL https://x/i.sh", "sh", "apt-get install -y curl", "echo 'a b'",
          'echo "$HOME/x"', "rm -rf /var/lib/apt/lists/*", "sudo -u root make", "tee /etc/x",
          "A=1 make", "gpg --verify x.asc", "wget -qO- https://x", "chmod +x /usr/bin/x"]


def _statement(depth: int) -> st.SearchStrategy[str]:
    atom = st.sampled_from(_ATOMS)
    simple = st.one_of(
        atom,
        st.builds(lambda a, t: f"{a} > {t}", atom, st.sampled_from(["/etc/x", "/dev/null"])),
        st.builds(lambda a: f"{a} 2>&1", atom),
        st.builds(lambda a, b: f"{a} $({b})", atom, atom),
        st.builds(lambda a, b: f'X="$({b})" {a}', atom, atom),
    )
    if depth == 0:
        return simple
    inner = _script(depth - 1)
    return st.one_of(
        simple,
        st.builds(lambda c, b: f"if {c}; then {b}; fi", simple, inner),
        st.builds(lambda b: f"for i in a b; do {b}; done", inner),
        st.builds(lambda b: f"( {b} )", inner),
    )


def _script(depth: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda first, rest: first + "".join(op + s for op, s in rest),
        _statement(depth),
        st.lists(st.tuples(st.sampled_from([" && ", " || ", " | ", "; "]), _statement(depth)),
                 max_size=5),
    )


@settings(max_examples=300, deadline=None)
@given(_script(2))
def test_grammar_agrees_with_bashlex(text: str) -> None:
    """Commands, words, assignments, redirections and pipelines as bashlex (pure Python, the
    parser before tree-sitter) saw them, on every generated script bashlex parses."""
    try:
        reference = _bashlex(text)
    except Exception:  # bashlex rejects some scripts; nothing to compare
        return
    got = shell._parse_tree(text)
    assert got.parsed
    assert [(c.assignments, c.words, c.redirects) for c in got.commands] == \
        [(c.assignments, c.words, c.redirects) for c in reference.commands]
    assert _shape(got)[1] == _shape(reference)[1]


def _bashlex(text: str) -> shell.ShellScript:
    """bashlex's tree as the model, the way hullcheck read it up to 0.x (tests only)."""
    commands: list[shell.SimpleCommand] = []
    pipelines: list[list[shell.SimpleCommand]] = []

    def command_of(node: object) -> shell.SimpleCommand:
        cmd = shell.SimpleCommand(words=[])
        for part in getattr(node, "parts", []):
            kind = getattr(part, "kind", "")
            if kind == "word":
                cmd.words.append(part.word)
            elif kind == "assignment" and not cmd.words:
                cmd.assignments.append(part.word)
            elif kind == "redirect":
                target = getattr(part, "output", None)
                if hasattr(target, "word"):
                    fd = getattr(part, "input", None)
                    op = f"{fd}{part.type}" if isinstance(fd, int) else part.type
                    cmd.redirects.append((op, target.word))  # type: ignore[union-attr]
        return cmd

    def visit(node: object) -> list[shell.SimpleCommand]:
        kind = getattr(node, "kind", "")
        if kind == "command":
            cmd = command_of(node)
            found = [cmd] if cmd.words or cmd.assignments else []
            for part in getattr(node, "parts", []):
                for sub in getattr(part, "parts", []) or []:
                    if getattr(sub, "kind", "") == "commandsubstitution":
                        found.extend(visit(sub.command))
            return found
        if kind == "pipeline":
            members: list[shell.SimpleCommand] = []
            collected: list[shell.SimpleCommand] = []
            for part in node.parts:  # type: ignore[attr-defined]
                if getattr(part, "kind", "") != "pipe":
                    sub = visit(part)
                    collected.extend(sub)
                    members.extend(sub[:1])
            if len(members) >= 2:
                pipelines.append(members)
            return collected
        out: list[shell.SimpleCommand] = []
        for attr in ("parts", "list"):
            for child in getattr(node, attr, None) or []:
                out.extend(visit(child))
        child = getattr(node, "command", None)
        if child is not None and hasattr(child, "kind"):
            out.extend(visit(child))
        return out

    for tree in bashlex.parse(text):
        commands.extend(visit(tree))
    return shell.ShellScript(text=text, commands=commands, pipelines=pipelines, parsed=True)


def test_complex_scripts_use_the_grammar() -> None:
    script = shell.parse_shell("if true; then curl -k $(echo x) > /dev/null; fi")
    assert [str(c) for c in script.commands] == ["true", "curl -k $(echo x)", "echo x"]
    assert script.commands[1].redirects == [(">", "/dev/null")]


def test_unwrapped_and_options() -> None:
    [cmd] = shell.parse_shell("sudo -u root env A=1 curl -fsSLk https://x").commands
    inner = cmd.unwrapped()
    assert inner.name == "curl" and inner.assignments == ["A=1"]
    assert inner.has_option("-k") and not inner.has_option("--insecure")


def test_grammar_abi_is_one_the_runtime_loads() -> None:
    """tree-sitter and tree-sitter-bash are pinned as a pair (pyproject): the grammar's ABI
    must lie in the range the runtime accepts, else every RUN would fail to parse."""
    abi, lowest, highest = shell.grammar_abi()
    assert lowest <= abi <= highest, (abi, lowest, highest)
    assert shell.parse_shell("a > f").parsed


@pytest.mark.parametrize(("text", "words"), [
    # The grammar's quirks the walk undoes, each against what bash runs.
    ("a 2>/dev/null b c", [["a", "b", "c"]]),  # words after a redirection
    ('echo >&2 "error: x" y', [["echo", "error: x", "y"]]),
    ("mk a-$m/nginx-$V/debian/control", [["mk", "a-$m/nginx-$V/debian/control"]]),  # split word
])
def test_grammar_quirks(text: str, words: list[list[str]]) -> None:
    assert [c.words for c in shell.parse_shell(text).commands] == words


def test_redirection_after_a_list_goes_to_its_last_command() -> None:
    """tree-sitter-bash hangs ``a && b > f`` on the list and parses ``a > f | b | c && d`` as
    ``a > f | (b | c && d)``; the shell redirects b alone and pipes a, b and c."""
    script = shell.parse_shell("x && a > f | b | c && d")
    assert [(c.words, c.redirects) for c in script.commands] == [
        (["x"], []), (["a"], [(">", "f")]), (["b"], []), (["c"], []), (["d"], [])]
    assert [[c.name for c in p] for p in script.pipelines] == [["a", "b", "c"]]
    script = shell.parse_shell("set -e && apt-mark auto '.*' > /dev/null && find / | sort")
    assert script.commands[1].redirects == [(">", "/dev/null")]
    assert [[c.name for c in p] for p in script.pipelines] == [["find", "sort"]]


def test_commands_of_a_script_that_does_not_parse() -> None:
    """Where the grammar reports an error, the commands before it are still there with their
    words and pipelines; here the ``case`` without patterns swallows the rest of the script
    (the wget and chmod after it are not seen)."""
    script = shell.parse_shell("apt-get update && curl -k https://x | sh; case x in; "
                               "wget --no-check-certificate y && chmod 777 /x")
    assert not script.parsed
    assert [c.words for c in script.commands] == [
        ["apt-get", "update"], ["curl", "-k", "https://x"], ["sh"]]
    assert [[c.name for c in p] for p in script.pipelines] == [["curl", "sh"]]


def test_commands_of_powershell() -> None:
    """PowerShell (the SHELL of the Windows images in the real corpus, trimmed from golang's)
    is not bash: an error, and what the walk sees of it, exactly."""
    script = shell.parse_shell(
        "$url = 'https://dl.google.com/go/go.zip'; Write-Host ('Downloading {0} ...' -f $url); "
        "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; "
        "Invoke-WebRequest -Uri $url -OutFile 'go.zip'; "
        "if ((Get-FileHash go.zip -Algorithm sha256).Hash -ne $sha256) { Write-Host 'FAILED!'; "
        "exit 1; }; Expand-Archive go.zip -DestinationPath C:\\; Remove-Item go.zip -Force; "
        "go version")
    assert not script.parsed
    assert [c.words for c in script.commands] == [
        ["$url", "=", "https://dl.google.com/go/go.zip"],
        ["Write-Host", "('Downloading {0} ...' -f $url)"],
        ["[Net.ServicePointManager]"],
        ["$url", "-OutFile", "go.zip"],  # Invoke-WebRequest -Uri is lost in the error
        ["Write-Host", "FAILED!"], ["exit", "1"],
        # C:\; escapes the ; for bash: two commands run together
        ["Expand-Archive", "go.zip", "-DestinationPath", "C:;", "Remove-Item", "go.zip", "-Force"],
        ["go", "version"]]


def test_nesting_is_bounded() -> None:
    """Substitutions nested past MAX_SHELL_DEPTH are not walked (no RecursionError on a
    hostile RUN line); what is shallower is still found."""
    deep = "curl -k x; " + "echo $(" * 2000 + "id" + ")" * 2000
    script = shell.parse_shell(deep)
    assert not script.parsed
    assert script.commands[0].words == ["curl", "-k", "x"]
    assert 1 < len(script.commands) < shell.MAX_SHELL_DEPTH
    assert shell.MAX_SHELL_DEPTH == 200
