"""Is it a credential? Names and values judged the same way wherever hullcheck meets them: a
Dockerfile's ENV/ARG (DF010, DF020), an image's environment and `.env` files (IMG003, IMG011), a
container's environment in compose, Kubernetes or on a host (CT024).

Pure functions, no rule machinery: importing this module costs a few regex compilations.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter

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
# A last word ending in PASS is a password too (LDAP_ROOTPASS, ADMINPASS), except these words.
_NOT_PASS = frozenset({"BYPASS", "COMPASS", "SURPASS", "TRESPASS", "OVERPASS", "UNDERPASS",
                       "ENCOMPASS", "MULTIPASS", "PASS"})
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


# Values shaped like credentials that are published on purpose, so nothing is gained by
# reading them from an image: the API key and OAuth client Google assigned to Debian's
# Chromium package, shipped in every installation (/etc/chromium.d/apikeys) and copied into
# Dockerfiles that run Chromium. Exact values only: a key of the same shape is still a key.
PUBLIC_VALUES = frozenset({
    "AIzaSyCkfPOPZXDKNn8hhgu3JrA62wIgC93d44k",  # GOOGLE_API_KEY
    "811574891467.apps.googleusercontent.com",  # GOOGLE_DEFAULT_CLIENT_ID
    "kdloedMFGdGla2P1zacGjAQh",  # GOOGLE_DEFAULT_CLIENT_SECRET
})


def is_public_value(value: str) -> bool:
    """A credential-shaped value that is public on purpose (``PUBLIC_VALUES``)."""
    return value.strip().strip("\"'") in PUBLIC_VALUES


def value_shape(value: str) -> str | None:
    """The kind of credential ``value`` contains by its shape, or None. Well-known public
    values (``PUBLIC_VALUES``) are no credential here."""
    if not _SHAPE_PREFILTER.search(value):
        return None
    for label, pattern in VALUE_SHAPES:
        if any(m.group(0) not in PUBLIC_VALUES for m in pattern.finditer(value)):
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
    if words[-1].endswith("PASS") and words[-1] not in _NOT_PASS:
        return True
    if any(w.endswith(_SECRET_WORDS) for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


# `*_KEY` names that hold no secret whatever their value: public keys and site keys, key ids
# and fingerprints, and keys in the sense of "index" (SORT_KEY=name, CACHE_KEY=v2).
_NOT_SECRET_KEY_WORDS = frozenset({
    "PUBLIC", "PUB", "PUBLISHABLE", "SITE", "GPG", "PGP", "GNUPG", "SORT", "PRIMARY",
    "PARTITION", "CACHE", "ROUTING", "FOREIGN", "INDEX", "LOOKUP", "MAP", "GROUP", "DEDUP",
    "IDEMPOTENCY", "SHARD", "ORDER", "HOT", "SHORTCUT", "CONFIG", "OBJECT", "S3", "BUCKET",
    "PREFIX"})
# A value that looks generated: 16 to 512 characters of a key alphabet, no spaces.
_KEY_ALPHABET = re.compile(r"^[A-Za-z0-9+/=_.-]{16,512}$")


def is_key_like_secret(name: str, value: str) -> bool:
    """A ``*_KEY`` name (``LICENSE_KEY``, ``licenseKey``) with a value that looks generated
    (``lgNvGyhnUKpa5PJi``): 16+ characters of a key alphabet mixing letters and digits, Shannon
    entropy of at least 3.5 bits a character. Names of public or index keys (``*_PUBLIC_KEY``,
    ``RECAPTCHA_SITE_KEY``, ``GPG_KEY``, ``SORT_KEY``) are left out, and so are 40 hex digits
    (a key fingerprint) and placeholders."""
    words = [w for w in _NAME_SEPARATORS.split(_CAMEL_HUMP.sub("_", name).upper()) if w]
    if len(words) < 2 or words[-1] != "KEY" or any(w in _NOT_SECRET_KEY_WORDS for w in words):
        return False
    v = value.strip().strip("\"'")
    if not _KEY_ALPHABET.match(v) or re.fullmatch(r"[0-9A-Fa-f]{40}", v):
        return False
    classes = sum((any(c.islower() for c in v), any(c.isupper() for c in v),
                   any(c.isdigit() for c in v)))
    return classes >= 2 and any(c.isdigit() for c in v) and entropy(v) >= 3.5 \
        and is_literal_secret_value(v)


def is_credential(name: str, value: str, *, resolved: bool = False) -> bool:
    """A variable that holds a credential by its name: a secret name with a literal value
    (``is_secret_name``, ``is_literal_secret_value``), or a ``*_KEY`` name with a generated-
    looking value (``is_key_like_secret``). Value shapes (``value_shape``) are judged apart."""
    return (is_secret_name(name) and is_literal_secret_value(value, resolved=resolved)) or \
        is_key_like_secret(name, value)


def is_reference(value: str) -> bool:
    """``$VAR`` or ``${VAR}`` (with a ``:-default``-style operator) and nothing else: a value
    that names a variable rather than holding one."""
    return _REFERENCE.match(value) is not None


# Placeholders: text that stands where a credential is to be put, not a credential.
_ANGLED = re.compile(r"^<[^<>]+>$")  # <your-key>, <API_KEY>
_TEMPLATE = re.compile(r"^(\$\{[A-Za-z_][A-Za-z0-9_]*\}|\{\{[^{}]*\}\})$")  # ${VAR}, {{ .x }}
_FILLER = re.compile(r"^[xX*.#_-]{3,}$")  # xxx, XXXX-XXXX, ***, ...
_NAME_LIKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")  # GOOGLE_API_KEY_VAL
# Words that say "put the real value here": changeme-in-production, replace_me, your-api-key.
_PLACEHOLDER_WORDS = frozenset({"CHANGEME", "REPLACEME", "PLACEHOLDER"})
_PLACEHOLDER_PAIRS = frozenset({("CHANGE", "ME"), ("REPLACE", "ME"), ("FILL", "ME"),
                                ("PUT", "YOUR"), ("ENTER", "YOUR"), ("INSERT", "YOUR")})
# A first word that asks for the value: INSERT_ETCD_DISCOVERY_TOKEN, "replace with your key".
_PLACEHOLDER_FIRST = frozenset({"INSERT", "REPLACE", "ENTER", "PUT", "FILL", "PROVIDE",
                                "SUPPLY"})
# One word: "yourpassword", "your_api_key" written together, "YOURTOKENHERE".
_YOUR_SECRET = re.compile(r"^YOUR(?:API|ACCESS|SECRET|PRIVATE|AUTH)?(?:PASSWORD|PASSWD|PASS|"
                          r"PASSPHRASE|SECRET|TOKEN|KEY|APIKEY)(?:HERE)?$")


def is_placeholder(value: str) -> bool:
    """A value that stands where a credential goes rather than being one: a template left for
    another tool (``${VAR}``, ``{{ .Values.key }}``, ``<your-key>``), filler (``xxx``,
    ``***``), a variable's name written as its value (``GOOGLE_API_KEY_VAL``), or words asking
    for the real value (``changeme-in-production``, ``your-api-key``, ``replace_me``,
    ``replace with your key``, ``INSERT_ETCD_DISCOVERY_TOKEN``, ``yourpassword``).

    Shapes of real credentials (``value_shape``) are judged before this and win: an
    ``AKIA...EXAMPLE`` key is still a key. A merely weak value (``hunter2``, ``password``,
    ``insecure-dev-default``) is not a placeholder: it is a value someone will run with."""
    v = value.strip()
    if _ANGLED.match(v) or _TEMPLATE.match(v) or _FILLER.match(v):
        return True
    if _NAME_LIKE.match(v) and is_secret_name(v):
        return True
    # Not split on camelCase: `YourPassword1` is a (weak) value someone runs with.
    words = [w for w in _NAME_SEPARATORS.split(v.upper().replace(" ", "_")) if w]
    if not words or len(words) > 8:
        return False
    return ("YOUR" in words or any(w in _PLACEHOLDER_WORDS for w in words)
            or (len(words) > 1 and words[0] in _PLACEHOLDER_FIRST)
            or (len(words) == 1 and _YOUR_SECRET.match(words[0]) is not None)
            or any(pair in _PLACEHOLDER_PAIRS for pair in itertools.pairwise(words)))


def is_literal_secret_value(value: str, *, resolved: bool = False) -> bool:
    """A value that could be a credential: not empty, not a ``$VAR`` reference, not a path to
    a secret file, not a switch, not a placeholder (``is_placeholder``). ``resolved``: the
    value is final (a container's environment, after compose interpolation), so a ``$`` in it
    is a literal character, not a reference (a whole ``${VAR}`` is still a template left for
    another tool: a placeholder)."""
    v = value.strip()
    return not (v.lower() in _NOT_A_VALUE or (not resolved and is_reference(v))
                or _PATH.match(v) or is_placeholder(v) or is_public_value(v))


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def redact(value: str) -> str:
    return value[:3] + "…" if len(value) > 6 else "…"
