"""IMG003: secret in the image environment."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.credentials import (
    a_shape,
    is_credential,
    value_shape,
)
from hullcheck.findings import Finding, Severity
from hullcheck.models.image import Image
from hullcheck.needs import Need
from hullcheck.rules.base import Context, Rule


class EnvSecret(Rule):
    """
    ## What it finds
    `Env` entries of the image config whose name says secret (`PASSWORD`, `SECRET`, `TOKEN`,
    `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`...) with a literal value, and any entry whose value
    has the shape of a credential (an AWS access key id, a GitHub token, a URL with a password...),
    judged as DF010 judges `ENV`. Not secrets: names about a credential (`*_FILE`, `*_PATH`,
    `PASSWORD_MIN_LENGTH`, `ACCESS_TOKEN_EXPIRE_MINUTES`), words that only contain one
    (`TOKENIZERS_PARALLELISM`), switches (`ALLOW_EMPTY_PASSWORD=no`), paths and empty values.

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
    needs = frozenset({Need.IMAGE_CONFIG})
    references = ("cis-docker-1.6:4.10", "dockle:CIS-DI-0010")
    fix = "Pass secrets at run time (secrets, mounted files), never in ENV."

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        for item in image.config.env:
            name, sep, value = item.partition("=")
            if not sep or not value.strip():
                continue
            shape = value_shape(value)
            if shape is not None:
                message = f"environment variable {name} holds {a_shape(shape)}"
            elif is_credential(name, value):
                message = f"environment variable {name} holds a secret"
            else:
                continue
            yield self.finding(image.location(), message, evidence=f"env={name}")
