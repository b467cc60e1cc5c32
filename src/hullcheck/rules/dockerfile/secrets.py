"""Secrets baked into an image: credentials in ENV/ARG (by name and by value shape), well-known
token shapes in RUN lines, and credential files copied in."""

from __future__ import annotations

import fnmatch
import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator

from hullcheck.findings import Finding, Location, Severity
from hullcheck.inputs.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import (
    DockerfileRule,
    env_pairs,
    judged,
    run_text,
    sources_and_dest,
)

# Value shapes that are credentials whatever the variable is called.
URL_CREDENTIAL = r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@$'\"]*:[^\s/@$'\"]+@[\w\[]"
VALUE_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("Stripe secret key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}")),
    ("JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    # scheme://user:password@host with a literal password (not a $VAR, not $(cat ...)).
    ("URL with a password", re.compile(URL_CREDENTIAL)),
)
_SHAPE_PREFILTER = re.compile(r"PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox|AIza|"
                              r"npm_|k_live_|eyJ|" + URL_CREDENTIAL)

# A name holds a credential when one of its words (split on `_`, `-` and camelCase) is, or ends
# with, one of these, or two adjacent words form one of the pairs...
_SECRET_WORDS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "APIKEY",
                 "ACCESSKEY", "PRIVATEKEY", "SECRETKEY", "CREDENTIALS", "CREDENTIAL")
_SECRET_EXACT = frozenset({"PASS", "PWD"})  # only as a suffix word: DB_PASS, MYSQL_PWD
_SECRET_PAIRS = frozenset({("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"),
                           ("AUTH", "KEY"), ("SECRET", "KEY"), ("CLIENT", "KEY"),
                           ("SIGNING", "KEY"), ("ENCRYPTION", "KEY"), ("MASTER", "KEY"),
                           ("CONNECTION", "STRING")})
# ...unless its last word says it holds something about the credential, not the credential.
_NOT_SECRET_LAST = frozenset({
    "FILE", "PATH", "DIR", "NAME", "ID", "USER", "USERNAME", "URL", "URI", "ENDPOINT", "HOST",
    "PORT", "TYPE", "LENGTH", "LEN", "TTL", "EXPIRY", "EXPIRES", "TIMEOUT", "HEADER", "FIELD",
    "ENABLED", "REQUIRED", "VERSION", "MODE", "REGION", "ALGORITHM", "ROLE", "SCOPE", "SCOPES",
    "POLICY", "PROVIDER", "AUDIENCE", "ISSUER", "LIFETIME", "PARALLELISM", "KEYRING", "COMMAND",
    # settings of a credential: its lifetime (ACCESS_TOKEN_EXPIRE_MINUTES=30), how it is hashed
    # or kept (PASSWORD_HASHER=argon2, SECRETS_BACKEND=vault), its shape and limits
    "EXPIRE", "EXPIRATION", "MS", "SECONDS", "SECS", "MINUTES", "MINS", "HOURS", "DAYS", "AGE",
    "HASHER", "ENCODER", "BACKEND", "METHOD", "STRATEGY", "FORMAT", "PREFIX", "COMPLEXITY",
    "SIZE", "LIMIT", "COUNT", "PROMPT",
})
_REFERENCE = re.compile(r"^\$(\{[A-Za-z_][A-Za-z0-9_]*([:?+-][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$")
_PATH = re.compile(r"^(/|\./|~/)[\w./@-]*$")
_NOT_A_VALUE = frozenset({"", "true", "false", "yes", "no", "on", "off", "0", "1", "none",
                          "null", "nil", "-", "''", '""'})


def a_shape(label: str) -> str:
    """The label with its article, for messages: "an AWS access key id", "a GitHub token"."""
    return ("an " if label.startswith(("AWS", "npm")) else "a ") + label


def value_shape(value: str) -> str | None:
    if not _SHAPE_PREFILTER.search(value):
        return None
    for label, pattern in VALUE_SHAPES:
        if pattern.search(value):
            return label
    return None


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NAME_SEPARATORS = re.compile(r"[_\-.]+")


