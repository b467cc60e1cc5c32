"""Small helpers shared by Dockerfile rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage, substitute
from hullcheck.rules.base import Rule

INPUTS = frozenset({"dockerfile"})
# Package managers of the RPM family: their options turn off both TLS (DF012) and signature
# (DF013) checks.
RPM_FAMILY = frozenset({"yum", "dnf", "microdnf", "tdnf"})


class DockerfileRule(Rule):
    """A rule of the Dockerfile family.

    A rule that sets ``instructions`` is called by the engine only for those kinds (for
    ``ONBUILD X``, the kind of ``X``: ``judged(instruction)`` is what is judged), so its
    ``check_instruction`` does not test the kind again; it branches on it only to tell the
    kinds it judges apart (tests/test_rule_dialect.py).
    """

    inputs = INPUTS


class Keywords:
    """A case-insensitive pre-filter: does a text contain one of ``words``, or match ``pattern``
    (a regex for what is not a plain word)?

    The same answer as one ``re.IGNORECASE`` alternation of them all, several times faster: such
    an alternation is tried at every position of every RUN line. ASCII text (nearly all of it) is
    lowered once and searched with ``in``; other text goes to the regex, because str.lower and
    re's case folding differ on a few letters (re matches ``s`` to the long s U+017F and ``k``
    to the Kelvin sign U+212A).
    """

    def __init__(self, words: Iterable[str], pattern: str | None = None) -> None:
        self.words = tuple(w.lower() for w in words)
        self.pattern = pattern
        self._pattern = re.compile(pattern, re.IGNORECASE) if pattern else None
        self._alternation: re.Pattern[str] | None = None  # built for the first non-ASCII text

    def search(self, text: str) -> bool:
        if not text.isascii():
            if self._alternation is None:
                branches = [re.escape(w) for w in self.words]
                if self.pattern:
                    branches.append(self.pattern)
                self._alternation = re.compile("|".join(branches), re.IGNORECASE)
            return self._alternation.search(text) is not None
        lowered = text.lower()
        for word in self.words:
            if word in lowered:
                return True
        return self._pattern is not None and self._pattern.search(text) is not None


def effective_user(stage: Stage, dockerfile: Dockerfile) -> tuple[str | None, Instruction | None]:
    """The user a stage runs as and the USER instruction that set it, following ``FROM <stage>``
    back through earlier stages (a stage inherits its base stage's user)."""
    current: Stage | None = stage
    while current is not None:
        users = [i for i in current.instructions if i.cmd == "USER"]
        if users:
            last = users[-1]
            return (last.value[0] if last.value else ""), last
        current = current.base_stage
    return None, None


def user_value(instruction: Instruction, stage: Stage, dockerfile: Dockerfile,
               raw: str | None = None, build_args: Mapping[str, str] | None = None
               ) -> str | None:
    """The user a ``USER`` instruction sets (or ``raw``, a user written in ``instruction``, such
    as its ``--chown`` value), with ``$VAR``/``${VAR:-word}`` expanded the way
    BuildKit does: from the stage's ARG (a bare ``ARG X`` takes the global default) and ENV before
    the instruction, and ENV inherited from a base stage. None when it depends on a value only
    known at build time (an ARG without a default, an undeclared plain variable).
    ``build_args`` (``--build-arg``, compose's ``build.args``) win over the ARG defaults of the
    ARGs the stage declares, as in a build."""
    if raw is None:
        raw = instruction.value[0] if instruction.value else ""
    if "$" not in raw:
        return unquote(raw)
    owner = next((s for s in stage_chain(stage)
                  if any(i is instruction for i in s.instructions)), stage)
    variables: dict[str, str | None] = {}
    for ancestor in reversed(stage_chain(owner)):
        for ins in ancestor.instructions:
            if ins is instruction:
                break
            if ins.cmd == "ENV":
                variables.update(env_pairs(ins))
            elif ins.cmd == "ARG" and ancestor is owner:  # (ARG does not outlive its stage)
                for name, default in env_pairs(ins):
                    if build_args and name in build_args:
                        variables[name] = build_args[name]
                        continue
                    variables[name] = (default if default is not None
                                       else dockerfile.global_args.get(name))
    resolved = substitute(raw, variables)
    return None if resolved is None else unquote(resolved)


def stage_chain(stage: Stage) -> list[Stage]:
    """The stage and the earlier stages it is built FROM, nearest first."""
    chain: list[Stage] = []
    current: Stage | None = stage
    while current is not None and current not in chain:
        chain.append(current)
        current = current.base_stage
    return chain


def is_root_user(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("root", "0")


def judged(instruction: Instruction) -> Instruction:
    """The instruction a rule judges: itself, or for ``ONBUILD X`` the trigger ``X`` (it runs in
    every image built FROM this one)."""
    if instruction.cmd != "ONBUILD":  # (only ONBUILD has a trigger: skip the property)
        return instruction
    return instruction.trigger or instruction


def run_text(instruction: Instruction) -> str:
    """Everything a RUN executes, as raw text (the line and its heredocs): a cheap pre-filter
    before the shell is parsed."""
    if not instruction.heredocs:
        return instruction.original
    return "\n".join([instruction.original, *(h.content for h in instruction.heredocs)])


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def env_pairs(instruction: Instruction) -> list[tuple[str, str | None]]:
    """``(name, value)`` of an ENV (pairs) or ARG (``NAME[=default]``, value None when absent)."""
    if instruction.cmd == "ENV":
        words = list(instruction.value)
        return [(words[i], unquote(words[i + 1]) if i + 1 < len(words) else "")
                for i in range(0, len(words), 2)]
    if instruction.cmd == "ARG":
        out: list[tuple[str, str | None]] = []
        for item in instruction.value:
            name, eq, default = item.partition("=")
            out.append((name, unquote(default) if eq else None))
        return out
    return []


def sources_and_dest(instruction: Instruction) -> tuple[list[str], str]:
    """COPY/ADD sources (heredoc sources left out) and destination."""
    words = [unquote(w) for w in instruction.value]
    if len(words) < 2:
        return [], words[0] if words else ""
    return [w for w in words[:-1] if not w.startswith("<<")], words[-1]
