from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.models.shell import ShellScript, SimpleCommand
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, run_text

_PIPE = re.compile(r"(?<!\|)\|(?!\|)")  # `|` or `|&`, not `||`
# Shells without POSIX pipelines, where pipefail means nothing (as hadolint).
NON_POSIX_SHELLS = ("pwsh", "powershell", "cmd")


def shell_sets_pipefail(shell: Instruction) -> bool:
    """``SHELL ["/bin/bash", "-o", "pipefail", "-c"]`` (or ``-eo pipefail``...), or a shell
    where the question does not arise (PowerShell, cmd)."""
    words = list(shell.value)
    if not words:
        return False
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    if program.startswith(NON_POSIX_SHELLS):
        return True
    for i, word in enumerate(words[1:], start=1):
        if word.startswith("-") and not word.startswith("--") and word.endswith("o") and \
                i + 1 < len(words) and words[i + 1] == "pipefail":
            return True
        if word == "-opipefail":
            return True
    return False


def _inherited_pipefail(stage: Stage) -> bool:
    """The SHELL of ``FROM <stage>`` carries over (it is part of the image config)."""
    base = stage.base_stage
    while base is not None:
        shells = [i for i in base.instructions if i.cmd == "SHELL"]
        if shells:
            return shell_sets_pipefail(shells[-1])
        base = base.base_stage
    return False


# Commands that only print their arguments: in front of a pipe they have nothing to fail on, so
# ``echo "$SHA256 *file" | sha256sum -c -`` (every official image) loses nothing to a missing
# pipefail. (``cat FILE`` can fail: it is not one of them.)
_CANNOT_FAIL = frozenset({"echo", "printf"})


def judged_pipeline(script: ShellScript) -> list[SimpleCommand] | None:
    """The first pipeline with a command before the last one that can fail unnoticed."""
    for pipeline in script.pipelines:
        if any(cmd.name not in _CANNOT_FAIL for cmd in pipeline[:-1]):
            return pipeline
    return None


def script_sets_pipefail_first(script: ShellScript,
                               pipeline: list[SimpleCommand] | None = None) -> bool:
    """``set -o pipefail`` (``set -euo pipefail``...) before ``pipeline`` (by default, the
    first pipeline)."""
    if pipeline is None:
        pipeline = script.pipelines[0] if script.pipelines else None
    first = pipeline[0] if pipeline else None
    for cmd in script.commands:
        if cmd is first:
            return False
        if cmd.name == "set":
            words = cmd.words
            for i, word in enumerate(words[1:], start=1):
                if word.startswith("-") and word.endswith("o") and i + 1 < len(words) \
                        and words[i + 1] == "pipefail":
                    return True
    return False


class PipeWithoutPipefail(DockerfileRule):
    """
    ## What it finds
    A `RUN` with a pipe (`a | b`) while the shell does not fail on a failing pipe member: no
    `SHELL [..., "-o", "pipefail", "-c"]` earlier in the stage (or in the stage it is built
    `FROM`, whose `SHELL` it inherits) and no `set -o pipefail` in the script before the pipe.
    `SHELL` set to PowerShell or cmd turns the rule off, as in hadolint. `ONBUILD RUN` is not
    judged (its shell is the one of the downstream build), nor is a pipe fed only by `echo` or
    `printf` (`echo "$SHA256 *app.tgz" | sha256sum -c -`): they have nothing to fail on.

    ## Why it matters
    `RUN curl -fsSL https://x | tar xz` succeeds when `curl` fails, because only the last command
    of a pipe sets the exit status: the build goes on with a missing or half-written file, and
    the error shows up much later or never.

    ## How to fix
    Before:
    ```Dockerfile
    RUN curl -fsSL https://example.com/app.tgz | tar xz
    ```
    After:
    ```Dockerfile
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/app.tgz | tar xz
    ```
    (Alpine: `SHELL ["/bin/ash", "-o", "pipefail", "-c"]`.)

    ## References
    - hadolint DL4006 (hadolint also fires on pipes fed by `echo`, after `set -o pipefail` in the
      script, with `SHELL ["/bin/sh", "-o", "pipefail", "-c"]`, and in a stage built FROM a
      stage that set the SHELL; hullcheck does not)
    """

    id = "DF019"
    name = "pipe-without-pipefail"
    title = "Pipe in RUN without pipefail"
    severity = Severity.LOW
    references = ("hadolint:DL4006",)
    fix = 'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN.'

    def check_stage(self, ctx: Context, dockerfile: Dockerfile, stage: Stage
                    ) -> Iterator[Finding]:
        pipefail = _inherited_pipefail(stage)
        for ins in stage.instructions:
            if ins.cmd == "SHELL":
                pipefail = shell_sets_pipefail(ins)
            elif ins.cmd == "RUN" and not pipefail and _PIPE.search(run_text(ins)):
                script = ins.shell
                if script is None or not script.pipelines:
                    continue
                pipeline = judged_pipeline(script)
                if pipeline is None or script_sets_pipefail_first(script, pipeline):
                    continue
                yield self.finding(
                    dockerfile.location(ins.line, ins.end_line),
                    "RUN pipes commands without pipefail: a failing command before the last "
                    "one does not fail the build.",
                    evidence=str(pipeline[0])[:80],
                )