# Names and paths recur across a repository's Dockerfiles (PATH, NODE_ENV, package.json...):
# the two pure tests below remember their answers.
@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    spaced = _CAMEL_HUMP.sub("_", name)  # apiKey -> api_Key
    words = [w for w in _NAME_SEPARATORS.split(spaced.upper()) if w]
    if not words or words[-1] in _NOT_SECRET_LAST:
        return False
    if words[-1] in _SECRET_EXACT and len(words) > 1:
        return True
    if any(w.endswith(_SECRET_WORDS) for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


def is_literal_secret_value(value: str) -> bool:
    """A value that could be a credential: not empty, not a ``$VAR`` reference, not a path to
    a secret file, not a switch."""
    v = value.strip()
    return not (v.lower() in _NOT_A_VALUE or _REFERENCE.match(v) or _PATH.match(v))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _location(dockerfile: Dockerfile, instruction: Instruction) -> Location:
    # Built only for a finding: most instructions have none, and a Location is not free.
    return dockerfile.location(instruction.line, instruction.end_line)


def redact(value: str) -> str:
    return value[:3] + "…" if len(value) > 6 else "…"


class SecretInEnvOrArg(DockerfileRule):
    """
    ## What it finds
    Credentials written into the Dockerfile:
    - an `ENV` or `ARG` (default value) whose name says it is a credential (`*PASSWORD*`,
      `*SECRET*`, `*TOKEN*`, `*API_KEY*`, `*ACCESS_KEY*`, `*PRIVATE_KEY*`, `*CREDENTIALS*`...)
      with a literal value;
    - any `ENV`/`ARG` value, or any `RUN` line, containing a credential by its shape: a PEM private
      key, an AWS access key id (`AKIA...`), GitHub (`ghp_`, `github_pat_`), GitLab, Slack
      (`xox*`), Google (`AIza...`), npm or Stripe tokens, a JSON Web Token, a URL with a literal
      password (`postgres://app:s3cret@db/app`; not `${DB_PASSWORD}` or `$(cat /run/secrets/x)`).

    Not secrets: names about a credential rather than the credential (`*_FILE`, `*_PATH`, `*_URL`,
    `*_ID`, `*_USER`...; `POSTGRES_PASSWORD_FILE=/run/secrets/db` is the right way; settings such
    as `ACCESS_TOKEN_EXPIRE_MINUTES` or `PASSWORD_HASHER`), paths, empty
    values, `$VAR`/`${VAR}` references and switches (`true`, `0`...). An `ARG` without a default
    is not judged.

    ## Why it matters
    `ENV` values are stored in the image config and `ARG` values in its build history: anyone who
    can pull the image can read them (`docker history`, `docker inspect`), and they stay in every
    layer pushed to every registry and cache. CIS Docker Benchmark 4.10.

    ## How to fix
    Pass secrets at build time with BuildKit secret mounts and at run time with the orchestrator's
    secrets (files), never as image variables. Rotate any credential that was committed.

    Before:
    ```Dockerfile
    ENV NPM_TOKEN=npm_abcdef...
    RUN npm ci
    ```
    After:
    ```Dockerfile
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.10 "Ensure secrets are not stored in Dockerfiles"
    """

    id = "DF010"
    name = "secret-in-dockerfile"
    title = "Credential written into the Dockerfile"
    severity = Severity.HIGH
    references = ("cis-docker-1.6:4.10",)
    fix = "Use a BuildKit secret mount or a runtime secret; rotate the exposed credential."
    instructions = frozenset({"ENV", "ARG", "RUN"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd in ("ENV", "ARG"):
            for name, value in env_pairs(ins):
                if value is None:
                    continue
                shape = value_shape(value)
                if shape is not None:
                    yield self.finding(
                        _location(dockerfile, instruction),
                        f"{ins.cmd} {name} holds {a_shape(shape)} ({redact(value)}).",
                        evidence=f"{ins.cmd} {name} {shape}",
                    )
                elif is_secret_name(name) and is_literal_secret_value(value):
                    kind = ("a high-entropy value" if len(value) >= 16 and entropy(value) >= 3.5
                            else "a literal value")
                    yield self.finding(
                        _location(dockerfile, instruction),
                        f"{ins.cmd} {name} sets a credential to {kind} ({redact(value)}): it "
                        "is readable by anyone who can pull the image.",
                        evidence=f"{ins.cmd} {name}",
                    )
        elif ins.cmd == "RUN":
            text = run_text(ins)
            shape = value_shape(text)
            if shape is not None:
                yield self.finding(_location(dockerfile, instruction),
                                   f"RUN contains {a_shape(shape)}: it stays in the image "
                                   "history.", evidence=f"RUN {shape}")


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
        if ins.cmd not in ("COPY", "ADD") or ins.flag("from") is not None:
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
