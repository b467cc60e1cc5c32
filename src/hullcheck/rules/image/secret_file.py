"""IMG011: secret stored in an image layer."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class SecretFile(Rule):
    """
    ## What it finds
    Private keys, cloud and registry credentials (`.aws/credentials`, `.docker/config.json`
    with auth, `.npmrc`/`.pypirc` tokens, `.git-credentials`, kubeconfigs, `.env` files that
    set a credential) in any layer, including a secret a later layer deleted: it is still in the
    image, and the finding names its layer. A `.env` of public settings (`PORT=3000`,
    `NEXT_PUBLIC_API_URL=...`) is not reported: its lines are judged as DF010 judges `ENV`.

    ## Why it matters
    Every layer ships with the image; deleting a file in a later layer hides it from the
    final view only.

    ## How to fix
    Before:

    ```
        COPY id_rsa /root/.ssh/id_rsa
        RUN git clone ... && rm /root/.ssh/id_rsa
    ```

    After:

    ```
        RUN --mount=type=secret,id=ssh,target=/root/.ssh/id_rsa git clone ...
    ```

    ## References
    - `cis-docker-1.6:4.10`
    - `dockle:CIS-DI-0010`
    """

    id = "IMG011"
    name = "image-secret-file"
    title = "Secret stored in an image layer"
    severity = Severity.HIGH
    inputs = frozenset({"image"})
    needs = frozenset({Need.IMAGE_LAYERS})
    references = ("cis-docker-1.6:4.10", "dockle:CIS-DI-0010")
    fix = "Use build secrets (RUN --mount=type=secret) and rotate the exposed secret."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for e in image.secrets:
            final = image.files.get(e.path)
            gone = final is None or final is not e
            where = " (deleted or replaced in a later layer, still in the image)" if gone else ""
            yield self.finding(
                image.location("/" + e.path, e.layer),
                f"/{e.path} holds {e.secret}{where}",
                evidence=f"{e.path}@{e.layer}",
            )
