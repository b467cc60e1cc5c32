from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.rules.dockerfile._util import (
    DockerfileRule,
    effective_user,
    is_root_user,
    stage_chain,
    user_value,
)


class LastUserRoot(DockerfileRule):
    """
    ## What it finds
    A final build stage whose last `USER` is root, or that never sets a `USER` (so the image runs
    as root unless its base image says otherwise). Variables in `USER` are expanded from the
    stage's `ARG` defaults and `ENV` (`ARG UID=0` then `USER $UID` is root); a user known only
    at build time (an `ARG` without a default) is not judged.

    High, except where the image is made to step down at start: the final stage (or a stage it
    is built FROM) installs a privilege-dropping tool (`gosu`, `su-exec`, `setpriv`, `runuser`,
    `chroot --userspec`) and its `ENTRYPOINT` runs a script (`docker-entrypoint.sh`, as in the
    official mongo, redis and postgres images, whose scripts end in `exec gosu <user> "$@"`).
    Then the finding is *medium* and says what it depends on: the script starts as root (its
    setup does) and only the commands it steps down for run unprivileged; `docker run
    --entrypoint`, or a command the script does not step down for, runs as root.

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
        # The evidence stays the same whether the image steps down or not (a baseline keeps
        # matching the finding when its severity changes).
        step = step_down(stage)
        severity = Severity.MEDIUM if step is not None else None
        depends = "" if step is None else (
            f"; it installs {step[0]} and its ENTRYPOINT runs the script {step[1]}: if that "
            f"script steps down to another user with {step[0]}, only its setup runs as root, but "
            "a command it does not step down for (or a container run with --entrypoint) runs "
            "as root")
        if instruction is None:
            start = "starts" if step is not None else "runs"
            yield self.finding(
                dockerfile.location(stage.line),
                f"The final stage sets no USER, so the container {start} as root{depends}.",
                evidence="no-user", severity=severity,
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
            start = "starts" if step is not None else "runs"
            yield self.finding(
                dockerfile.location(instruction.line),
                f"The last USER of the final stage is {shown}: the container {start} as "
                f"root{depends}.",
                references=refs,
                evidence=f"user={user}", severity=severity,
            )


# Programs that run a command as another user: what an entrypoint script steps down with.
_STEP_DOWN = re.compile(r"(?<![\w.-])(gosu|su-exec|setpriv|runuser)(?![\w-])|"
                        r"(?<![\w.-])chroot\s+--userspec\b")
# Init wrappers an ENTRYPOINT may put before the script (`tini -- docker-entrypoint.sh`).
_INITS = frozenset({"tini", "tini-static", "dumb-init", "catatonit"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash"})
# An ENTRYPOINT's first words looked at for the script: wrappers and options are few.
MAX_ENTRYPOINT_WORDS = 8


def step_down(stage: Stage) -> tuple[str, str] | None:
    """``(tool, script)`` when ``stage`` or a stage it is built FROM installs a
    privilege-dropping tool (a RUN, COPY or ADD naming it) and the stage's ENTRYPOINT runs a
    script; None otherwise. The script itself is usually not in the scanned tree, so what it
    does is stated as a condition, not judged."""
    chain = stage_chain(stage)
    entrypoint = next((i for s in chain for i in reversed(s.instructions)
                       if i.cmd == "ENTRYPOINT"), None)
    script = _entrypoint_script(entrypoint.value if entrypoint is not None else ())
    if script is None:
        return None
    for s in reversed(chain):
        for ins in s.instructions:
            if ins.cmd not in ("RUN", "COPY", "ADD"):
                continue
            text = " ".join([ins.text, *ins.flags, *(h.content for h in ins.heredocs)])
            found = _STEP_DOWN.search(text)
            if found:
                return ("chroot --userspec" if found.group(1) is None else found.group(1)), script
    return None


def _entrypoint_script(value: tuple[str, ...]) -> str | None:
    """The script an ENTRYPOINT runs (``docker-entrypoint.sh``, ``/usr/local/bin/entrypoint``,
    behind ``tini --`` or ``sh``), or None when it runs a program."""
    words = [w for v in value for w in v.split()][:MAX_ENTRYPOINT_WORDS]
    for word in words:
        name = word.strip("'\"").rsplit("/", 1)[-1]
        if not name or name.startswith("-") or name in _INITS or name in _SHELLS:
            continue
        return name if name.endswith(".sh") or "entrypoint" in name.lower() else None
    return None
