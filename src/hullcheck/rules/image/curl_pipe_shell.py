"""IMG006: remote script piped into a shell."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.dockerfile.remote_script import fetched_code_runs, may_run_fetched_code
from hullcheck.rules.image._patterns import shorten


class CurlPipeShell(Rule):
    """
    ## What it finds
    A history step that runs a downloaded script, judged on its parsed shell as DF014 judges
    `RUN`: `curl ... | sh`, `curl ... | sudo -E bash -`, `curl ... | python3 -`,
    `sh -c "$(curl ...)"`. Downloads saved to a file or piped into a program that does not run
    them (`| tar xz`), and the words only quoted (`echo "curl | sh"`), are not reported.

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
    needs = frozenset({Need.IMAGE_HISTORY})
    references = ("cis-docker-1.6:4.11",)
    fix = "Download, verify a checksum or signature, then run."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for h in image.history:
            script = h.script
            if script is None or not may_run_fetched_code(script):
                continue
            if h.shell is not None and fetched_code_runs(h.shell):
                yield self.finding(
                    image.location(layer=h.layer),
                    f"remote script piped into a shell: {shorten(h.created_by)}",
                    evidence=h.created_by,
                )
