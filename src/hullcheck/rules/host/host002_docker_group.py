from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


class DockerGroupMembers(Rule):
    """A user in the ``docker`` group who is not in the trusted list.

    ## What it finds
    Members of the group that owns the Docker socket (``docker``, or dockerd's ``--group``),
    explicit or by primary group, that are not named with ``--trusted-user``. Without a trusted
    list every member is reported, so the list has to be stated once.

    ## Why it matters
    Access to the socket is root on the host: ``docker run -v /:/host --privileged`` is one
    command away.

    ## How to fix
    Before: ``docker:x:998:alice,bob`` with only bob needing Docker. After:

        gpasswd -d alice docker
        hullcheck host --trusted-user bob

    ## References
    CIS Docker Benchmark v1.6.0, 1.1.2.
    """

    id = "HOST002"
    name = "docker-group-untrusted-member"
    title = "Untrusted user can control the Docker daemon"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = cis("1.1.2")
    fix = "Remove the user from the docker group, or list them with --trusted-user."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        group = str(host.daemon.get("group") or "docker")
        for user in host.docker_group or []:
            if user in host.trusted_users or user == "root":
                continue
            yield self.finding(
                Location(path="/etc/group", setting=f"group {group}"),
                f"user {user} is in the {group} group (root-equivalent) and not among the "
                "trusted users (--trusted-user)",
                evidence=f"{group}:{user}",
            )
