"""The shell parser behind ``hullcheck.models.shell``: bashlex understands most of what
Dockerfiles contain; where it gives up (it has gaps around some bash extensions), a tokenizer that
splits on the shell's control operators keeps the rules working with slightly less precision, and
``ShellScript.parsed`` says which path was taken. Importing this module registers the parser with
the models (``models.shell.use_parser``).
"""

from __future__ import annotations

import re
import shlex

from hullcheck.models.shell import WRAPPERS, ShellScript, SimpleCommand, split_words, use_parser

__all__ = ["WRAPPERS", "ShellScript", "SimpleCommand", "parse_shell", "split_words"]


# What only a real shell parser gets right: substitutions, redirections, compound commands,
# escapes, comments and globs in braces. A script with none of these is a list of simple commands
# joined by operators, which the tokenizer splits exactly as bashlex does, about ten times faster.
_NEEDS_PARSER = re.compile(
    r"[`<>\\#{}!]|\$\(|\[\[|\(\(|"
    r"(?:^|[\s;&|(])(?:if|then|else|elif|fi|for|while|until|do|done|case|esac|function|select"
    r"|coproc|time)(?=$|[\s;&|)])"
)


_SIMPLE_TOKEN = re.compile(
    r"""(?P<op>&&|\|\||[;&|()\n])|(?P<word>(?:'[^']*'|"[^"]*"|[^\s;&|()'"])+)|(?P<bad>['"])"""
)
_QUOTED = re.compile(r"""'([^']*)'|"([^"]*)"|([^'"]+)""")


def _parse_simple(text: str) -> ShellScript | None:
    """Split a command list with no expansions, escapes or redirections; None if it is not one
    (an unbalanced quote)."""
    commands: list[SimpleCommand] = []
    pipelines: list[list[SimpleCommand]] = []
    pipeline: list[SimpleCommand] = []
    words: list[str] = []
    assignments: list[str] = []
    # Inlined loop over tokens (it runs for most RUN lines): ``lastgroup`` names the one
    # alternative that matched.
    for m in _SIMPLE_TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            raw = m[0]
            word = "".join(a or b or c for a, b, c in _QUOTED.findall(raw)) if (
                "'" in raw or '"' in raw) else raw
            if not words and "=" in raw and _ASSIGNMENT.match(raw):
                assignments.append(word)
            else:
                words.append(word)
        elif kind == "op":
            if words or assignments:
                cmd = SimpleCommand(words=words, assignments=assignments)
                commands.append(cmd)
                pipeline.append(cmd)
                words, assignments = [], []
            if m[0] != "|":
                if len(pipeline) >= 2:
                    pipelines.append(list(pipeline))
                pipeline.clear()
        else:  # an unbalanced quote
            return None
    if words or assignments:
        cmd = SimpleCommand(words=words, assignments=assignments)
        commands.append(cmd)
        pipeline.append(cmd)
    if len(pipeline) >= 2:
        pipelines.append(pipeline)
    return ShellScript(text=text, commands=commands, pipelines=pipelines, parsed=True)


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")


def parse_shell(text: str) -> ShellScript:
    if not _NEEDS_PARSER.search(text):
        simple = _parse_simple(text)
        if simple is not None:
            return simple
    try:
        return _parse_bashlex(text)
    except Exception:  # bashlex raises many things on what it does not support
        return _parse_fallback(text)


def _parse_bashlex(text: str) -> ShellScript:
    import bashlex

    commands: list[SimpleCommand] = []
    pipelines: list[list[SimpleCommand]] = []

    def command_of(node: object) -> SimpleCommand:
        words: list[str] = []
        assignments: list[str] = []
        redirects: list[tuple[str, str]] = []
        for part in getattr(node, "parts", []):
            kind = getattr(part, "kind", "")
            if kind == "word":
                words.append(part.word)
            elif kind == "assignment" and not words:
                assignments.append(part.word)
            elif kind == "redirect":
                redirect = _redirect_of(part)
                if redirect is not None:
                    redirects.append(redirect)
        return SimpleCommand(words=words, assignments=assignments, redirects=redirects)

    def visit(node: object) -> list[SimpleCommand]:
        """Collect simple commands below node, in order; record pipelines on the way."""
        kind = getattr(node, "kind", "")
        if kind == "command":
            cmd = command_of(node)
            found = [cmd] if cmd.words or cmd.assignments else []
            # Command substitutions and process substitutions inside words are commands too.
            for part in getattr(node, "parts", []):
                for sub in getattr(part, "parts", []) or []:
                    if getattr(sub, "kind", "") in ("commandsubstitution", "processsubstitution"):
                        found.extend(visit(sub.command))
            return found
        if kind == "pipeline":
            members: list[SimpleCommand] = []
            collected: list[SimpleCommand] = []
            for part in node.parts:  # type: ignore[attr-defined]
                if getattr(part, "kind", "") == "pipe":
                    continue
                sub = visit(part)
                collected.extend(sub)
                if sub:
                    members.append(sub[0])
            if len(members) >= 2:
                pipelines.append(members)
            return collected
        out: list[SimpleCommand] = []
        for attr in ("parts", "list"):
            for child in getattr(node, attr, None) or []:
                out.extend(visit(child))
        for attr in ("command",):
            child = getattr(node, attr, None)
            if child is not None and hasattr(child, "kind"):
                out.extend(visit(child))
        return out

    for tree in bashlex.parse(text):
        commands.extend(visit(tree))
    return ShellScript(text=text, commands=commands, pipelines=pipelines, parsed=True)


