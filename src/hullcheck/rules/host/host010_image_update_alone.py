from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.hostaudit.history import instruction, update_alone
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


class ImageUpdateAlone(Rule):
    """A layer of an image that refreshes the package index without installing anything.

    ## What it finds
    Entries of an image's full, untruncated history whose ``RUN`` refreshes a package index
    (``apt-get update``, ``apk update``, ``dnf makecache``...) with no install or upgrade in the
    same command. Docker Bench greps the truncated history for "update" and so flags the
    correct ``apt-get update && apt-get install`` and misses truncated commands.

    ## Why it matters
    The index layer is cached: later builds install from a stale index, missing security
    updates, or fail when mirrors rotate.

    ## How to fix
    Before:

        RUN apt-get update
        RUN apt-get install -y curl

    After:

        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*

    ## References
    CIS Docker Benchmark v1.6.0, 4.7.
    """

    id = "HOST010"
    name = "image-update-alone"
    title = "Package index update alone in a layer"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis("4.7")
    fix = "Refresh the index and install in the same RUN."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for image in host.images:
            for entry in image.history:
                inst = instruction(str(entry.get("CreatedBy") or ""))
                if update_alone(inst):
                    yield self.finding(
                        image.location,
                        f"image {image.ref}: {inst[:200]} refreshes the package index alone",
                        evidence=inst,
                    )
