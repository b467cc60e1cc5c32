"""What a Dockerfile instruction writes into files: ``echo ... > f``, ``printf ... | tee f``,
``cat <<EOF > f``, ``sed -i ... f``, ``COPY <<EOF f``.

Rules about configuration files (apt's, say) judge the text that reaches a path, not a substring
of the whole line: ``echo 'x "true";'`` to stdout, or into a file elsewhere, writes no
configuration.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass

from hullcheck.models.dockerfile import Instruction
from hullcheck.models.shell import SimpleCommand

_ECHO_ESCAPES = {"\\n": "\n", "\\t": "\t"}


@dataclass(frozen=True, slots=True)
class FileWrite:
    path: str  # normalised, as written (may hold variables)
    content: str  # the text written (for ``sed``, its script: what it puts in)
    how: str  # "echo", "printf", "cat", "tee", "sed", "COPY"...


def _unescape(text: str) -> str:
    for escape, char in _ECHO_ESCAPES.items():
        text = text.replace(escape, char)
    return text


def _printed(cmd: SimpleCommand, heredoc: str | None) -> str | None:
    """The text a command sends to standard output, for the commands that only print."""
    args = cmd.args()
    if cmd.name == "echo":
        interpret = False
        while args and args[0].startswith("-") and set(args[0][1:]) <= set("neE") and \
                len(args[0]) > 1:
            interpret = interpret or "e" in args[0]
            args = args[1:]
        text = " ".join(args)
        return _unescape(text) if interpret else text
    if cmd.name == "printf":
        if args[:1] == ["--"]:
            args = args[1:]
        return _unescape(" ".join(args))
    if cmd.name == "cat" and not [a for a in args if not a.startswith("-")]:
        own = [t for op, t in cmd.redirects if op == "<<"]
        return "\n".join(own) if own else heredoc
    return None


def _tee_files(cmd: SimpleCommand) -> list[str]:
    return [a for a in cmd.args() if not a.startswith("-")] if cmd.name == "tee" else []


def _sed_writes(cmd: SimpleCommand) -> list[FileWrite]:
    """``sed -i SCRIPT FILE...`` (or ``-e SCRIPT``): the script is what goes in."""
    if cmd.name != "sed" or not any(
            w == "-i" or w.startswith(("-i", "--in-place")) or
            (w.startswith("-") and not w.startswith("--") and "i" in w[1:])
            for w in cmd.args()):
        return []
    scripts: list[str] = []
    operands: list[str] = []
    args = cmd.args()
    i = 0
    while i < len(args):
        word = args[i]
        if word in ("-e", "--expression") and i + 1 < len(args):
            scripts.append(args[i + 1])
            i += 2
            continue
        if word.startswith("--expression="):
            scripts.append(word.partition("=")[2])
        elif word in ("-f", "--file") and i + 1 < len(args):
            i += 1  # a script file: its text is not here
        elif not word.startswith("-"):
            operands.append(word)
        i += 1
    if not scripts and operands:
        scripts.append(operands.pop(0))
    inserted = "\n".join(t for script in scripts for t in _sed_inserted(script))
    return [FileWrite(_norm(f), inserted, "sed") for f in operands]


_SED_TEXT = re.compile(r"(?:^|[;\n])\s*(?:\$|\d+|/[^/]*/)?\s*[aic]\\?\s*(.*)")


def _sed_inserted(script: str) -> list[str]:
    """The text a sed script puts into a file: the replacements of its ``s`` commands and the
    lines of its ``a``/``i``/``c`` commands (what it matches is not written)."""
    out: list[str] = []
    i = 0
    while i < len(script):
        if script[i] == "s" and i + 1 < len(script) and not script[i + 1].isalnum() and \
                (i == 0 or script[i - 1] in " ;\n{/0123456789$"):
            delim = script[i + 1]
            parts: list[str] = []
            current: list[str] = []
            j = i + 2
            while j < len(script) and len(parts) < 2:
                if script[j] == "\\" and j + 1 < len(script):
                    current.append(script[j + 1] if script[j + 1] == delim else script[j:j + 2])
                    j += 2
                    continue
                if script[j] == delim:
                    parts.append("".join(current))
                    current = []
                else:
                    current.append(script[j])
                j += 1
            if len(parts) == 2:
                out.append(parts[1].replace("\\[", "[").replace("\\]", "]"))
            i = j
            continue
        i += 1
    out.extend(m.group(1) for m in _SED_TEXT.finditer(script))
    return out


def _norm(path: str) -> str:
    return posixpath.normpath(path) if path.startswith("/") else path


def shell_writes(instruction: Instruction) -> list[FileWrite]:
    """Files a RUN instruction's shell writes, with the text written."""
    script = instruction.shell
    if script is None:
        return []
    # A heredoc of the instruction line itself (``RUN cat <<EOF > /f``) feeds its command.
    heredoc = "\n".join(h.content for h in instruction.heredocs if h.file_descriptor == 0) \
        if instruction.heredocs and instruction.text.strip() and \
        not instruction.text.strip().startswith("<<") else None
    out: list[FileWrite] = []
    piped: dict[int, str] = {}  # id of a command -> the text piped into it
    for pipeline in script.pipelines:
        for left, right in itertools.pairwise(pipeline):
            text = _printed(left.unwrapped(), heredoc)
            if text is not None:
                piped[id(right)] = text
    for cmd in script.commands:
        inner = cmd.unwrapped()
        text = _printed(inner, heredoc)
        if text is not None:
            out.extend(FileWrite(_norm(f), text, inner.name) for f in cmd.stdout_files())
        tee_input = piped.get(id(cmd))
        if tee_input is None and inner.name == "tee":
            own = [t for op, t in cmd.redirects if op == "<<"]
            tee_input = "\n".join(own) if own else heredoc
        if tee_input is not None:
            out.extend(FileWrite(_norm(f), tee_input, "tee") for f in _tee_files(inner))
        out.extend(_sed_writes(inner))
    return out


def copied_heredocs(instruction: Instruction) -> list[FileWrite]:
    """``COPY <<EOF /dest`` (or ``ADD``): the heredoc's text lands at the destination, or in
    ``/dest/<name>`` when the destination is a directory (ends with ``/``)."""
    if instruction.cmd not in ("COPY", "ADD") or not instruction.heredocs or \
            not instruction.value:
        return []
    dest = instruction.value[-1]
    out = []
    for doc in instruction.heredocs:
        path = posixpath.join(dest, doc.name) if dest.endswith("/") else dest
        out.append(FileWrite(_norm(path), doc.content, instruction.cmd))
    return out
