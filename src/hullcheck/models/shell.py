"""``RUN`` shell as commands and arguments, so rules judge words, not substrings: the model.

The parser that fills it (tree-sitter's bash grammar, and a fast tokenizer for plain command
lists) is
``hullcheck.inputs.shell``; ``ShellScript.parsed`` says which path was taken.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

# Commands that run their arguments as another command (``sudo apt-get install``): rules about the
# inner command look through them.
WRAPPERS = frozenset({"sudo", "env", "nohup", "exec", "time", "command", "nice", "doas", "su-exec",
                      "gosu", "chroot"})


@dataclass(slots=True)
class SimpleCommand:
    words: list[str]
    assignments: list[str] = field(default_factory=list)  # leading VAR=value words
    # Redirections to or from a file, in order: (operator, target) such as (">", "/etc/x"),
    # ("2>>", "log"), ("<", "in"); a here-document is ("<<", its text). Descriptor copies
    # (``2>&1``) are left out.
    redirects: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The program, without its directory (``/usr/bin/curl`` -> ``curl``)."""
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    def unwrapped(self) -> SimpleCommand:
        """The command a wrapper runs: ``sudo -E apt-get install x`` -> ``apt-get install x``."""
        words = list(self.words)
        assignments = list(self.assignments)
        while words and words[0].rsplit("/", 1)[-1] in WRAPPERS:
            wrapper = words[0].rsplit("/", 1)[-1]
            words = words[1:]
            # Skip the wrapper's own options (and env's VAR=value words).
            while words and (words[0].startswith("-") or (wrapper == "env" and "=" in words[0])):
                opt = words.pop(0)
                if wrapper == "env" and "=" in opt and not opt.startswith("-"):
                    assignments.append(opt)
                elif wrapper in ("sudo", "doas") and opt in ("-u", "-g", "-C", "-D", "-h", "-p"):
                    if words:
                        words.pop(0)
            if wrapper in ("su-exec", "gosu", "chroot") and words:
                words = words[1:]  # the user (or new root) argument
        return SimpleCommand(words=words, assignments=assignments, redirects=self.redirects)

    def stdout_files(self) -> list[str]:
        """The files standard output is redirected to (``> f``, ``>> f``, ``&> f``, ``1> f``)."""
        return [target for op, target in self.redirects
                if op in (">", ">>", ">|", "1>", "1>>", "1>|", "&>", "&>>")]

    def args(self) -> list[str]:
        return self.words[1:]

    def has_option(self, *names: str) -> bool:
        """``-k``/``--insecure`` style flags, including ``-xk`` bundles for one-letter flags and
        ``--opt=value`` forms."""
        for word in self.words[1:]:
            if word == "--":
                break
            for name in names:
                if word == name or (name.startswith("--") and word.startswith(name + "=")):
                    return True
                if (
                    len(name) == 2
                    and name.startswith("-")
                    and word.startswith("-")
                    and not word.startswith("--")
                    and name[1] in word[1:]
                    and word[1:].isalpha()
                ):
                    return True
        return False

    def option_value(self, *names: str) -> str | None:
        words = self.words[1:]
        for i, word in enumerate(words):
            for name in names:
                if word == name and i + 1 < len(words):
                    return words[i + 1]
                if word.startswith(name + "="):
                    return word[len(name) + 1 :]
        return None

    def __str__(self) -> str:
        return " ".join(self.assignments + self.words)


@dataclass(slots=True)
class ShellScript:
    text: str
    commands: list[SimpleCommand]
    pipelines: list[list[SimpleCommand]]  # only pipelines of two or more commands
    parsed: bool  # False when the grammar reported an error (the commands are what it recovered)

    def find(self, *names: str) -> list[SimpleCommand]:
        """Commands (looked at through wrappers such as sudo) whose program is one of names."""
        out = []
        for cmd in self.commands:
            inner = cmd.unwrapped()
            if inner.name in names:
                out.append(inner)
        return out


# The parser lives with the inputs (``hullcheck.inputs.shell``, tree-sitter and a tokenizer):
# models import nothing but models and the standard library. The inputs register it when they
# are imported, before any model that parses on first use (``Instruction.shell``,
# ``HistoryEntry.shell``) can exist.
ShellParser = Callable[[str], "ShellScript"]
_parser: ShellParser | None = None


def use_parser(parser: ShellParser) -> None:
    """Set the parser ``parse_shell`` calls (``hullcheck.inputs.shell`` does, on import)."""
    global _parser
    _parser = parser


def parse_shell(text: str) -> ShellScript:
    """``text`` parsed by the registered parser (see ``use_parser``)."""
    if _parser is None:
        raise RuntimeError("no shell parser registered: import hullcheck.inputs.shell first")
    return _parser(text)


def split_words(text: str) -> list[str]:
    """Split a line the way the shell would, tolerating unbalanced quotes."""
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()
