"""IMG003: secret in the image environment."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.image._patterns import NOT_SECRET, SECRET_NAME


class EnvSecret(Rule):
    """
    ## What it finds
    `Env` entries of the image config whose name says secret (`PASSWORD`, `SECRET`, `TOKEN`,
    `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`...) with a non-empty value.

    ## Why it matters
    Anyone who can pull the image reads its environment with `docker inspect`.

    ## How to fix
    Before:

    ```
        ENV DB_PASSWORD=hunter2
    ```

    After:

    ```
        # at run time: docker run --env-file /run/secrets/db ...
    ```

    ## References
    - `cis-docker-1.6:4.10`
    - `dockle:CIS-DI-0010`
    """

    id = "IMG003"
    name = "image-env-secret"
    title = "Secret in the image environment"
    severity = Severity.HIGH
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.10", "dockle:CIS-DI-0010")
    fix = "Pass secrets at run time (secrets, mounted files), never in ENV."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for item in image.config.env:
            name, sep, value = item.partition("=")
            if sep and value.strip() and SECRET_NAME.search(name) and not NOT_SECRET.search(name):
                yield self.finding(
                    image.location(),
                    f"environment variable {name} holds a secret",
                    evidence=f"env={name}",
                )
