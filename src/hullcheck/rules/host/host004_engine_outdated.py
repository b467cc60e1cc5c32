from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.hostaudit.releases import parse_version, release_table
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis, engine_location


class EngineOutdated(Rule):
    """The Docker Engine is older than the newest release hullcheck knows of.

    ## What it finds
    A server version below the newest Docker Engine release in hullcheck's release table (package
    data, dated; the finding says the date). Distribution suffixes (``20.10.24+dfsg1``) are
    ignored: a distribution may backport fixes, which the finding mentions but never counts as
    a pass. Unlike Docker Bench, which compares against "YY.MM of 30 days ago" and passes
    anything, an old engine is never a pass.

    ## Why it matters
    Engine releases fix container escapes and daemon vulnerabilities; an end-of-life series
    gets none of them.

    ## How to fix
    Upgrade to a maintained release (Docker's own packages or your distribution's current one).

    Before: ``Server Version: 20.10.24``. After: ``Server Version: 29.10.1``.

    ## References
    CIS Docker Benchmark v1.6.0, 1.2.2.
    """

    id = "HOST004"
    name = "engine-outdated"
    title = "Docker Engine is not up to date"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = cis("1.2.2")
    fix = "Upgrade the Docker Engine to a maintained release."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if host.is_podman:
            return  # Podman's releases are not Docker Engine's (the check says not applicable)
        text = host.server_version
        version = parse_version(text)
        if not text or version is None:
            return
        table = release_table()
        newest = table.newest
        newest_version = parse_version(newest["latest"])
        assert newest_version is not None
        if version >= newest_version:
            return
        series = table.series_of(version)
        detail = ""
        series_latest = parse_version(series["latest"]) if series is not None else None
        # The series detail helps only when the table knows a newer patch of the running series
        # that is not the newest release itself (an entry may stop short of the series' real last
        # patch, so a running version past it gets no detail).
        if (series is not None and series_latest is not None
                and version < series_latest != newest_version):
            detail = (
                f"; its {series['series']} series was last patched in {series['latest']} "
                f"({series['latest_date']})"
            )
        yield self.finding(
            engine_location(host),
            f"Docker Engine {text} is older than {newest['latest']}, the newest release in "
            f"hullcheck's release table dated {table.date}{detail}",
            evidence=f"server {text}",
        )
