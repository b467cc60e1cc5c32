"""The shell parser behind ``hullcheck.models.shell``: tree-sitter's bash grammar (C, error
recovering: a script it cannot fully parse still gives a tree, and the commands in it), and a
tokenizer for plain command lists that needs no tree. ``ShellScript.parsed`` is False when the
grammar reported an error somewhere in the script. Importing this module registers the parser
with the models (``models.shell.use_parser``).
"""

from __future__ import annotations

import re
from typing import Any

from hullcheck.models.shell import WRAPPERS, ShellScript, SimpleCommand, split_words, use_parser

__all__ = ["MAX_SHELL_DEPTH", "WRAPPERS", "ShellScript", "SimpleCommand", "parse_shell",
           "split_words"]

# How deep the walk of one script's tree goes (nested substitutions, subshells, compound
# commands): a hostile RUN line nesting ``$(`` thousands of times would otherwise exhaust
# Python's stack. Real scripts nest fewer than 20 levels; what lies deeper is not looked at and
# the script counts as not parsed.
MAX_SHELL_DEPTH = 200


# What only a real shell parser gets right: substitutions, redirections, compound commands,
# escapes, comments and globs in braces. A script with none of these is a list of simple commands
# joined by operators, which the tokenizer splits exactly as the grammar does, about five times
# faster than walking a tree.
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
    """``text`` as commands and pipelines: a plain command list through the tokenizer, anything
    else through tree-sitter's grammar (never raises; ``parsed`` is False on a syntax error)."""
    if not _NEEDS_PARSER.search(text):
        simple = _parse_simple(text)
        if simple is not None:
            return simple
    return _parse_tree(text)


_ts_parser: Any = None


def _parser() -> Any:
    """tree-sitter's parser for bash, built once per process on first use (the import and
    the grammar cost a few milliseconds that a scan without shell never pays)."""
    global _ts_parser
    if _ts_parser is None:
        import tree_sitter
        import tree_sitter_bash

        _ts_parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    return _ts_parser


def grammar_abi() -> tuple[int, int, int]:
    """The bash grammar's ABI and the range the tree-sitter runtime loads (min, max): a pair
    of versions out of step fails here, with the numbers, rather than in a scan."""
    import tree_sitter
    import tree_sitter_bash

    language = tree_sitter.Language(tree_sitter_bash.language())
    return (language.abi_version, tree_sitter.MIN_COMPATIBLE_LANGUAGE_VERSION,
            tree_sitter.LANGUAGE_VERSION)


_UNQUOTED_ESCAPE = re.compile(r"\\(\n|.)", re.S)
_DOUBLE_QUOTED_ESCAPE = re.compile(r'\\([$`"\\\n])')
_TAB_INDENT = re.compile(r"(?m)^\t+")

_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
# What starts a substitution in the source: a command without one is not searched for any.
_SUBSTITUTION_START = re.compile(rb"\$\(|`|[<>]\(")
_DESCRIPTOR_COPIES = frozenset({">&", "<&", ">&-", "<&-"})


def _unescape(match: re.Match[str]) -> str:
    return "" if match[1] == "\n" else match[1]


def _text(node: Any) -> str:
    return node.text.decode("utf-8", "replace")


def _word(node: Any) -> str:
    """A word as the shell sees it after quote removal, expansions and substitutions kept as
    written (``"a $(b "c")"`` -> ``a $(b "c")``)."""
    kind = node.type
    if kind == "word":
        text = _text(node)
        return _UNQUOTED_ESCAPE.sub(_unescape, text) if "\\" in text else text
    if kind == "raw_string":
        return _text(node)[1:-1]
    if kind == "string":
        text = _text(node)[1:-1]
        return _DOUBLE_QUOTED_ESCAPE.sub(_unescape, text) if "\\" in text else text
    if kind == "concatenation":
        return "".join(_word(child) for child in node.children)
    return _text(node)


def _assignment(node: Any) -> str:
    """``NAME=value`` with the value's quotes removed."""
    name = node.child_by_field_name("name")
    if name is None:
        return _text(node)
    value = node.child_by_field_name("value")
    op = "+=" if any(c.type == "+=" for c in node.children) else "="
    return _text(name) + op + (_word(value) if value is not None else "")


