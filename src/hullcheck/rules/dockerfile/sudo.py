from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text


class SudoInRun(DockerfileRule):
    """
    ## What it finds
    `sudo` run as a command in a `RUN` instruction (or an `ONBUILD RUN` trigger). The word `sudo`
    as an argument (`echo sudo`, `apt-get install sudo`) does not count.

    ## Why it matters
    `RUN` already runs as the current `USER`; `sudo` in a build means the image carries a sudo
    binary and a sudoers policy, its TTY and environment handling make builds unpredictable, and
    an image where an unprivileged user can become root defeats the point of that user.

    ## How to fix
    Switch users with `USER` around the steps that need root; at run time use `gosu`/`su-exec`
    in an entrypoint if a process must drop privileges.

    Before:
    ```Dockerfile
    USER app
    RUN sudo apt-get install -y curl
    ```
    After:
    ```Dockerfile
    USER root
    RUN apt-get install -y curl
    USER app
    ```

    ## References
    - hadolint DL3004
    """

    id = "DF004"
    name = "sudo-in-run"
    title = "sudo used in RUN"
    severity = Severity.MEDIUM
    references = ("hadolint:DL3004",)
    fix = "Drop sudo: switch with `USER` around the steps that need root."
    instructions = frozenset({"RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if "sudo" not in run_text(ins) or ins.shell is None:
            return
        # Like hadolint, judge the program of each command: `sudo` as an argument is fine.
        if any(cmd.name == "sudo" for cmd in ins.shell.commands):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                "RUN uses sudo; switch users with USER instead.",
                evidence="sudo",
            )
