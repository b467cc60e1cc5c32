"""IMG005: package index update alone in a step."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import shorten


class UpdateAlone(Rule):
    """
    ## What it finds
    A history step that runs `apt-get update` (or `apt update`, `apk update`, `yum/dnf makecache`,
    `yum update`/`dnf upgrade` or `pacman -Syu` with no package named...) without installing
    anything in the same step: the judgement is DF009's, applied to each step's parsed script.

    ## Why it matters
    The cached index layer goes stale: later installs use old package lists and miss security fixes.

    ## How to fix
    Before:

    ```
        RUN apt-get update
        RUN apt-get install -y curl
    ```

    After:

    ```
        RUN apt-get update && apt-get install -y curl
    ```

    ## References
    - `cis-docker-1.6:4.7`
    - `dockle:CIS-DI-0007`
    """

    id = "IMG005"
    name = "image-update-alone"
    title = "Package index update alone in a step"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_HISTORY})
    references = ("cis-docker-1.6:4.7", "dockle:CIS-DI-0007")
    fix = "Update and install in the same RUN."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        # Each step's parsed script (kept on the model) is judged as DF009 judges a RUN: the
        # words, not the text (`echo 'run apt-get update first'` updates nothing).
        from hullcheck.rules.dockerfile.update_alone import lone_update, may_update_alone

        for h in image.history:
            script = h.script
            if script is None or not may_update_alone(script):
                continue
            if h.shell is not None and lone_update(h.shell) is not None:
                yield self.finding(
                    image.location(layer=h.layer),
                    f"package index updated without an install: {shorten(h.created_by)}",
                    evidence=h.created_by,
                )
