"""IMG010: setuid or setgid file."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import FILE, Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class Setuid(Rule):
    """
    ## What it finds
    Regular files in the final image with the setuid or setgid bit.

    ## Why it matters
    setuid binaries are the usual way from an unprivileged user to root inside a container.

    ## How to fix
    Before:

    ```
        FROM debian
    ```

    After:

    ```
        FROM debian
        RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +
    ```

    ## References
    - `cis-docker-1.6:4.8`
    - `dockle:CIS-DI-0008`
    """

    id = "IMG010"
    name = "image-setuid"
    title = "setuid or setgid file"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_LAYERS})
    references = ("cis-docker-1.6:4.8", "dockle:CIS-DI-0008")
    fix = "Remove the bits: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +"

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for path in sorted(image.files):
            e = image.files[path]
            if e.kind != FILE or not e.mode & 0o6000:
                continue
            bits = " and ".join(
                b for b, m in (("setuid", 0o4000), ("setgid", 0o2000)) if e.mode & m
            )
            yield self.finding(
                image.location("/" + path, e.layer), f"/{path} is {bits}", evidence=path
            )
