"""IMG009: world-writable file or directory."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import DIR, FILE, Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class WorldWritable(Rule):
    """
    ## What it finds
    Files and directories in the final image that anyone may write (sticky directories such as
    `/tmp` excepted; symlinks never count).

    ## Why it matters
    Any user in the container can replace a world-writable file, including binaries root runs later.

    ## How to fix
    Before:

    ```
        RUN chmod 777 /app/run.sh
    ```

    After:

    ```
        RUN chmod 755 /app/run.sh
    ```

    ## References
    - none: no benchmark or peer rule covers this
    """

    id = "IMG009"
    name = "image-world-writable"
    title = "World-writable file or directory"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_LAYERS})
    references = ()
    fix = "chmod o-w, or add the sticky bit to shared directories."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for path in sorted(image.files):
            e = image.files[path]
            if e.kind not in (FILE, DIR) or not e.mode & 0o002:
                continue
            if e.kind == DIR and e.mode & 0o1000:
                continue
            what = "directory" if e.kind == DIR else "file"
            yield self.finding(
                image.location("/" + path, e.layer),
                f"world-writable {what} /{path} (mode {e.mode & 0o7777:04o})",
                evidence=path,
            )
