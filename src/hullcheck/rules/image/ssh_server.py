"""IMG012: ssh server installed."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import FILE, HARDLINK, SYMLINK, Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import SSH_SERVERS


class SshServer(Rule):
    """
    ## What it finds
    An SSH server binary (`sshd`, `dropbear`) in the final image.

    ## Why it matters
    An unnecessary network service with its own credentials and keys, and more packages to patch.

    ## How to fix
    Before:

    ```
        RUN apt-get install -y openssh-server
    ```

    After:

    ```
        # no SSH server: docker exec -it app sh
    ```

    ## References
    - `cis-docker-1.6:4.3`
    """

    id = "IMG012"
    name = "image-ssh-server"
    title = "SSH server installed"
    severity = Severity.MEDIUM
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_LAYERS})
    references = ("cis-docker-1.6:4.3",)
    fix = "Remove the SSH server; use docker exec / kubectl exec."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for path in SSH_SERVERS:
            e = image.files.get(path)
            if e is not None and e.kind in (FILE, HARDLINK, SYMLINK):
                yield self.finding(
                    image.location("/" + path, e.layer),
                    f"SSH server /{path} is installed",
                    evidence=path,
                )
