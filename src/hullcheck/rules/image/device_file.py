"""IMG014: device file in an image layer."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import BLOCK, CHAR, Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class DeviceFile(Rule):
    """
    ## What it finds
    Character or block device nodes in the final image.

    ## Why it matters
    A device node in an image gives whoever runs as its owner direct access to that host device
    when the runtime allows it; legitimate images never ship them.

    ## How to fix
    Before:

    ```
        RUN mknod /dev/sda1 b 8 1
    ```

    After:

    ```
        # nothing: devices are granted at run time with --device
    ```

    ## References
    - none: no benchmark or peer rule covers this
    """

    id = "IMG014"
    name = "image-device-file"
    title = "Device file in an image layer"
    severity = Severity.HIGH
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_LAYERS})
    references = ()
    fix = "Do not ship device nodes; the runtime creates /dev."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for path in sorted(image.files):
            e = image.files[path]
            if e.kind in (CHAR, BLOCK):
                kind = "character" if e.kind == CHAR else "block"
                yield self.finding(
                    image.location("/" + path, e.layer),
                    f"{kind} device node /{path}",
                    evidence=path,
                )
