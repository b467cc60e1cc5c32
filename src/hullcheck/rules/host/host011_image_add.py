from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.hostaudit.history import instruction, is_add
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


class ImageAddInstruction(Rule):
    """An image built with ``ADD`` where ``COPY`` would do.

    ## What it finds
    ``ADD`` entries in an image's full history, except the base root file system (the oldest
    ``ADD file:... in /``, which is how every base image starts).

    ## Why it matters
    ``ADD`` fetches URLs and unpacks archives implicitly: a changed remote file or a crafted
    tarball lands in the image unnoticed.

    ## How to fix
    Before: ``ADD app.tar.gz /opt/``. After:

        COPY app.tar.gz /tmp/
        RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz

    ## References
    CIS Docker Benchmark v1.6.0, 4.9.
    """

    id = "HOST011"
    name = "image-add-instruction"
    title = "Image built with ADD"
    severity = Severity.LOW
    inputs = frozenset({"host"})
    references = cis("4.9")
    fix = "Use COPY (and RUN for archives or downloads with checksums)."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for image in host.images:
            entries = [instruction(str(e.get("CreatedBy") or "")) for e in image.history]
            # History is newest first: the last non-empty entry is the base root file system.
            real = [i for i in entries if i]
            base = real[-1] if real else ""
            for index, inst in enumerate(real):
                if not is_add(inst):
                    continue
                if index == len(real) - 1 and inst == base and "file:" in inst:
                    continue
                yield self.finding(
                    image.location,
                    f"image {image.ref} was built with {inst[:200]}",
                    evidence=inst,
                )
