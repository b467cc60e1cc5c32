from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis


def runs_as_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("", "root", "0")


class ImageUserRoot(Rule):
    """An image on the host whose default user is root.

    ## What it finds
    Images whose config has no ``User`` or ``User`` root/0: every container started from them
    without ``--user`` runs as root. (Containers themselves are judged by the container rules.)

    ## Why it matters
    Root in a container is one kernel bug or one mount away from root on the host.

    ## How to fix
    Create a user in the image and switch to it. Before:

        FROM debian:12
        CMD ["app"]

    After:

        FROM debian:12
        RUN useradd --system --uid 10001 app
        USER 10001
        CMD ["app"]

    ## References
    CIS Docker Benchmark v1.6.0, 4.1.
    """

    id = "HOST007"
    name = "image-user-root"
    title = "Image runs as root by default"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = cis("4.1")
    fix = "Add a non-root USER to the image."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for image in host.images:
            user = str(image.config.get("User") or "")
            if runs_as_root(user):
                said = f"USER {user}" if user else "no USER"
                yield self.finding(
                    image.location,
                    f"image {image.ref} runs as root by default ({said})",
                    evidence=f"user {user or '<unset>'}",
                )
