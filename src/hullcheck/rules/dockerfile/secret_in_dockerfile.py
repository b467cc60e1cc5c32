"""Credentials written into a Dockerfile (DF010): in ENV/ARG (by name and by value shape) and
well-known token shapes in RUN lines."""

from __future__ import annotations

from collections.abc import Iterator

from hullcheck.credentials import (
    a_shape,
    entropy,
    is_credential,
    redact,
    value_shape,
)
from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import (
    DockerfileRule,
    env_pairs,
    judged,
    run_text,
)


def _location(dockerfile: Dockerfile, instruction: Instruction) -> Location:
    # Built only for a finding: most instructions have none, and a Location is not free.
    return dockerfile.location(instruction.line, instruction.end_line)


class SecretInEnvOrArg(DockerfileRule):
    """
    ## What it finds
    Credentials written into the Dockerfile:
    - an `ENV` or `ARG` (default value) whose name says it is a credential (`*PASSWORD*`,
      `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*CREDENTIALS*`,
      `*_PASS` and `*PASS` such as `LDAP_ROOTPASS`...) with a literal value;
    - an `ENV` or `ARG` named `*_KEY` (`LICENSE_KEY`) whose value looks generated: 16 or more
      characters of a key alphabet mixing letters and digits, at least 3.5 bits of entropy a
      character (`lgNvGyhnUKpa5PJi`; not `enterprise-edition`). Public and index keys
      (`*_PUBLIC_KEY`, `RECAPTCHA_SITE_KEY`, `GPG_KEY`, `SORT_KEY`, `CACHE_KEY`...) and 40 hex
      digits (a key fingerprint) are left out;
    - any `ENV`/`ARG` value, or any `RUN` line, containing a credential by its shape: a PEM private
      key, an AWS access key id (`AKIA...`), GitHub (`ghp_`, `github_pat_`), GitLab, Slack
      (`xox*`), Google (`AIza...`), npm or Stripe tokens, a JSON Web Token, a URL with a literal
      password (`postgres://app:s3cret@db/app`; not `${DB_PASSWORD}` or `$(cat /run/secrets/x)`).

    Not secrets: names about a credential rather than the credential (`*_FILE`, `*_PATH`, `*_URL`,
    `*_ID`, `*_USER`...; `POSTGRES_PASSWORD_FILE=/run/secrets/db` is the right way; settings such
    as `ACCESS_TOKEN_EXPIRE_MINUTES` or `PASSWORD_HASHER`), paths, empty
    values, `$VAR`/`${VAR}` references, switches (`true`, `0`...) and placeholders: text that
    stands where a credential goes (`<your-key>`, `xxx`, `***`, `changeme-in-production`,
    `your_api_key_here`, the variable's name as its value such as `GOOGLE_API_KEY_VAL`,
    `{{ .Values.key }}`, `replace with your key`, `INSERT_ETCD_DISCOVERY_TOKEN`,
    `yourpassword`); a shape of a real credential still wins (`hullcheck.credentials`,
    shared with DF020, IMG003, IMG011 and CT024). Nor are values published on purpose: the API
    key and OAuth client Google assigned to Debian's Chromium package (in every installation's
    `/etc/chromium.d/apikeys`), by their exact value. A weak real value (`hunter2`,
    `insecure-dev-default`) is still a finding. An `ARG` without a default is not judged.

    ## Why it matters
    `ENV` values are stored in the image config and `ARG` values in its build history: anyone who
    can pull the image can read them (`docker history`, `docker inspect`), and they stay in every
    layer pushed to every registry and cache. CIS Docker Benchmark 4.10.

    ## How to fix
    Pass secrets at build time with BuildKit secret mounts and at run time with the orchestrator's
    secrets (files), never as image variables. Rotate any credential that was committed.

    Before:
    ```Dockerfile
    ENV NPM_TOKEN=npm_abcdef...
    RUN npm ci
    ```
    After:
    ```Dockerfile
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.10 "Ensure secrets are not stored in Dockerfiles"
    """

    id = "DF010"
    name = "secret-in-dockerfile"
    title = "Credential written into the Dockerfile"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.10",)
    fix = "Use a BuildKit secret mount or a runtime secret; rotate the exposed credential."
    instructions = frozenset({"ENV", "ARG", "RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd in ("ENV", "ARG"):
            for name, value in env_pairs(ins):
                if value is None:
                    continue
                shape = value_shape(value)
                if shape is not None:
                    yield self.finding(
                        _location(dockerfile, instruction),
                        f"{ins.cmd} {name} holds {a_shape(shape)} ({redact(value)}).",
                        evidence=f"{ins.cmd} {name} {shape}",
                    )
                elif is_credential(name, value):
                    kind = ("a high-entropy value" if len(value) >= 16 and entropy(value) >= 3.5
                            else "a literal value")
                    yield self.finding(
                        _location(dockerfile, instruction),
                        f"{ins.cmd} {name} sets a credential to {kind} ({redact(value)}): it "
                        "is readable by anyone who can pull the image.",
                        evidence=f"{ins.cmd} {name}",
                    )
        else:  # RUN
            text = run_text(ins)
            shape = value_shape(text)
            if shape is not None:
                yield self.finding(_location(dockerfile, instruction),
                                   f"RUN contains {a_shape(shape)}: it stays in the image "
                                   "history.", evidence=f"RUN {shape}")