class _Walk:
    """One script's tree turned into simple commands (in source order, a command before the
    commands of its substitutions, as the shell's expansion sees them) and pipelines."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.pipelines: list[list[SimpleCommand]] = []
        self.by_node: dict[int, SimpleCommand] = {}
        self.too_deep = False
        # Commands the walk split at a newline: node id -> (first piece, last piece).
        self.split: dict[int, tuple[SimpleCommand, SimpleCommand]] = {}

    def visit(self, node: Any, depth: int) -> list[SimpleCommand]:
        if depth > MAX_SHELL_DEPTH:
            self.too_deep = True
            return []
        kind = node.type
        if kind == "command":
            return self.command(node, depth)
        if kind in ("declaration_command", "unset_command"):  # export A=1, unset B
            words = [_assignment(c) if c.type == "variable_assignment" else _word(c)
                     for c in node.children]
            return self.emit(node, SimpleCommand(words=words), depth)
        if kind == "variable_assignment":  # A=$(b) alone
            return self.emit(node, SimpleCommand(words=[], assignments=[_assignment(node)]),
                             depth)
        if kind == "variable_assignments":
            assignments = [_assignment(c) for c in node.children
                           if c.type == "variable_assignment"]
            return self.emit(node, SimpleCommand(words=[], assignments=assignments), depth)
        if kind == "test_command":  # [ -f x ]: the words of the ``[`` command
            return self.emit(node, SimpleCommand(words=split_words(_text(node))), depth)
        if kind in _SEQUENCES:
            return self.sequence(node, depth)
        out: list[SimpleCommand] = []
        for child in node.children:
            if child.child_count:
                out.extend(self.visit(child, depth + 1))
        return out

    def emit(self, node: Any, cmd: SimpleCommand, depth: int) -> list[SimpleCommand]:
        self.by_node[node.id] = cmd
        found = [cmd] if cmd.words or cmd.assignments else []
        if _SUBSTITUTION_START.search(self.source, node.start_byte, node.end_byte):
            self.substitutions(node, found, depth + 1)
        return found

    def substitutions(self, node: Any, out: list[SimpleCommand], depth: int) -> None:
        """The commands of ``$(...)``, backticks and ``<(...)`` anywhere inside node."""
        if depth > MAX_SHELL_DEPTH:
            self.too_deep = True
            return
        for child in node.children:
            if child.type in _SUBSTITUTIONS:
                out.extend(self.visit(child, depth + 1))
            elif child.child_count:
                self.substitutions(child, out, depth + 1)

    def command(self, node: Any, depth: int) -> list[SimpleCommand]:
        pieces: list[SimpleCommand] = []
        words: list[str] = []
        assignments: list[str] = []
        redirects: list[tuple[str, str]] = []
        end = -1
        multiline = self.source.find(b"\n", node.start_byte, node.end_byte) >= 0
        for child in node.children:
            kind = child.type
            glued = child.start_byte == end
            if (multiline and end >= 0 and (words or assignments)
                    and self.newline_between(end, child.start_byte)):
                # The grammar runs ``a | b | c`` NEWLINE ``d && e`` into one command ``c d``:
                # an unescaped newline ends a command in the shell.
                pieces.append(SimpleCommand(words=words, assignments=assignments,
                                            redirects=redirects))
                words, assignments, redirects = [], [], []
            end = child.end_byte
            if kind == "variable_assignment" and not words:
                assignments.append(_assignment(child))
            elif kind in _REDIRECTS:
                words.extend(_word(w) for w in self.redirect(child, redirects))
            elif child.is_named:
                if kind == "command_name":
                    word = _word(child.children[0]) if child.child_count == 1 else _word(child)
                elif kind == "ERROR":  # ``A=1 https://x`` errs on ``https``: keep its text
                    word = _text(child)
                else:
                    word = _word(child)
                # The grammar splits ``a-$B/c`` after the ``$`` at times: a word that touches
                # the one before continues it.
                if glued and words:
                    words[-1] += word
                else:
                    words.append(word)
        cmd = SimpleCommand(words=words, assignments=assignments, redirects=redirects)
        if not pieces:
            return self.emit(node, cmd, depth)
        self.split[node.id] = (pieces[0], cmd)
        found = [p for p in pieces if p.words or p.assignments]
        return found + self.emit(node, cmd, depth)

    def newline_between(self, start: int, end: int) -> bool:
        """An unescaped newline in the source between two byte offsets."""
        gap = self.source[start:end]
        return b"\n" in gap.replace(b"\\\n", b"")

    def redirect(self, node: Any, redirects: list[tuple[str, str]]) -> list[Any]:
        """Append node's redirection as (operator, target); a here-document is ("<<", its
        text); descriptor copies (``2>&1``, ``>&-``) are left out. Returns the words the
        grammar took for more targets: ``a 2>/dev/null b c`` parses as one redirection to
        ``/dev/null b c``, where the shell runs ``a b c``."""
        if node.type == "heredoc_redirect":
            body = ""
            strip_tabs = False
            nested = []
            for child in node.children:
                if child.type == "heredoc_body":
                    body = _text(child)
                elif child.type == "<<-":
                    strip_tabs = True
                elif child.type in _REDIRECTS:
                    nested.append(child)  # cat <<EOF > /f: the > /f comes after the text
            body = body.rpartition("\n")[0] if "\n" in body else body
            redirects.append(("<<", _TAB_INDENT.sub("", body) if strip_tabs else body))
            words: list[Any] = []
            for child in nested:
                words.extend(self.redirect(child, redirects))
            return words
        descriptor = op = ""
        target = None
        extra: list[Any] = []
        for child in node.children:
            if child.type == "file_descriptor":
                descriptor = _text(child)
            elif not child.is_named:
                op = child.type
            elif target is None:
                target = child
            else:
                extra.append(child)
        if target is not None and not (op in _DESCRIPTOR_COPIES and
                                       (target.type == "number" or target.text == b"-")):
            redirects.append((descriptor + op, _word(target)))
        return extra

    def sequence(self, node: Any, depth: int) -> list[SimpleCommand]:
        """A list, pipeline or redirected statement, read as the shell reads it.

        tree-sitter-bash 0.25 gets the precedence of ``|`` against ``&&``/``||`` and
        redirections wrong at times (``a && b 2>&1 | c`` as ``(a && b 2>&1) | c``, ``a > f |
        b && c`` as ``a > f | (b && c)``, ``a && b > f`` with ``> f`` on the list). The order
        of the source is right, though: the statements, operators and redirections are taken
        in that order and grouped again, ``|`` binding tightest and a redirection going to the
        statement just before it."""
        items: list[Any] = []
        _flatten(node, items)
        collected: list[SimpleCommand] = []
        heads: list[SimpleCommand] = []
        last: Any = None
        for item in items:
            kind = item.type
            if kind in _REDIRECTS:
                target = self.by_node.get(last.id) if last is not None else None
                self.apply_redirect(item, target, collected, depth)
            elif not item.is_named:
                if kind not in ("|", "|&"):
                    if len(heads) >= 2:
                        self.pipelines.append(heads)
                    heads = []
            else:
                found = self.visit(item, depth + 1)
                collected.extend(found)
                split = self.split.get(item.id)
                if split is not None:  # ``a | b NEWLINE c | d``: b ends one pipeline, c starts one
                    heads.append(split[0])
                    if len(heads) >= 2:
                        self.pipelines.append(heads)
                    heads = [split[1]]
                elif found:
                    heads.append(found[0])
                last = item
        if len(heads) >= 2:
            self.pipelines.append(heads)
        return collected

    def apply_redirect(self, node: Any, target: SimpleCommand | None,
                       out: list[SimpleCommand], depth: int) -> None:
        """Give a redirection to target (None: a compound statement, nobody)."""
        words = self.redirect(node, target.redirects if target is not None else [])
        if target is not None:
            target.words.extend(_word(w) for w in words)
        self.substitutions(node, out, depth + 1)  # > "$(mktemp)"


_SEQUENCES = frozenset({"list", "pipeline", "redirected_statement"})


def _flatten(node: Any, out: list[Any]) -> None:
    """node's statements, operators and redirections in source order, through nested lists,
    pipelines and redirected statements (``a && b && ...`` nests once per operator: no
    recursion, so a long chain cannot exhaust the stack)."""
    stack = [iter(node.children)]
    while stack:
        for child in stack[-1]:
            if child.type in _SEQUENCES:
                stack.append(iter(child.children))
                break
            out.append(child)
        else:
            stack.pop()


def _parse_tree(text: str) -> ShellScript:
    source = text.encode("utf-8", "surrogatepass")
    tree = _parser().parse(source)
    walk = _Walk(source)
    commands = walk.visit(tree.root_node, 0)
    return ShellScript(text=text, commands=commands, pipelines=walk.pipelines,
                       parsed=not tree.root_node.has_error and not walk.too_deep)


use_parser(parse_shell)
