"""Paths made writable by everyone in a build (DF016)."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._modes import modes, parse_mode
from hullcheck.rules.dockerfile._util import DockerfileRule, judged


class WorldWritable(DockerfileRule):
    """
    ## What it finds
    A path made writable by everyone: `chmod 777`, `666`, `o+w`, `a+w`, `install -m 777`,
    `mkdir -m 777`, `COPY --chmod=777`. A mode that also sets the sticky bit (`chmod 1777 /tmp`,
    `a+rwxt`: the shared-temp-directory pattern) is fine, and so is `+w` without `o`/`a`, which
    the usual umask keeps away from others. A path the same `RUN` deletes again (`chmod 777
    "$tempDir" ... rm -rf "$tempDir"`) never reaches a layer and is not reported (for DF015 too).

    ## Why it matters
    Any user or process in the container can change a world-writable file: a compromised
    unprivileged process replaces a script or binary that root later runs, or edits
    configuration.

    ## How to fix
    Give ownership to the user that needs to write (`COPY --chown`, `chown`) and keep others
    read-only.

    Before: `RUN chmod -R 777 /app`
    After: `RUN chown -R app:app /app && chmod -R u+rwX,go-w /app`

    ## References
    - CIS Docker Benchmark 1.6, 4 "Container Images and Build File" (general hardening; no
      dedicated check)
    """

    id = "DF016"
    name = "world-writable"
    title = "World-writable file mode"
    severity = Severity.MEDIUM
    fix = "Change ownership instead (`chown`/`COPY --chown`) and drop write for others."
    instructions = frozenset({"COPY", "ADD", "RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        for mode, paths, _directories, removed in modes(judged(instruction)):
            change = parse_mode(mode)
            if change is not None and change.world_writable and not change.sticky and \
                    not removed:
                yield self.finding(
                    dockerfile.location(instruction.line, instruction.end_line),
                    f"Mode {mode} makes {' '.join(paths) or 'a path'} writable by everyone.",
                    evidence=f"{mode} {' '.join(paths)}",
                )
