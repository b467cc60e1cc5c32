from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, EnvVar
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule, item_location

SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?"
    r"|AUTH_KEY|CLIENT_KEY|SIGNING_KEY|ENCRYPTION_KEY|DB_PASS|_PWD$|^PWD_)",
    re.IGNORECASE,
)
# Names that point at a secret rather than hold one.
INDIRECT_NAME = re.compile(r"(_FILE|_PATH|_DIR|_URL_FILE|_LENGTH|_TTL|_EXPIRY|_ENABLED)$",
                           re.IGNORECASE)
# Values whatever the name: cloud keys, tokens, PEM private keys.
SECRET_VALUE = re.compile(
    r"(AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{40,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|glpat-[A-Za-z0-9_-]{20,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    # scheme://user:password@host with a literal password (interpolated ones are gone already).
    r"|\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@$'\"]*:[^\s/@$'\"]+@[\w\[])"
)
NOT_SECRET_VALUES = frozenset({"", "true", "false", "yes", "no", "0", "1", "null", "none"})


def secret_reason(var: EnvVar) -> str | None:
    value = var.value
    if value is None:
        return None
    if SECRET_VALUE.search(value):
        return "a value that looks like a credential"
    if not SECRET_NAME.search(var.name) or INDIRECT_NAME.search(var.name):
        return None
    v = value.strip()
    if v.lower() in NOT_SECRET_VALUES or v.startswith(("/run/secrets/", "/var/run/secrets/")):
        return None
    return "a literal value for a secret-looking name"


class SecretInEnvironment(ContainerRule):
    """
    ## What it finds
    A secret written into the container's environment in the file itself: a literal value for
    a variable named like a secret (`DB_PASSWORD: hunter2`, `API_KEY=...`), a default in an
    interpolation (`${DB_PASSWORD:-hunter2}`), or any value shaped like a known credential (AWS
    access keys, GitHub and Slack tokens, PEM private keys, a URL with a literal password such as
    `postgres://app:s3cret@db/app`). Values taken from the environment
    (`${DB_PASSWORD}`, `- DB_PASSWORD` without a value, Kubernetes `valueFrom`) are not findings,
    nor are `*_FILE` variables pointing at mounted secrets. The value is never printed.

    ## Why it matters
    The file ends up in version control, CI logs and `docker inspect` output; environment
    variables are visible to every process in the container and leak into crash reports.

    ## How to fix
    Use compose `secrets:` (files under `/run/secrets/`) or pass the value from the environment.

    Before:
    ```yaml
    environment:
      DB_PASSWORD: hunter2
    ```
    After:
    ```yaml
    environment:
      DB_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 4.10; CIS Kubernetes Benchmark 1.10, 5.4.1
    """

    id = "CT024"
    name = "secret-in-environment"
    title = "Secret written in the container environment"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:4.10",)
    k8s_refs = ("cis-k8s-1.10:5.4.1",)
    platforms = ALL_PLATFORMS
    fix = "Move the secret to a secrets file (compose `secrets:`, Kubernetes Secret volume)."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for var in spec.env:
            reason = secret_reason(var)
            if reason:
                yield self.emit(spec, item_location(spec, var),
                                f"{spec.name}: environment variable {var.name} holds {reason} "
                                f"({len(var.value or '')} characters, not shown).",
                                f"env={var.name}")
