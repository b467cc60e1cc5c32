"""IMG013: package manager cache left in the image."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import FILE, Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import CACHE_DIRS, CACHE_IGNORED


class PackageCache(Rule):
    """
    ## What it finds
    Package manager caches left in the final image: apt lists and archives, apk, yum/dnf,
    pip caches.

    ## Why it matters
    Dead weight in every pull, and stale package metadata that confuses later installs and scanners.

    ## How to fix
    Before:

    ```
        RUN apt-get update && apt-get install -y curl
    ```

    After:

    ```
        RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    ```

    ## References
    - none: no benchmark or peer rule covers this
    """

    id = "IMG013"
    name = "image-package-cache"
    title = "Package manager cache left in the image"
    severity = Severity.LOW
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_LAYERS})
    references = ()
    fix = (
        "Clean caches in the same RUN (rm -rf /var/lib/apt/lists/*, apk add --no-cache,"
        " pip --no-cache-dir)."
    )

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        found: dict[str, tuple[int, int, str]] = {}
        for path, e in image.files.items():
            if e.kind != FILE:
                continue
            for cache in CACHE_DIRS:
                if path.startswith(cache + "/") and not path.endswith(CACHE_IGNORED):
                    count, size, layer = found.get(cache, (0, 0, e.layer))
                    found[cache] = (count + 1, size + e.size, layer)
                    break
        for cache in sorted(found):
            count, size, layer = found[cache]
            yield self.finding(
                image.location("/" + cache, layer),
                f"package cache /{cache}: {count} files, {size // 1024} KiB",
                evidence=cache,
            )
