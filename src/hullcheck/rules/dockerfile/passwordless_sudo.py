from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, run_text
from hullcheck.rules.dockerfile._writes import FileWrite, copied_heredocs, shell_writes

# A sudoers user specification that needs no password: `app ALL=(ALL) NOPASSWD: ALL`,
# `%wheel ALL=(ALL:ALL) NOPASSWD:ALL`. Comment lines (`# ...`) are not rules.
_NOPASSWD_RULE = re.compile(r"^\s*[^#\s][^\n]*\bNOPASSWD\s*:", re.MULTILINE)


def _sudoers(path: str) -> bool:
    return path == "/etc/sudoers" or path.startswith("/etc/sudoers.d/")


def nopasswd_rules(writes: list[FileWrite]) -> list[str]:
    """The ``NOPASSWD`` rules written into sudoers files, one line each."""
    out: list[str] = []
    for write in writes:
        if _sudoers(write.path):
            out.extend(m.group(0).strip() for m in _NOPASSWD_RULE.finditer(write.content))
    return out


class PasswordlessSudo(DockerfileRule):
    """
    ## What it finds
    A sudoers rule that needs no password, written into `/etc/sudoers` or `/etc/sudoers.d/`
    by the build: `echo "app ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers`, `... | tee
    /etc/sudoers.d/app`, `COPY <<EOF /etc/sudoers.d/app`. The same text printed, written
    elsewhere or commented out is not reported.

    ## Why it matters
    A container that runs as a non-root user only gains something if that user cannot become
    root. With a `NOPASSWD` rule, any code running as the user (an exploited web app, a
    dependency) runs `sudo` and is root in the container, one step from the host; the `USER`
    line (and DF001 passing) gives a false sense of safety.

    ## How to fix
    Do the root work at build time, before `USER`, and leave sudo out of the image. If a tool
    really needs one privileged command at run time, grant that command alone and prefer a
    capability (`cap_add`) or a setuid-free helper.

    Before:
    ```Dockerfile
    RUN apt-get install -y sudo && echo "app ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/app
    USER app
    ```
    After:
    ```Dockerfile
    RUN apt-get install -y --no-install-recommends the-tools-you-need
    USER app
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.1 (a user for the container) is only worth as much as that
      user's inability to become root
    """

    id = "DF021"
    name = "passwordless-sudo"
    title = "Passwordless sudo granted in the image"
    severity = Severity.HIGH
    fix = "Remove the NOPASSWD sudoers rule (and sudo): do root work before USER."
    instructions = frozenset({"RUN", "COPY", "ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd == "RUN":
            if "NOPASSWD" not in run_text(ins) and not any(
                    "NOPASSWD" in h.content for h in ins.heredocs):
                return
            rules = nopasswd_rules(shell_writes(ins))
        else:
            if not ins.heredocs:
                return
            rules = nopasswd_rules(copied_heredocs(ins))
        for rule in dict.fromkeys(rules):
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"the sudoers rule '{rule}' lets the user become root without a password.",
                evidence=rule,
            )
