from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


def runs_as_root(user: str) -> bool:
    return user.split(":", 1)[0].strip() in ("root", "0")


class ExecPrivilegedOrRoot(Rule):
    """``docker exec`` sessions run with ``--privileged`` or as root.

    ## What it finds
    Exec instances the daemon still remembers for each container (``ExecIDs``, inspected one by
    one): with ``Privileged`` (5.23, high), or with ``--user root``/``0`` given explicitly (5.24,
    medium). The daemon forgets exec instances when a container stops, so this sees recent
    sessions of running containers, not all history; the daemon's audit log is the full record.

    ## Why it matters
    A privileged exec gets every capability and device inside an otherwise confined container.

    ## How to fix
    Before: ``docker exec --privileged web sh``. After:

        docker exec --user 1000 web sh

    ## References
    CIS Docker Benchmark v1.6.0, 5.23 and 5.24.
    """

    id = "HOST009"
    name = "exec-privileged-or-root"
    title = "docker exec used with --privileged or as root"
    severity = Severity.HIGH
    inputs = frozenset({"host"})
    references = cis("5.23", "5.24")
    fix = "Do not use docker exec --privileged or --user root."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for container in host.containers:
            for exec_info in container.execs:
                config = exec_info.get("ProcessConfig") or {}
                command = " ".join(
                    [str(config.get("entrypoint") or ""), *map(str, config.get("arguments") or [])]
                ).strip()
                if exec_info.get("Privileged") or config.get("privileged"):
                    yield self.finding(
                        container.location,
                        f"docker exec --privileged in {container.name}: {command[:120]}",
                        references=cis("5.23"),
                        evidence=f"exec privileged {command}",
                    )
                user = str(config.get("user") or "")
                if user and runs_as_root(user):
                    yield self.finding(
                        container.location,
                        f"docker exec --user {user} in {container.name}: {command[:120]}",
                        references=cis("5.24"),
                        severity=Severity.MEDIUM,
                        evidence=f"exec root {command}",
                    )
