"""IMG006: remote script piped into a shell."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import PIPE_SHELL, shorten


class CurlPipeShell(Rule):
    """
    ## What it finds
    A history step that pipes `curl` or `wget` output straight into a shell.

    ## Why it matters
    Whatever the server (or anyone in between) sends at build time runs as root in the
    build, unverified.

    ## How to fix
    Before:

    ```
        RUN curl -fsSL https://example.com/install.sh | sh
    ```

    After:

    ```
        RUN curl -fsSLo install.sh https://example.com/install.sh \\
        && echo "<sha256>  install.sh" | sha256sum -c - && sh install.sh
    ```

    ## References
    - `cis-docker-1.6:4.11`
    """

    id = "IMG006"
    name = "image-curl-pipe-shell"
    title = "Remote script piped into a shell"
    severity = Severity.HIGH
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.11",)
    fix = "Download, verify a checksum or signature, then run."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for h in image.history:
            if PIPE_SHELL.search(h.created_by):
                yield self.finding(
                    image.location(layer=h.layer),
                    f"remote script piped into a shell: {shorten(h.created_by)}",
                    evidence=h.created_by,
                )
