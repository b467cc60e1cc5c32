"""Small helpers shared by Dockerfile rules."""

from __future__ import annotations

from hullcheck.inputs.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Rule

INPUTS = frozenset({"dockerfile"})


class DockerfileRule(Rule):
    inputs = INPUTS


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


def is_root_user(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("root", "0")
