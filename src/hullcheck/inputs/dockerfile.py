"""Dockerfiles, parsed with BuildKit's own parser (the ``dockerfile`` package wraps it).

BuildKit handles directives, continuations, heredocs and the exec/shell forms exactly as
``docker build`` does; on top of it we add what rules need: stages with their resolved base image,
``RUN`` shell parsed into commands, accurate end lines, and the inline suppression comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hullcheck.findings import InputError
from hullcheck.inputs import Loaded
from hullcheck.inputs import shell as _shell  # noqa: F401  (registers the models' parser)
from hullcheck.models.dockerfile import Dockerfile, Heredoc, Instruction, Stage, substitute
from hullcheck.suppress import Suppression, parse_inline

if TYPE_CHECKING:
    from hullcheck.options import RunOptions
    from hullcheck.sources import Source

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
# A comment addressed to hullcheck: a suppression, or a malformed one to warn about.
_MENTION = re.compile(r"#\s*hullcheck:")
# hadolint's pragmas, read as hadolint reads them (Hadolint.Pragma): the whole comment is
# `hadolint [global ]ignore=CODE[,CODE]`, spaces and tabs only, codes of D, L, S, C and digits,
# nothing after them (hadolint ignores a pragma with a trailing reason, and so do we).
_HADOLINT = re.compile(r"#[ \t]*hadolint[ \t]+(?P<scope>global[ \t]+)?ignore[ \t]*=[ \t]*"
                       r"(?P<codes>[DLSC0-9]+(?:[ \t]*,[ \t]*[DLSC0-9]+)*)")
# The largest real Dockerfiles are tens of kilobytes; a bigger one is generated or hostile, and
# refusing it bounds parse time (BuildKit's parser takes ~0.25 s/MB, rules more).
MAX_DOCKERFILE_BYTES = 1024 * 1024

_FIRST_INSTRUCTION = re.compile(r"^\s*(FROM|ARG)\s+\S", re.IGNORECASE)


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
    return Dockerfile(path=path, text=text, directives=directives, global_args=global_args,
                      global_instructions=global_instructions, stages=stages,
                      columns=_indented(instructions, lines))


def _indented(instructions: list[Instruction], lines: list[str]) -> dict[int, int]:
    """Line -> 1-based column of each instruction that does not start its line (indented
    with spaces or tabs, as BuildKit allows): where a finding about it points."""
    columns: dict[int, int] = {}
    for ins in instructions:
        if 1 <= ins.line <= len(lines):
            text = lines[ins.line - 1]
            indent = len(text) - len(text.lstrip(" \t"))
            if indent and indent < len(text):
                columns[ins.line] = indent + 1
    return columns


def inline_suppressions(df: Dockerfile) -> tuple[list[Suppression], list[str]]:
    """The ``# hullcheck:`` comments of ``df``: its suppressions, and a warning for each
    malformed one."""
    # Every inline suppression comment contains "hullcheck:" (suppress.INLINE) or "hadolint": a
    # file without either has none, and its lines need not be looked at one by one.
    if "hullcheck:" not in df.text and "hadolint" not in df.text:
        return [], []
    warnings: list[str] = []
    found = _suppressions(df.path, df.text.splitlines(), df.instructions(), warnings)
    return found, warnings


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
    ins = Instruction(
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
    if ins.sub_cmd and ins.cmd == "ONBUILD":
        ins.trigger = _trigger(ins)
    return ins


def _trigger(ins: Instruction) -> Instruction:
    """``ONBUILD <instruction>``'s trigger as an instruction of its own, with its flags (which
    BuildKit's parser drops for ONBUILD): the body is parsed again on its own."""
    import dockerfile

    assert ins.sub_cmd is not None
    body = re.sub(r"^\s*onbuild\s+", "", ins.original, flags=re.IGNORECASE)
    flags: tuple[str, ...] = ()
    try:
        parsed = dockerfile.parse_string(body + "\n")
        if len(parsed) == 1:
            flags = tuple(parsed[0].flags)
    except Exception:
        # The trigger still parsed inside ONBUILD: keep it, without flags.
        flags = ()
    return Instruction(cmd=ins.sub_cmd, value=ins.value, flags=flags, json=ins.json,
                       original=body, line=ins.line, end_line=ins.end_line,
                       heredocs=ins.heredocs)


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
        peer = _HADOLINT.fullmatch(stripped)
        if peer is not None:
            out.extend(_hadolint_pragma(path, idx, peer, starts))
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


def _hadolint_pragma(path: str, idx: int, pragma: re.Match[str],
                     starts: dict[int, Instruction]) -> list[Suppression]:
    """``# hadolint ignore=DL3007`` covers, for the rules tagged ``hadolint:DL3007``, the
    instruction that starts on the very next line (as hadolint: a comment or blank line between
    them and it covers nothing); ``# hadolint global ignore=`` covers the whole file."""
    codes = [c.strip() for c in pragma.group("codes").split(",")]
    selectors = [f"hadolint:{c}" for c in dict.fromkeys(codes)]
    reason = f"hadolint {'global ' if pragma.group('scope') else ''}ignore pragma"
    if pragma.group("scope"):
        return [Suppression(selectors, "inline", path, reason=reason, line=idx, quiet=True)]
    target = starts.get(idx + 1)
    if target is None:
        return []
    return [Suppression(selectors, "inline", path, start=target.line, end=target.end_line,
                        reason=reason, line=idx, quiet=True)]


def load(sources: Sequence[Source], options: RunOptions) -> Loaded:
    """Parse every Dockerfile: the models, their inline suppressions, and an error line for
    each file too large or not a Dockerfile."""
    loaded = Loaded()
    for src in sources:
        if len(src.text) > MAX_DOCKERFILE_BYTES:
            loaded.errors.append(InputError(
                src.path, f"Dockerfile too large ({len(src.text)} characters; the limit is "
                f"{MAX_DOCKERFILE_BYTES})"))
            continue
        try:
            df = parse(src.path, src.text)
        except DockerfileError as exc:
            loaded.errors.append(InputError(src.path, f"invalid Dockerfile: {exc}"))
            continue
        suppressions, warnings = inline_suppressions(df)
        loaded.suppressions.extend(suppressions)
        loaded.warnings.extend(warnings)
        loaded.models.append(df)
    return loaded
