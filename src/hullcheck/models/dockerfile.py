"""A Dockerfile as rules see it: directives, global ARGs, stages and their instructions.

Filled completely by ``hullcheck.inputs.dockerfile`` (BuildKit's parser underneath): stages know
their resolved base, an ``ONBUILD`` instruction carries its trigger already unwrapped, and every
instruction its real end line. Only the shell of ``RUN`` (and shell-form ``CMD``/``ENTRYPOINT``)
is parsed on first use and kept (``Instruction.shell``): most rules decide from the text with a
cheap keyword test first, and parsing every script up front measured slower on the benchmark
corpus than parsing just the ones a rule looks into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullcheck.models.location import Location
from hullcheck.models.shell import ShellScript, SimpleCommand, parse_shell

if TYPE_CHECKING:
    from functools import cached_property as memo

if not TYPE_CHECKING:
    class memo:
        """cached_property without the per-access lock Python 3.11 takes (instructions are
        never shared between threads, and this sits on the per-instruction hot path)."""

        def __init__(self, fn):
            self.fn = fn
            self.name = fn.__name__

        def __get__(self, obj, owner=None):
            if obj is None:
                return self
            value = obj.__dict__[self.name] = self.fn(obj)
            return value


_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+])?(?P<word>[^}]*)\}|"
                  r"(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


@dataclass(slots=True)
class Heredoc:
    name: str
    content: str
    file_descriptor: int = 0


@dataclass
class Instruction:
    cmd: str  # upper case: RUN, COPY... (for ONBUILD, the trigger's own command is ``sub_cmd``)
    value: tuple[str, ...]
    flags: tuple[str, ...]
    json: bool  # exec form
    original: str
    line: int
    end_line: int
    heredocs: tuple[Heredoc, ...] = ()
    sub_cmd: str | None = None
    # For ``ONBUILD <instruction>``, the trigger as an instruction of its own (with its flags,
    # which BuildKit's parser drops for ONBUILD), unwrapped once by the parser; None otherwise.
    trigger: Instruction | None = None

    def flag(self, name: str) -> str | None:
        """Value of ``--name=value`` (``""`` for a bare ``--name``), or None when absent."""
        prefix = f"--{name}"
        for f in self.flags:
            if f == prefix:
                return ""
            if f.startswith(prefix + "="):
                return f[len(prefix) + 1 :]
        return None

    def flag_values(self, name: str) -> list[str]:
        prefix = f"--{name}="
        return [f[len(prefix) :] for f in self.flags if f.startswith(prefix)]

    @property
    def text(self) -> str:
        """The arguments as one string (shell form) or joined words (exec form)."""
        return " ".join(self.value)

    @property
    def judged_cmd(self) -> str:
        """The kind of instruction rules judge: its own, or for ``ONBUILD X`` the trigger's."""
        trigger = self.trigger
        return trigger.cmd if trigger is not None else self.cmd

    @memo
    def shell(self) -> ShellScript | None:
        """The RUN (or shell-form CMD/ENTRYPOINT) command line as parsed shell, parsed on first
        use and kept."""
        if self.cmd not in ("RUN", "CMD", "ENTRYPOINT"):
            return None
        if self.json:
            # Exec form runs one program; ["sh", "-c", "..."] runs a script we can look into.
            words = list(self.value)
            if len(words) >= 3 and words[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash") \
                    and words[1] in ("-c", "-ec", "-ex", "-exc", "-xc", "-eux", "-euxc"):
                return parse_shell(words[2])
            return ShellScript(text=" ".join(words), commands=[SimpleCommand(words=words)],
                               pipelines=[], parsed=True)
        script = self.text
        if self.heredocs:
            # ``RUN <<EOF`` alone: the heredoc is the script. Otherwise a heredoc feeds a command
            # (``RUN cat <<EOF > /f``) and the line itself is the script.
            stripped = script.strip()
            line = re.sub(r"<<-?\s*['\"]?\w+['\"]?", "", script)
            rest = line.split()
            if stripped.startswith("<<") and not rest:
                script = "\n".join(h.content for h in self.heredocs if h.file_descriptor == 0)
            elif rest and rest[0].rsplit("/", 1)[-1] in _SHELLS and "-c" not in rest:
                # ``RUN <<EOF bash`` (or ``RUN bash <<EOF``): the heredoc is the shell's script.
                script = "\n".join(h.content for h in self.heredocs if h.file_descriptor == 0)
            else:
                script = line
        return parse_shell(script)


@dataclass
class Stage:
    index: int
    from_instruction: Instruction
    base: str  # as written after FROM
    base_resolved: str | None  # ARG-substituted; None when it depends on an ARG without default
    alias: str | None
    base_stage: Stage | None  # FROM <earlier stage>
    platform: str | None
    instructions: list[Instruction] = field(default_factory=list)
    is_final: bool = False

    @property
    def line(self) -> int:
        return self.from_instruction.line

    @property
    def is_scratch(self) -> bool:
        return (self.base_resolved or "").lower() == "scratch"

    def all_instructions(self) -> list[Instruction]:
        return [self.from_instruction, *self.instructions]


@dataclass
class Dockerfile:
    path: str
    text: str
    directives: dict[str, str]
    global_args: dict[str, str | None]  # ARG before the first FROM -> default
    global_instructions: list[Instruction]
    stages: list[Stage]
    # line -> column (1-based, in characters) of an indented instruction that starts there. An
    # instruction at the start of its line is not listed: column 1 is what an absent column
    # means in the text report and in SARIF alike, so their output stays as it was.
    columns: dict[int, int] = field(default_factory=dict)

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def location(self, line: int | None, end_line: int | None = None) -> Location:
        """Where ``line`` is; with the instruction's column when one starts there indented."""
        column = self.columns.get(line) if line else None
        return Location(path=self.path, line=line, end_line=end_line, column=column)

    def stage_named(self, name: str) -> Stage | None:
        lowered = name.lower()
        for stage in self.stages:
            if stage.alias and stage.alias.lower() == lowered:
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None

    def instructions(self) -> list[Instruction]:
        """Every instruction in file order: the global ones, then each stage's from its FROM."""
        out = list(self.global_instructions)
        for stage in self.stages:
            out.extend(stage.all_instructions())
        return out


def substitute(text: str, variables: dict[str, str | None]) -> str | None:
    """Dockerfile variable substitution; None when a variable has no value."""
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        name = m.group("braced") or m.group("plain")
        value = variables.get(name)
        op = m.group("op")
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return m.group("word")
            return value
        if op in (":+", "+"):
            return m.group("word") if value else ""
        if value is None:
            missing = True
            return ""
        return value

    out = _VAR.sub(repl, text)
    return None if missing else out
