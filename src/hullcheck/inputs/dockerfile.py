"""Dockerfiles, parsed with BuildKit's own parser (the ``dockerfile`` package wraps it).

BuildKit handles directives, continuations, heredocs and the exec/shell forms exactly as
``docker build`` does; on top of it we add what rules need: stages with their resolved base image,
``RUN`` shell parsed into commands, accurate end lines, and the inline suppression comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullcheck.findings import InputError, Location, Report
from hullcheck.inputs.shell import ShellScript, SimpleCommand, parse_shell
from hullcheck.suppress import Suppression, parse_inline

if TYPE_CHECKING:
    from functools import cached_property as memo

    from hullcheck.engine import Engine
    from hullcheck.sources import Source

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


_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
# A comment addressed to hullcheck: a suppression, or a malformed one to warn about.
_MENTION = re.compile(r"#\s*hullcheck:")
_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+])?(?P<word>[^}]*)\}|"
                  r"(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
# The largest real Dockerfiles are tens of kilobytes; a bigger one is generated or hostile, and
# refusing it bounds parse time (BuildKit's parser takes ~0.25 s/MB, rules more).
MAX_DOCKERFILE_BYTES = 1024 * 1024

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_FIRST_INSTRUCTION = re.compile(r"^\s*(FROM|ARG)\s+\S", re.IGNORECASE)


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

    @memo
    def shell(self) -> ShellScript | None:
        """The RUN (or shell-form CMD/ENTRYPOINT) command line as parsed shell."""
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

    @memo
    def trigger(self) -> Instruction | None:
        """For ``ONBUILD <instruction>``, the trigger as an instruction of its own (with its
        flags, which BuildKit's parser drops for ONBUILD); None for other instructions."""
        if self.cmd != "ONBUILD" or not self.sub_cmd:
            return None
        body = re.sub(r"^\s*onbuild\s+", "", self.original, flags=re.IGNORECASE)
        flags: tuple[str, ...] = ()
        try:
            import dockerfile

            parsed = dockerfile.parse_string(body + "\n")
            if len(parsed) == 1:
                flags = tuple(parsed[0].flags)
        except Exception:
            # The trigger still parsed inside ONBUILD: keep it, without flags.
            flags = ()
        return Instruction(cmd=self.sub_cmd, value=self.value, flags=flags, json=self.json,
                           original=body, line=self.line, end_line=self.end_line,
                           heredocs=self.heredocs)


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
    suppressions: list[Suppression] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # malformed suppression comments

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def location(self, line: int | None, end_line: int | None = None) -> Location:
        return Location(path=self.path, line=line, end_line=end_line)

    def stage_named(self, name: str) -> Stage | None:
        lowered = name.lower()
        for stage in self.stages:
            if stage.alias and stage.alias.lower() == lowered:
                return stage
        if name.isdigit() and int(name) < len(self.stages):
            return self.stages[int(name)]
        return None


class DockerfileError(ValueError):
    pass


def looks_like_dockerfile(text: str) -> bool:
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        return bool(_FIRST_INSTRUCTION.match(line)) and re.search(
            r"^\s*FROM\s", text, re.IGNORECASE | re.MULTILINE
        ) is not None
    return False


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


def parse(path: str, text: str) -> Dockerfile:
    import dockerfile

    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        raise DockerfileError(str(exc).strip().splitlines()[0] if str(exc).strip() else
                              "cannot parse") from None
    except Exception as exc:
        raise DockerfileError(f"cannot parse: {exc}") from None

    lines = text.splitlines()
    directives = _directives(lines)
    escape = directives.get("escape", "\\")
    # BuildKit yields a command with no name for a stray line continuation; it is nothing.
    instructions = [_instruction(c, lines, escape) for c in commands if c.cmd]

    global_args: dict[str, str | None] = {}
    global_instructions: list[Instruction] = []
    stages: list[Stage] = []
    for ins in instructions:
        if ins.cmd == "FROM":
            stages.append(_stage(len(stages), ins, global_args, stages))
        elif not stages:
            global_instructions.append(ins)
            if ins.cmd == "ARG":
                for item in ins.value:
                    name, eq, default = item.partition("=")
                    global_args[name] = default if eq else global_args.get(name)
        else:
            stages[-1].instructions.append(ins)
    if not stages:
        raise DockerfileError("no FROM instruction")
    stages[-1].is_final = True
    df = Dockerfile(path=path, text=text, directives=directives, global_args=global_args,
                    global_instructions=global_instructions, stages=stages)
    # Every inline suppression comment contains "hullcheck:" (suppress.INLINE): a file without
    # it has none, and its lines need not be looked at one by one.
    if "hullcheck:" in text:
        df.suppressions = _suppressions(path, lines, instructions, df.warnings)
    return df


def _directives(lines: list[str]) -> dict[str, str]:
    """Parser directives: only at the very top, before any comment that is not one."""
    out: dict[str, str] = {}
    for line in lines:
        m = _DIRECTIVE.match(line.strip())
        if not m:
            break
        out[m.group(1).lower()] = m.group(2)
    return out


def _instruction(c: object, lines: list[str], escape: str) -> Instruction:
    # Runs once per instruction of every file: attribute reads are hoisted and the common case
    # (no heredoc, no None word, one line) allocates nothing beyond the Instruction itself.
    raw_heredocs = getattr(c, "heredocs", None)
    heredocs = tuple(
        Heredoc(name=h.name, content=h.content, file_descriptor=h.file_descriptor)
        for h in raw_heredocs
    ) if raw_heredocs else ()
    start: int = c.start_line  # type: ignore[attr-defined]
    end: int = c.end_line  # type: ignore[attr-defined]
    if not heredocs:
        # BuildKit reports the first line for continued instructions; find the real last line.
        i = start
        count = len(lines)
        while i <= count and lines[i - 1].rstrip().endswith(escape):
            i += 1
            # Comment and blank lines inside a continuation don't end it.
            while i <= count and (
                lines[i - 1].strip().startswith("#") or not lines[i - 1].strip()
            ):
                i += 1
        if i > start:  # (BuildKit's end line is never before its start line)
            end = max(end, min(i, count))
    value: tuple[str, ...] = tuple(c.value)  # type: ignore[attr-defined]
    if None in value:
        value = tuple(v or "" for v in value)
    sub_cmd: str | None = c.sub_cmd  # type: ignore[attr-defined]
    return Instruction(
        cmd=c.cmd.upper(),  # type: ignore[attr-defined]
        value=value,
        flags=tuple(c.flags),  # type: ignore[attr-defined]
        json=bool(c.json),  # type: ignore[attr-defined]
        original=c.original or "",  # type: ignore[attr-defined]
        line=start,
        end_line=end,
        heredocs=heredocs,
        sub_cmd=sub_cmd.upper() if sub_cmd else None,
    )


def _stage(index: int, ins: Instruction, global_args: dict[str, str | None],
           earlier: list[Stage]) -> Stage:
    words = list(ins.value)
    base = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    resolved = substitute(base, global_args) if "$" in base else base
    base_stage = None
    if resolved:
        lowered = resolved.lower()
        base_stage = next((s for s in earlier if s.alias and s.alias.lower() == lowered), None)
    return Stage(index=index, from_instruction=ins, base=base, base_resolved=resolved,
                 alias=alias, base_stage=base_stage, platform=ins.flag("platform"))


def _suppressions(path: str, lines: list[str], instructions: list[Instruction],
                  warnings: list[str]) -> list[Suppression]:
    """``# hullcheck: ignore=ID reason`` in the comment block right above an instruction covers
    that instruction's lines; ``# hullcheck: ignore-file=ID`` anywhere covers the file. A comment
    that starts ``# hullcheck:`` but is neither is a warning: a typo must not silently hide
    nothing."""
    out: list[Suppression] = []
    starts = {ins.line: ins for ins in instructions}
    for idx, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped.startswith("#"):
            continue
        parsed = parse_inline(stripped)
        if parsed is None:
            if _MENTION.match(stripped):
                warnings.append(f"{path}:{idx}: malformed suppression {stripped!r} "
                                "(expected '# hullcheck: ignore=ID[,ID] reason')")
            continue
        kind, selectors, reason = parsed
        if kind == "ignore-file":
            out.append(Suppression(selectors, "inline", path, reason=reason, line=idx))
            continue
        # Find the instruction this comment block sits on.
        j = idx + 1
        while j <= len(lines) and lines[j - 1].strip().startswith("#"):
            j += 1
        target = starts.get(j)
        if target is None:
            out.append(Suppression(selectors, "inline", path, start=-1, end=-1, reason=reason,
                                   line=idx))
            continue
        out.append(Suppression(selectors, "inline", path, start=target.line,
                               end=target.end_line, reason=reason, line=idx))
    return out


def analyze(sources: list[Source], engine: Engine) -> Report:
    """Judge every Dockerfile; a large batch is split over the CPUs (``hullcheck.parallel``)."""
    from hullcheck import parallel

    jobs = parallel.jobs_for(len(sources), engine.ctx.options.get("jobs"))
    if jobs == 1:
        return _analyze(sources, engine)

    def work(chunk: Sequence[Source]) -> tuple[Report, list[InputError]]:
        # Rule crashes are kept on the engine, and a child's engine is a copy: each chunk takes
        # its own off and returns them, and they go back on in chunk order.
        start = len(engine.crashes)
        report = _analyze(chunk, engine)
        crashes = engine.crashes[start:]
        del engine.crashes[start:]
        return report, crashes

    report = Report()
    for part, crashes in parallel.map_chunks(sources, work, jobs, weight=_size):
        report.extend(part)
        engine.crashes.extend(crashes)
    return report


def _analyze(sources: Sequence[Source], engine: Engine) -> Report:
    report = Report()
    for src in sources:
        if len(src.text) > MAX_DOCKERFILE_BYTES:
            report.errors.append(InputError(
                src.path, f"Dockerfile too large ({len(src.text)} characters; the limit is "
                f"{MAX_DOCKERFILE_BYTES})"))
            continue
        try:
            df = parse(src.path, src.text)
        except DockerfileError as exc:
            report.errors.append(InputError(src.path, f"invalid Dockerfile: {exc}"))
            continue
        report.suppressions.extend(df.suppressions)
        report.warnings.extend(df.warnings)
        report.findings.extend(engine.run("check_dockerfile", df, where=src.path))
        walk_stages = engine.has("check_stage")
        walk_instructions = engine.has("check_instruction")
        if walk_instructions:
            # ARG before the first FROM belongs to no stage: rules see stage=None.
            engine.run_instructions(report.findings, [(ins.cmd, ins) for ins in
                                                      df.global_instructions],
                                    df, None, where=src.path)
        for stage in df.stages:
            if walk_stages:
                report.findings.extend(engine.run("check_stage", df, stage, where=src.path))
            if walk_instructions:
                engine.run_instructions(report.findings,
                                        [(_judged_cmd(ins), ins)
                                         for ins in stage.all_instructions()],
                                        df, stage, where=src.path)
    return report


def _judged_cmd(ins: Instruction) -> str:
    """The kind of instruction rules judge: its own, or for ``ONBUILD X`` the trigger's."""
    if ins.cmd == "ONBUILD" and ins.trigger is not None:
        return ins.trigger.cmd
    return ins.cmd


def _size(src: Source) -> int:
    return len(src.text)
