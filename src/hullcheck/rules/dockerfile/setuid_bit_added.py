"""setuid/setgid bits added in a build (DF015)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._modes import modes, parse_mode
from hullcheck.rules.dockerfile._util import DockerfileRule, judged


class SetuidBitAdded(DockerfileRule):
    """
    ## What it finds
    A setuid or setgid bit added in the build: `chmod u+s`, `g+s`, `+s`, `4755`, `2755`, `6755`,
    `install -m 4755`, `COPY --chmod=4755`. Removing bits (`chmod u-s`, `chmod 0755`) is fine,
    and so are the bits of a directory the same `RUN` made (`mkdir -p /srv/shared && chmod 2775
    /srv/shared`, `install -d -m 2775`): setgid on a directory only makes new files inherit its
    group.

    ## Why it matters
    A setuid-root binary runs as root for whoever starts it: any bug in it is a privilege
    escalation inside the container, and a step towards the host. CIS Docker Benchmark 4.8 asks
    to remove such bits, not to add them.

    ## How to fix
    Grant the one capability the program needs at run time (`--cap-add`, `setcap` only if you
    must), or run the step as the right user.

    Before: `RUN chmod 4755 /usr/local/bin/ping-helper`
    After: `RUN chmod 0755 /usr/local/bin/ping-helper` (and `--cap-add NET_RAW` at run time)

    ## References
    - CIS Docker Benchmark 1.6, 4.8 "Ensure setuid and setgid permissions are removed"
    """

    id = "DF015"
    name = "setuid-bit-added"
    title = "setuid/setgid bit added"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.8",)
    fix = "Do not add setuid/setgid bits; grant a capability at run time instead."
    instructions = frozenset({"COPY", "ADD", "RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        for mode, paths, directories, removed in modes(judged(instruction)):
            change = parse_mode(mode)
            if change is not None and (change.setuid or change.setgid) and not directories \
                    and not removed:
                bits = "/".join(b for b, on in (("setuid", change.setuid),
                                                ("setgid", change.setgid)) if on)
                yield self.finding(
                    dockerfile.location(instruction.line, instruction.end_line),
                    f"Mode {mode} adds the {bits} bit on {' '.join(paths) or 'a path'}.",
                    evidence=f"{mode} {' '.join(paths)}",
                )
