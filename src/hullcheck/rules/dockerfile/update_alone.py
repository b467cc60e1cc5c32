from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import ShellScript, SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text

_PREFILTER = re.compile(r"update|makecache|refresh|\bref\b|-Sy")
_INSTALL = re.compile(r"\s(install|add|upgrade|dist-upgrade|in)\s")
# Commands that do nothing for the image and may keep an update company in its RUN.
_NEUTRAL = frozenset({"set", "true", ":", "echo", "export", "printf"})


def _may_update(text: str) -> bool:
    """``_PREFILTER.search(text)``, its plain words tested with `in` first (much cheaper)."""
    if "update" in text or "makecache" in text or "-Sy" in text:
        return True
    return "ref" in text and _PREFILTER.search(text) is not None  # refresh, ref


def index_update(cmd: SimpleCommand) -> bool:
    """``apt-get update``, ``apk update``, ``yum/dnf makecache``, ``zypper refresh``..."""
    args = [w for w in cmd.args() if not w.startswith("-")]
    verb = args[0] if args else ""
    name = cmd.name
    if name in ("apt-get", "apt", "aptitude", "apk"):
        return verb == "update"
    if name in ("yum", "dnf", "microdnf", "tdnf"):
        return verb in ("makecache", "check-update")
    if name == "zypper":
        return verb in ("refresh", "ref")
    if name == "pacman":
        return not args and any(w in ("-Sy", "-Syy") for w in cmd.args())
    return False


def lone_update(script: ShellScript) -> SimpleCommand | None:
    """The index update of a script that does nothing else for the image (only updates and
    neutral commands such as ``set -e`` or ``echo``), else None. Shared with IMG005, which
    judges each image history step the same way."""
    commands = [c.unwrapped() for c in script.commands]
    updates = [c for c in commands if index_update(c)]
    if updates and all(index_update(c) or c.name in _NEUTRAL for c in commands):
        return updates[0]
    return None


def may_update_alone(text: str) -> bool:
    """A cheap pre-filter: False when ``text`` cannot hold a lone index update."""
    return _may_update(text) and not _INSTALL.search(text)


class UpdateAlone(DockerfileRule):
    """
    ## What it finds
    A `RUN` that only refreshes a package index (`apt-get update`, `apk update`,
    `yum`/`dnf makecache`, `zypper refresh`...) with the install in a later `RUN`.

    ## Why it matters
    The build cache keeps the update layer: later builds reuse the stale index while the install
    line changes, so they install outdated (unpatched) versions or fail on packages that moved.
    CIS Docker Benchmark 4.7.

    ## How to fix
    Update and install in the same `RUN` (and clean the lists).

    Before:
    ```Dockerfile
    RUN apt-get update
    RUN apt-get install -y curl
    ```
    After:
    ```Dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl \\
        && rm -rf /var/lib/apt/lists/*
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.7 "Ensure update instructions are not used alone in the
      Dockerfile"
    """

    id = "DF009"
    name = "update-alone"
    title = "Package index updated alone in its own RUN"
    severity = Severity.LOW
    references = ("cis-docker-1.6:4.7",)
    fix = "Update and install in the same RUN instruction."
    instructions = frozenset({"RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        text = run_text(ins)
        # Most updates share their RUN with an install: skip those without parsing.
        if not _may_update(text) or _INSTALL.search(text) or ins.shell is None:
            return
        update = lone_update(ins.shell)
        if update is not None:
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"'{update}' runs alone: the cached layer keeps a stale index for later "
                "installs.",
                evidence=str(update),
            )
