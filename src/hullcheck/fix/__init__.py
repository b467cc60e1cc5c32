"""``hullcheck fix``: the repairs rules declare beside themselves, and how they are applied.

A rule that has one mechanical, well-known repair lists it in ``Rule.fixes`` as a ``Fix``: what
the edit does, which platform's files it edits, whether it is safe, what it assumes and (for an
unsafe fix) what to verify before shipping it. The edit itself is a function named by
``"module:function"`` and imported only when ``fix`` runs, so declaring a fix costs a rule
nothing at import time (ruamel.yaml is loaded by ``fix`` alone).

An edit function takes the open file (``hullcheck.fix.yamledit.YamlFile`` or
``hullcheck.fix.dockerfile.DockerfileText``) and the finding, and returns None when it applied
the repair, or one line saying why it could not (the finding is then left for a human).
"""

from __future__ import annotations

from dataclasses import dataclass

# The platforms whose files ``fix`` edits, as a finding's location tells them apart.
PLATFORMS = ("kubernetes", "compose", "dockerfile")


@dataclass(frozen=True)
class Fix:
    """One repair of one rule on one platform.

    ``unsafe`` fixes can break a workload that relied on what they take away: they apply only
    with ``--unsafe-fixes`` and always say ``verify``.
    """

    platform: str  # one of PLATFORMS
    summary: str  # what the edit does, one line (docs/fix.md, the fix report)
    edit: str  # "module:function", imported lazily
    assumes: str = ""  # what the edit takes for granted (docs/fix.md)
    unsafe: bool = False
    verify: str = ""  # unsafe fixes: what to check before deploying
    # The edit writes a new file beside the finding's file instead of editing it: the function
    # takes the finding and returns (file name, text) or raises EditRefused. Only into a
    # directory the user named (walked), never over an existing file.
    new_file: bool = False

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown fix platform {self.platform!r}")
        if self.unsafe and not self.verify:
            raise ValueError("an unsafe fix must say what to verify")


class Refused(Exception):
    """A file cannot be edited safely; the message says why (one line)."""


class EditRefused(Exception):
    """One finding's edit cannot be made safely; the message says why (one line)."""


def platform_of(path: str, has_object: bool, has_container: bool) -> str:
    """Which platform's file a finding's location names: a Kubernetes object, a compose service
    (a container without an object), else a Dockerfile."""
    if has_object:
        return "kubernetes"
    if has_container:
        return "compose"
    return "dockerfile"
