from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullcheck.credentials import a_shape, is_credential, value_shape
from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, EnvVar
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule, item_location

# A Kubernetes dependent variable (`$(OTHER_VAR)`) is a reference, like `${VAR}`.
_K8S_REFERENCE = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_]*\)$")


def secret_reason(var: EnvVar) -> str | None:
    """Why a variable holds a credential, judged as DF010 judges a Dockerfile ENV
    (``hullcheck.credentials``): a value shaped like a known credential whatever the name, or a
    literal value under a credential's name (not ``*_FILE``, not settings such as
    ``ACCESS_TOKEN_EXPIRE_MINUTES``, not a path or switch). Values here are final (compose has
    interpolated them), so a ``$`` is literal; only Kubernetes' ``$(VAR)`` is a reference."""
    value = var.value
    if value is None:
        return None
    shape = value_shape(value)
    if shape is not None:
        return f"a value shaped like {a_shape(shape)}"
    v = value.strip()
    if is_credential(var.name, v, resolved=True) and not _K8S_REFERENCE.match(v):
        return "a literal value for a secret-looking name"
    return None


class SecretInEnvironment(ContainerRule):
    """
    ## What it finds
    A secret written into the container's environment in the file itself: a literal value for
    a variable named like a secret (`DB_PASSWORD: hunter2`, `API_KEY=...`), a default in an
    interpolation (`${DB_PASSWORD:-hunter2}`), or any value shaped like a known credential (AWS
    access keys, GitHub and Slack tokens, PEM private keys, a URL with a literal password such as
    `postgres://app:s3cret@db/app`). Values taken from the environment
    (`${DB_PASSWORD}`, `- DB_PASSWORD` without a value, Kubernetes `valueFrom`) are not findings,
    nor are `*_FILE` variables pointing at mounted secrets, Kubernetes `$(VAR)` references or
    settings about a credential (`ACCESS_TOKEN_EXPIRE_MINUTES`, `PASSWORD_HASHER`), nor
    placeholders that stand where a credential goes (`GOOGLE_API_KEY_VAL`, `<your-key>`,
    `changeme-in-production`, `xxx`, `INSERT_ETCD_DISCOVERY_TOKEN`, `yourpassword`, `replace
    with your key`, a literal `${VAR}` or `{{ ... }}` template left for another tool), nor
    Debian's public Chromium API key: names and values are judged as DF010 judges a Dockerfile
    `ENV` (so `LDAP_ROOTPASS` and a `*_KEY` with a generated-looking value are credentials).
    A value shaped like a real credential is a finding even when it looks like an example; a
    weak real value
    (`hunter2`) is a finding here, and judging weak passwords themselves is left to another rule.
    The value is never printed.

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
    fixes = {
        "compose": (
            "Move the secret to a compose `secrets:` entry (a file mounted in the container)."),
        "docker": (
            "Run it again without the secret in -e/--env; mount it as a file (a read-only volume "
            "or a Docker secret)."),
        "kubernetes": (
            "Move the secret to a Secret and mount it as a volume (or env "
            "valueFrom.secretKeyRef)."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for var in spec.env:
            reason = secret_reason(var)
            if reason:
                yield self.emit(spec, item_location(spec, var),
                                f"{spec.name}: environment variable {var.name} holds {reason} "
                                f"({len(var.value or '')} characters, not shown).",
                                f"env={var.name}")
