from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.credentials import is_placeholder
from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, EnvVar
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule, item_location
from hullcheck.rules.container.port_all_interfaces import ANY_ADDRESS

# Passwords that images, tutorials and generators ship as defaults (compared case-insensitively).
# Kept short on purpose: a list of every weak password would flag real (if poor) choices.
DEFAULT_PASSWORDS = frozenset({
    "changeme", "change_me", "password", "passw0rd", "pass", "admin", "root", "secret",
    "123456", "12345678", "postgres", "mysql", "mariadb", "mongo", "redis", "example",
    "default", "test", "toor",
})
# The last word of a variable that holds a password for the server (POSTGRES_PASSWORD,
# MYSQL_ROOT_PASSWORD, MONGO_INITDB_ROOT_PASSWORD, REDIS_PASSWORD, DB_PASS...).
_PASSWORD_WORDS = ("PASSWORD", "PASSWD", "PASS", "PWD")
# Bitnami's `is_boolean_yes`: yes, true or 1, any case.
_BITNAMI_YES = frozenset({"yes", "true", "1"})
# A root password given another way makes mysql/mariadb's "allow empty" switch a no-op.
_MYSQL_ROOT_SET = ("MYSQL_ROOT_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD",
                   "MYSQL_ROOT_PASSWORD_FILE")
_MARIADB_ROOT_SET = (
    *_MYSQL_ROOT_SET, "MARIADB_ROOT_PASSWORD", "MARIADB_RANDOM_ROOT_PASSWORD",
    "MARIADB_ROOT_PASSWORD_FILE",
    "MARIADB_ROOT_PASSWORD_HASH")


def _is_password_name(name: str) -> bool:
    words = [w for w in name.upper().replace("-", "_").split("_") if w]
    return bool(words) and words[-1] in _PASSWORD_WORDS


def _given(env: dict[str, EnvVar], names: tuple[str, ...]) -> bool:
    """One of ``names`` is set to something: a literal non-empty value, or a value taken from
    elsewhere (``valueFrom``, the host environment), which hullcheck cannot see."""
    for name in names:
        var = env.get(name)
        if var is not None and (var.value is None or var.value.strip()):
            return True
    return False


def weak_password_reason(var: EnvVar, env: dict[str, EnvVar]) -> str | None:
    """Why ``var`` leaves a database without a real password, or None. Never quotes the value
    of a password variable."""
    if var.value is None:
        return None  # taken from elsewhere: not visible here
    value = var.value.strip()
    low = value.lower()
    name = var.name
    if name == "ALLOW_EMPTY_PASSWORD":
        if low in _BITNAMI_YES:
            return "allows an empty password (Bitnami images)"
        return None
    if name == "POSTGRES_HOST_AUTH_METHOD":
        if low == "trust":
            return "lets every host connect without a password (pg_hba `trust`)"
        return None
    if name in ("MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"):
        # The official entrypoints test `-n`: any non-empty value, even "no" or "false".
        if not value or is_placeholder(value):
            return None
        root_set = _MYSQL_ROOT_SET if name.startswith("MYSQL_") else _MARIADB_ROOT_SET
        if _given(env, root_set):
            return None
        return "lets root log in with an empty password (any non-empty value enables it)"
    if _is_password_name(name) and low in DEFAULT_PASSWORDS:
        return "is set to a well-known default password"
    return None


