from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.rules.dockerfile._util import (
    DockerfileRule,
    effective_user,
    is_root_user,
    user_value,
)


class LastUserRoot(DockerfileRule):
    """
    ## What it finds
    A final build stage whose last `USER` is root, or that never sets a `USER` (so the image runs
    as root unless its base image says otherwise). Variables in `USER` are expanded from the
    stage's `ARG` defaults and `ENV` (`ARG UID=0` then `USER $UID` is root); a user known only
    at build time (an `ARG` without a default) is not judged.

    ## Why it matters
    A process running as root in a container is root on the host's kernel: any escape, mounted
    path or misconfigured capability is exploited with full privileges. CIS Docker Benchmark 4.1.

    ## How to fix
    Create an unprivileged user and switch to it at the end of the final stage.

    Before:
    ```Dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl
    ```
    After:
    ```Dockerfile
    FROM alpine:3.20
    RUN apk add --no-cache curl && adduser -D -u 10001 app
    USER 10001
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.1 "Ensure that a user for the container has been created"
    - hadolint DL3002 (explicit `USER root` only)
    """

    id = "DF001"
    autofixes = (
        Fix("dockerfile", "end the final stage with a non-root USER (creating the user: "
            "adduser -D on Alpine/BusyBox, useradd elsewhere, uid 65532 on distroless)",
            "hullcheck.fix.dockerfile:final_user", unsafe=True,
            assumes="the base image is known from FROM (else useradd is assumed), and the "
                    "final stage's later steps need no root at run time",
            verify="the application can read its files and write where it must as uid 10001 "
                   "(COPY --chown, volumes), and binds no port below 1024"),
    )
    name = "last-user-root"
    title = "Container runs as root"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.1",)
    extra_references = ("hadolint:DL3002",)
    fix = "Add `USER <non-root uid>` at the end of the final stage."

    def check_stage(self, ctx: object, dockerfile: Dockerfile, stage: Stage) -> Iterator[Finding]:
        if not stage.is_final or stage.is_scratch:
            return
        user, instruction = effective_user(stage, dockerfile)
        if instruction is None:
            yield self.finding(
                dockerfile.location(stage.line),
                "The final stage sets no USER, so the container runs as root.",
                evidence="no-user",
            )
        else:
            resolved = user_value(instruction, stage, dockerfile)
            if resolved is None or not is_root_user(resolved):
                return
            # hadolint's DL3002 fires only on an explicit root USER in the stage itself, written
            # as is (it neither expands variables nor removes quotes).
            refs: tuple[str, ...] = self.references
            literal = user == resolved
            if literal and any(i is instruction for i in stage.instructions):
                refs = (*refs, "hadolint:DL3002")
            shown = repr(resolved) if literal else f"{user!r} (= {resolved!r})"
            yield self.finding(
                dockerfile.location(instruction.line),
                f"The last USER of the final stage is {shown}: the container runs as root.",
                references=refs,
                evidence=f"user={user}",
            )
