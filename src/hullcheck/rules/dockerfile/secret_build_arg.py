"""Credentials that reach the image through a build argument or a variable, not a literal."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.credentials import is_placeholder, is_reference, is_secret_name
from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, env_pairs, judged


class SecretThroughBuildArg(DockerfileRule):
    """
    ## What it finds
    - an `ARG` in a stage whose name says it is a credential (`ARG NPM_TOKEN`,
      `ARG DB_PASSWORD`), without a literal default (a literal one is DF010's; a placeholder
      default such as `<your-key>` or `xxx` is no literal, as DF010 judges it): the value comes
      with `--build-arg`. An `ARG` before the first `FROM` only feeds `FROM` lines and is not
      reported;
    - an `ENV` whose name says it is a credential set from a variable
      (`ENV GITHUB_TOKEN=${GITHUB_TOKEN}`): whatever the build passes in is stored in the image.

    Names are judged as DF010 judges them: `*_FILE`, `*_PATH`, `*_URL`, `*_USER` and settings
    such as `*_EXPIRE_MINUTES` are not credentials. BuildKit's build check
    `SecretsUsedInArgOrEnv` warns about the same.

    ## Why it matters
    A build argument's value is written into the image history of every `RUN` that has it in
    scope (`RUN |1 NPM_TOKEN=npm_... /bin/sh -c npm ci`): `docker history --no-trunc` shows it to
    anyone who can pull the image, and to every build cache it reaches. An `ENV` copies the value
    into the image configuration (`docker inspect`) and into every container's environment.

    ## How to fix
    Pass build-time credentials as BuildKit secrets, which are mounted for one `RUN` and never
    recorded, and run-time credentials as orchestrator secrets (files).

    Before:
    ```Dockerfile
    ARG NPM_TOKEN
    RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    ```
    After (`docker build --secret id=npm_token,env=NPM_TOKEN .`):
    ```Dockerfile
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\
        echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.10 "Ensure secrets are not stored in Dockerfiles"
    - Docker build checks: SecretsUsedInArgOrEnv
    """

    id = "DF020"
    name = "secret-build-arg"
    title = "Credential passed through a build argument or variable"
    severity = Severity.MEDIUM
    references = ("cis-docker-1.6:4.10",)
    fix = "Use a BuildKit secret mount (RUN --mount=type=secret) instead of ARG or ENV."
    instructions = frozenset({"ENV", "ARG"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        arg = ins.cmd == "ARG"  # else ENV: the engine calls this rule for nothing else
        if arg and stage is None:
            return  # an ARG before the first FROM only feeds FROM lines; a stage must re-declare
        for name, value in env_pairs(ins):
            if not is_secret_name(name):
                continue
            location = dockerfile.location(instruction.line, instruction.end_line)
            if arg:
                # A placeholder default (`ARG API_KEY=<your-key>`) is a slot for the
                # credential the build passes, like no default (DF010 leaves it alone).
                if value is None or value == "" or is_reference(value) or is_placeholder(value):
                    yield self.finding(
                        location,
                        f"ARG {name} takes a credential at build time: its value is recorded "
                        "in the image history of every RUN that has it in scope.",
                        evidence=f"ARG {name}",
                    )
            elif value and is_reference(value):
                yield self.finding(
                    location,
                    f"ENV {name}={value} stores whatever credential the build passes in in the "
                    "image configuration, readable by anyone who can pull the image.",
                    evidence=f"ENV {name}",
                    severity=Severity.HIGH,
                )
