from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import ShellScript, SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text

_PREFILTER = re.compile(r"update|upgrade|makecache|refresh|\bref\b|-S[a-z]*y")
# An install in the text lets a RUN skip parsing. Upgrades are left out on purpose: `yum update`
# and `dnf upgrade` with no package named are themselves the update CIS 4.7 names, so a RUN with
# an upgrade is parsed and judged word by word (`apt-get update && apt-get upgrade` still passes).
_INSTALL = re.compile(r"\s(install|add|in)\s")
# Commands that do nothing for the image and may keep an update company in its RUN.
_NEUTRAL = frozenset({"set", "true", ":", "echo", "export", "printf"})


def _may_update(text: str) -> bool:
    """``_PREFILTER.search(text)``, its plain words tested with `in` first (much cheaper)."""
    if "update" in text or "upgrade" in text or "makecache" in text:
        return True
    # refresh, ref, pacman -Sy / -Suy
    return ("ref" in text or "-S" in text) and _PREFILTER.search(text) is not None


def _pacman_sync_refresh(word: str) -> bool:
    """``-Sy``, ``-Syy``, ``-Syu``, ``-Suy``...: a short-option cluster that syncs (S) and
    refreshes the databases (y)."""
    return word.startswith("-S") and not word.startswith("--") and "y" in word[2:] \
        and word[2:].isalpha()


def index_update(cmd: SimpleCommand) -> bool:
    """``apt-get update``, ``apk update``, ``yum/dnf makecache``, ``yum update`` and
    ``dnf upgrade`` with no package named, ``zypper refresh``, ``pacman -Sy``/``-Syu`` with no
    package named..."""
    args = [w for w in cmd.args() if not w.startswith("-")]
    verb = args[0] if args else ""
    name = cmd.name
    if name in ("apt-get", "apt", "aptitude", "apk"):
        return verb == "update"
    if name in ("yum", "dnf", "microdnf", "tdnf"):
        # `yum update` / `dnf upgrade` without packages refresh the metadata and upgrade
        # whatever is installed: the cached layer freezes both. Naming packages is an install.
        return verb in ("makecache", "check-update") or (
            verb in ("update", "upgrade") and len(args) == 1)
    if name == "zypper":
        return verb in ("refresh", "ref")
    if name == "pacman":
        return not args and any(_pacman_sync_refresh(w) for w in cmd.args())
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
    `yum`/`dnf makecache`, `yum update` or `dnf update`/`upgrade` with no package named,
    `zypper refresh`, `pacman -Sy`/`-Syu` with no package named) without an install in that same
    `RUN`. It fires whether or not a later `RUN` installs: CIS 4.7 asks that update
    instructions are never used alone, and an index left in a layer is also what a child image's
    install (`FROM this`) would read stale. The only company an update may keep and still be
    "alone" is a command that does nothing for the image (`set -e`, `echo`, `true`...).

    Deliberately not judged: an update sharing its `RUN` with an install or an upgrade
    (`apt-get update && apt-get upgrade -y`), `yum update curl` (names a package: an install),
    `pacman -S curl` (no refresh), updates of other things (`npm update`,
    `update-ca-certificates`). IMG005 judges each image history step with the same function.

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
