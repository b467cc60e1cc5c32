from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis

SSH_DAEMONS = ("sshd", "dropbear")


def ssh_daemon(process: str) -> str | None:
    """The SSH daemon a process runs: by its kernel name (``[sshd] ...``, as the audit reads
    it) or by its command line (``/usr/sbin/sshd -D``, ``sshd: user@pts/0``)."""
    text = process.strip()
    if text.startswith("["):
        name, _, text = text[1:].partition("] ")
        if name in SSH_DAEMONS:
            return name
    first = text.split(" ", 1)[0].rstrip(":")
    name = first.rsplit("/", 1)[-1]
    return name if name in SSH_DAEMONS else None


class SshdInContainer(Rule):
    """An SSH daemon runs inside a container.

    ## What it finds
    A running container with an ``sshd`` (or ``dropbear``) process, by the kernel's process
    name or the command line, read from the Engine API's ``top``; nothing is executed inside
    the container (Docker Bench runs ``docker exec ps``, which needs ``ps`` in the image and
    runs code in every container).

    ## Why it matters
    An SSH server is another door with its own keys, passwords and patches to manage, and it
    bypasses the engine's access control and audit.

    ## How to fix
    Remove the SSH server from the image; use ``docker exec`` for debugging. Before:

        RUN apt-get install -y openssh-server
        CMD ["/usr/sbin/sshd", "-D"]

    After: the application as the only process, ``CMD ["app"]``.

    ## References
    CIS Docker Benchmark v1.6.0, 5.7.
    """

    id = "HOST008"
    name = "sshd-in-container"
    title = "SSH daemon running in a container"
    severity = Severity.HIGH
    inputs = frozenset({"host"})
    references = cis("5.7")
    fix = "Remove the SSH server from the container; use docker exec."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for container in host.containers:
            for command in container.processes or []:
                daemon = ssh_daemon(command)
                if daemon:
                    yield self.finding(
                        container.location,
                        f"container {container.name} runs {daemon}: {command[:120]}",
                        evidence=f"process {daemon}",
                    )
                    break
