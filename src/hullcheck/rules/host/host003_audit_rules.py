from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis

AUDIT_CHECKS = tuple(f"1.1.{n}" for n in range(3, 19))


class DockerFileNotAudited(Rule):
    """A Docker file or directory that auditd does not watch.

    ## What it finds
    For each path of CIS 1.1.3 to 1.1.18 that exists on this host (the dockerd binary, the data
    root, ``/etc/docker``, the systemd units where they are really installed, containerd's real
    socket, ``daemon.json``, the containerd and runc binaries...), no loaded auditd rule watches
    it. Rules come from ``auditctl -l`` when it answers, else from ``/etc/audit/audit.rules`` and
    ``/etc/audit/rules.d/*.rules``. Paths that do not exist are not applicable, not failures.

    ## Why it matters
    The daemon runs as root; an audit trail of who changed its binary, configuration and
    sockets is what an investigation starts from.

    ## How to fix
    Before: ``auditctl -l`` lists nothing about Docker. After, a watch rule per path:

        # /etc/audit/rules.d/docker.rules
        -w /usr/bin/dockerd -k docker
        -w /etc/docker -k docker

    then ``augenrules --load``.

    ## References
    CIS Docker Benchmark v1.6.0, 1.1.3 to 1.1.18.
    """

    id = "HOST003"
    name = "docker-file-not-audited"
    title = "Docker file or directory not audited"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis(*AUDIT_CHECKS)
    fix = "Add an auditd watch rule (-w PATH -k docker) and reload the rules."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        audit = host.audit
        if audit is None:
            return
        where = (
            f"rules read from: {audit.source}" if audit.source
            else "there is no auditctl and no audit rules file on this host"
        )
        for check_id in AUDIT_CHECKS:
            path = host.audit_paths.get(check_id)
            if not path or not host.path_exists(path):
                continue
            if audit.watches(path):
                continue
            yield self.finding(
                Location(path=path),
                f"no auditd rule watches {path} ({where})",
                references=cis(check_id),
                evidence=path,
            )
