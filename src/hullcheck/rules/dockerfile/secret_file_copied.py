"""Credential files copied into an image (DF011)."""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, sources_and_dest

# Credential files by name (glob over the base name) and by path suffix.
SECRET_FILE_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
                     "*.key", "*.pem", "*.p12", "*.pfx", "*.jks", "*.keystore", ".env", ".env.*",
                     "*.env", ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials",
                     ".pgpass", ".htpasswd", "kubeconfig", "*.kubeconfig", "credentials.json",
                     "*service-account*.json", "*.ovpn", "*.tfstate", ".dockercfg")
SECRET_FILE_PATHS = (".aws/credentials", ".docker/config.json", ".kube/config", ".ssh",
                     ".gnupg", ".config/gh/hosts.yml", ".config/gcloud")
# Names that match the globs but hold no secret: templates and public certificates.
_HARMLESS = re.compile(
    r"(\.(example|sample|template|dist|tpl|defaults?)$|^\.env\.(example|sample|template|dist)|"
    r"\.pub$|(^|[._-])(cert|certs|certificate|ca|chain|fullchain|bundle|root|public|pub|dhparams?|"
    r"truststore|trust|cacerts)"
    r"([._-]|$))",
    re.IGNORECASE,
)


# The name and path globs above as one regex each: the same matches as fnmatchcase pattern by
# pattern, in one pass (this runs for every COPY/ADD source).
_SECRET_NAME = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in SECRET_FILE_NAMES))
_SECRET_PATH = re.compile("|".join(
    f"(?:{fnmatch.translate(g)})" for p in SECRET_FILE_PATHS for g in (p, "*/" + p)
))


@functools.lru_cache(maxsize=4096)
def secret_file(path: str) -> bool:
    clean = path.rstrip("/")
    base = clean.rsplit("/", 1)[-1]
    if not base or _HARMLESS.search(base):
        return False
    if _SECRET_NAME.match(base):
        return True
    return any(clean == p or clean.endswith("/" + p) for p in SECRET_FILE_PATHS) or bool(
        _SECRET_PATH.match(clean))


class SecretFileCopied(DockerfileRule):
    """
    ## What it finds
    `COPY` or `ADD` of a credential file, by its source or destination name: SSH keys (`id_rsa`,
    `id_ed25519`, `.ssh/`), private keys and key stores (`*.key`, `*.pem`, `*.p12`, `*.jks`),
    `.env`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.aws/credentials`,
    `.docker/config.json`, `kubeconfig`/`.kube/config`, cloud service-account JSON...

    Not judged: templates (`.env.example`, `*.sample`), public keys (`*.pub`), certificates
    (`ca.pem`, `cert.pem`, `fullchain.pem`) and trust stores (`truststore.jks`,
    `kafka.truststore.p12`: CA certificates only), and `COPY --from=<stage>` (the file entered the
    build elsewhere, where it is reported).

    ## Why it matters
    A file copied into a layer stays in the image even if a later step deletes it: anyone who can
    pull the image can extract it. CIS Docker Benchmark 4.10.

    ## How to fix
    Mount the credential only for the step that needs it (`RUN --mount=type=secret` or
    `--mount=type=ssh`), exclude it in `.dockerignore`, and provide runtime secrets as mounted
    files.

    Before: `COPY id_rsa /root/.ssh/id_rsa`
    After: `RUN --mount=type=ssh git clone git@github.com:acme/private.git`

    ## References
    - CIS Docker Benchmark 1.6, 4.10 "Ensure secrets are not stored in Dockerfiles"
    """

    id = "DF011"
    name = "secret-file-copied"
    title = "Credential file copied into the image"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.10",)
    fix = "Use `RUN --mount=type=secret` (or `type=ssh`) and list the file in .dockerignore."
    instructions = frozenset({"COPY", "ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.flag("from") is not None:
            return
        sources, dest = sources_and_dest(ins)
        hits = [s for s in sources if secret_file(s)]
        if not hits and not dest.endswith("/") and secret_file(dest):
            hits = [dest]
        if hits:
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"{ins.cmd} puts a credential file into the image: {', '.join(hits)}.",
                evidence=" ".join(hits),
            )