def _redirect_of(node: object) -> tuple[str, str] | None:
    op = str(getattr(node, "type", ""))
    heredoc = getattr(node, "heredoc", None)
    if op.startswith("<<") and heredoc is not None:
        # bashlex keeps the terminator as the last line of the value.
        return ("<<", str(getattr(heredoc, "value", "")).rpartition("\n")[0])
    target = getattr(node, "output", None)
    if not hasattr(target, "word"):
        return None  # 2>&1 and the like: a descriptor, not a file
    fd = getattr(node, "input", None)
    return (f"{fd}{op}" if isinstance(fd, int) else op, target.word)  # type: ignore[union-attr]


_OPERATORS = {";", "&&", "||", "|", "&", "(", ")", "\n", ";;", "|&"}
# A redirection the fallback tokenizer sees as a word: ``>``, ``2>>`` alone (the target is the
# next word) or with its target attached (``>/etc/x``).
_REDIRECT_WORD = re.compile(r"^(\d*>>?|&>>?|\d*<<?-?)(.*)$")


def _join_descriptor_copies(tokens: list[str]) -> list[str]:
    """shlex splits ``2>&1`` at the ``&`` (a control operator to it): put it back together."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if re.fullmatch(r"\d*[<>]", tokens[i]) and tokens[i + 1:i + 2] == ["&"] and \
                i + 2 < len(tokens) and re.fullmatch(r"\d+-?|-", tokens[i + 2]):
            out.append(tokens[i] + "&" + tokens[i + 2])
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def _split_redirects(words: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    kept: list[str] = []
    redirects: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        m = _REDIRECT_WORD.match(words[i])
        if m and not m.group(2).startswith("&"):
            if m.group(1).startswith("<<") or m.group(1)[-2:] == "<<":
                pass  # a here-document: its text is not in the words the tokenizer saw
            elif m.group(2):
                redirects.append((m.group(1), m.group(2)))
            elif i + 1 < len(words):
                redirects.append((m.group(1), words[i + 1]))
                i += 1
            i += 1
            continue
        if m:  # 2>&1
            i += 1
            continue
        kept.append(words[i])
        i += 1
    return kept, redirects


def _parse_fallback(text: str) -> ShellScript:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[SimpleCommand] = []
    pipelines: list[list[SimpleCommand]] = []
    current: list[str] = []
    pipeline: list[SimpleCommand] = []

    def flush(op: str | None) -> None:
        nonlocal current, pipeline
        if current:
            assignments: list[str] = []
            while current and "=" in current[0] and not current[0].startswith("="):
                name = current[0].split("=", 1)[0]
                if not name.replace("_", "a").isalnum():
                    break
                assignments.append(current.pop(0))
            words, redirects = _split_redirects(current)
            cmd = SimpleCommand(words=words, assignments=assignments, redirects=redirects)
            commands.append(cmd)
            pipeline.append(cmd)
        current = []
        if op not in ("|", "|&"):
            if len(pipeline) >= 2:
                pipelines.append(pipeline)
            pipeline = []

    try:
        tokens = list(lexer)
    except ValueError:
        # Unbalanced quotes: split on whitespace rather than give up.
        tokens = text.replace("\n", " \n ").split(" ")
    tokens = _join_descriptor_copies(tokens)
    for token in tokens:
        if token in _OPERATORS or (token and set(token) <= set(";&|()")):
            flush(token)
        elif token == "\\":
            continue
        elif token:
            if "\n" in token:
                for i, piece in enumerate(token.split("\n")):
                    if i:
                        flush("\n")
                    if piece:
                        current.append(piece)
            else:
                current.append(token)
    flush(None)
    return ShellScript(text=text, commands=commands, pipelines=pipelines, parsed=False)


use_parser(parse_shell)
