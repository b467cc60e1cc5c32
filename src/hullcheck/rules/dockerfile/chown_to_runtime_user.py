from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.rules.dockerfile._util import (
    DockerfileRule,
    effective_user,
    is_root_user,
    user_value,
)


def _user_part(user: str) -> str:
    """The user of ``user[:group]``."""
    return user.split(":", 1)[0].strip()


class ChownToRuntimeUser(DockerfileRule):
    """
    ## What it finds
    A `COPY --chown=<user>` or `ADD --chown=<user>` in the final build stage where `<user>` is
    the user the container runs as (the last `USER` of that stage, inherited through `FROM
    <stage>`). Both sides are expanded from `ARG` defaults and `ENV` the way DF001 expands
    `USER`, and compared by their user part, as written: a name and a uid are not matched with
    each other (the image's `/etc/passwd` is not read), so `--chown=1000` with `USER app` is not
    judged. Deliberately not judged: `--chown` to another user, `--chown` in an earlier stage
    (its files reach the image only through a `COPY --from`, judged where it stands), `--chmod`
    alone, a final user that is root (DF001's concern) or known only at build time. Any such
    copy fires, including a data directory copied empty: keep those few `chown`ed in a `RUN`
    of their own, or suppress the finding.

    ## Why it matters
    Files owned by the running user can be rewritten by the running process: an attacker who
    gets code execution in the application (or a path-traversal write) can replace the
    application's own code or configuration and so persist across requests and restarts of the
    process. Root-owned, read-only application files take that away at no cost.

    ## How to fix
    Copy application files owned by root (the default) and readable by all; give the runtime
    user write access only to the directories it must write.

    Before:
    ```Dockerfile
    COPY --chown=app:app . /app
    USER app
    ```
    After:
    ```Dockerfile
    COPY . /app
    RUN install -d -o app -g app /app/data
    USER app
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.1 (the container's user) is worth most when that user
      cannot change what it runs
    """

    id = "DF022"
    name = "chown-to-runtime-user"
    title = "Application files owned by the user that runs them"
    severity = Severity.LOW
    fix = "Copy application files root-owned (drop `--chown`); chown only writable directories."

    def check_stage(self, ctx: object, dockerfile: Dockerfile, stage: Stage) -> Iterator[Finding]:
        if not stage.is_final:
            return
        _, last = effective_user(stage, dockerfile)
        if last is None:
            return
        runtime = user_value(last, stage, dockerfile)
        if runtime is None or not _user_part(runtime) or is_root_user(runtime):
            return
        for ins in stage.instructions:
            if ins.cmd not in ("COPY", "ADD"):
                continue
            chown = ins.flag("chown")
            if not chown:
                continue
            owner = user_value(ins, stage, dockerfile, raw=chown)
            if owner is None or _user_part(owner) != _user_part(runtime):
                continue
            yield self.finding(
                dockerfile.location(ins.line, ins.end_line),
                f"{ins.cmd} --chown={chown} gives the files to {_user_part(runtime)!r}, the user "
                "the container runs as: the process can rewrite them.",
                evidence=f"chown={chown}",
            )