class WeakDatabasePassword(ContainerRule):
    """
    ## What it finds
    A database whose password is empty, turned off or a well-known default, chosen in the
    container's environment, judged against what each official image's entrypoint does:
    - `ALLOW_EMPTY_PASSWORD` set to `yes`, `true` or `1` (Bitnami images: MySQL, MariaDB,
      PostgreSQL, Redis, MongoDB... start without a password);
    - `MYSQL_ALLOW_EMPTY_PASSWORD` (official `mysql`, and the older name in `mariadb`) or
      `MARIADB_ALLOW_EMPTY_ROOT_PASSWORD` (official `mariadb`) set to any non-empty value: the
      entrypoints test only that it is non-empty, so `no` and `false` enable it too. Not a
      finding when a root password is also given (`*_ROOT_PASSWORD`, `*_RANDOM_ROOT_PASSWORD`,
      `*_ROOT_PASSWORD_FILE`, `MARIADB_ROOT_PASSWORD_HASH`, literal or taken from elsewhere),
      since root then gets that password;
    - `POSTGRES_HOST_AUTH_METHOD=trust` (official `postgres`): the entrypoint writes
      `host all all all trust` to `pg_hba.conf`, so every host connects without a password;
    - a variable whose last word is `PASSWORD`, `PASSWD`, `PASS` or `PWD` (`POSTGRES_PASSWORD`,
      `MYSQL_ROOT_PASSWORD`, `MARIADB_ROOT_PASSWORD`, `MONGO_INITDB_ROOT_PASSWORD`,
      `REDIS_PASSWORD`...) set to one of a short list of defaults, compared case-insensitively:
      `changeme`, `change_me`, `password`, `passw0rd`, `pass`, `admin`, `root`, `secret`,
      `123456`, `12345678`, `postgres`, `mysql`, `mariadb`, `mongo`, `redis`, `example`,
      `default`, `test`, `toor`. `changeme` is a placeholder for CT024, but here it is the
      password the server runs with.

    High when the container publishes a port on every host interface (as CT021 judges it),
    medium otherwise. Deliberately not judged: values taken from elsewhere (`${VAR}`
    interpolated from the host, `valueFrom`, `*_FILE` secrets), templates left for another tool
    (`${VAR}`, `{{ ... }}`), other values of these switches (`POSTGRES_HOST_AUTH_METHOD=md5`,
    `ALLOW_EMPTY_PASSWORD=no`), an empty `POSTGRES_PASSWORD` or `MYSQL_ROOT_PASSWORD` (the
    entrypoints refuse to start), the image the variable is given to (the variables are only
    read by these images), and the strength of other passwords (CT024 reports literal
    secrets). The value is never printed.

    ## Why it matters
    A database reachable without a password, or with the first password an attacker tries, is
    read and rewritten by anyone who reaches its port; scanners try these defaults within
    minutes of a port appearing on the internet.

    ## How to fix
    Give the database a real password from a secret file and drop the switches.

    Before:
    ```yaml
    environment:
      POSTGRES_HOST_AUTH_METHOD: trust
    ```
    After:
    ```yaml
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
    ```

    ## References
    - OWASP Top 10 2021, A07 (identification and authentication failures); no CIS Docker or
      Kubernetes control names default or empty database passwords
    """

    id = "CT030"
    name = "weak-database-password"
    title = "Database password empty, turned off or a default"
    severity = Severity.MEDIUM
    platforms = ALL_PLATFORMS
    fix = ("Set a strong database password from a secret file (`*_PASSWORD_FILE`) and remove "
           "the empty-password and trust switches.")
    fixes = {
        "docker": ("Run it again without the empty-password/trust variables in -e, with a "
                   "strong password from a mounted secret file (`*_PASSWORD_FILE`)."),
        "kubernetes": ("Remove the empty-password/trust variables and give the password from a "
                       "Secret (mounted file, `*_PASSWORD_FILE`)."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        env = {var.name: var for var in spec.env}
        exposed = not spec.host_network and any(
            port.host_port is not None and (port.host_ip or "").strip() in ANY_ADDRESS
            for port in spec.ports)
        severity = Severity.HIGH if exposed else Severity.MEDIUM
        where = "; a port is published on every host interface" if exposed else ""
        for var in spec.env:
            reason = weak_password_reason(var, env)
            if reason:
                yield self.emit(spec, item_location(spec, var),
                                f"{spec.name}: environment variable {var.name} {reason} "
                                f"(value not shown{where}).",
                                f"env={var.name}", severity=severity)
