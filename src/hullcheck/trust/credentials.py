"""Registry credentials found the way the Docker CLI finds them.

docker/cli (``cli/config/configfile/file.go``, ``cli/config/credentials/``) resolves one key per
registry: the registry's host (``HOST[:PORT]``), or ``https://index.docker.io/v1/`` for Docker Hub.
Then:

0. ``$DOCKER_AUTH_CONFIG`` (a config document in the environment, docker CLI 28+): an ``auths``
   entry for exactly that key wins over everything below;
1. ``credHelpers[key]`` names a helper for that key, else ``credsStore`` names the default one;
2. with a helper, ``docker-credential-<name> get`` gets the key on stdin and answers
   ``{"ServerURL", "Username", "Secret"}``; ``Username == "<token>"`` means the secret is an
   identity (refresh) token. "credentials not found" means anonymous, even when ``auths`` holds an
   entry for the key (docker overwrites it with the empty answer). A helper that fails otherwise
   leaves docker with the ``auths`` entry (its error is ignored by ``ResolveAuthConfig``): we do
   the same, and say what went wrong in one note;
3. without a helper, ``auths[key]``, or else the first ``auths`` key whose host part
   (``https://HOST/v1/`` -> ``HOST``) is the key. For Docker Hub we also accept the aliases other
   clients write (``docker.io``, ``index.docker.io``, ``registry-1.docker.io``).

Running a helper only reads credentials (``get``; never ``store``/``erase``), and only when a
registry asks for authentication. A helper is hostile too: it gets 10 s and 1 MiB of output, then
it and everything it started are killed, and the registry is tried without it. Secrets never
appear in notes or errors: helper output is never echoed, and :class:`Credentials` hides them
from ``repr``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hullcheck.bounded_process import OutputTooLong, TimedOut, run_bounded

DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/"
HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io")
TOKEN_USERNAME = "<token>"
HELPER_PREFIX = "docker-credential-"
HELPER_TIMEOUT = 10.0
MAX_HELPER_OUTPUT = 1 << 20  # a credential is a few KiB; more is refused (and not kept)
NOT_FOUND = "credentials not found"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)
    # An identity (refresh) token: exchanged at the bearer realm with an OAuth2 POST.
    identity_token: str | None = field(default=None, repr=False)


class CredentialHelperError(Exception):
    """A helper that could not answer: missing, timed out, failed, or said something unreadable.
    The message never holds the helper's output."""


def docker_config_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def config_key(host: str) -> str:
    """The key docker uses for ``host`` in ``credHelpers``, ``auths`` and on a helper's stdin."""
    return DOCKER_HUB_AUTH_KEY if host == "docker.io" else host


def read_config(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def configured_helper(doc: dict[str, Any], key: str) -> str | None:
    helpers = doc.get("credHelpers")
    if isinstance(helpers, dict) and key and isinstance(helpers.get(key), str):
        return str(helpers[key]) or None
    store = doc.get("credsStore")
    return store if isinstance(store, str) and store else None


def hostname_of(key: str) -> str:
    """docker's ``ConvertToHostname``: ``https://reg:5000/v1/`` -> ``reg:5000``."""
    if "://" in key:
        parts = urlsplit(key)
        if parts.netloc:
            return parts.netloc
    return key.split("/", 1)[0]


def inline_credentials(doc: dict[str, Any], host: str) -> Credentials | None:
    auths = doc.get("auths")
    if not isinstance(auths, dict):
        return None
    key = config_key(host)
    keys = [key]
    if host == "docker.io":
        keys += [k for k in auths if hostname_of(k) in HUB_ALIASES]
    else:
        keys += [k for k in auths if k != key and hostname_of(k) == key]
    for k in keys:
        creds = _entry_credentials(auths.get(k))
        if creds is not None:
            return creds
    return None


def _entry_credentials(entry: Any) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    token = entry.get("identitytoken")
    user, password = entry.get("username"), entry.get("password")
    if entry.get("auth"):
        try:
            user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
    if isinstance(token, str) and token:
        return Credentials(str(user or ""), "", token)
    if user and password:
        return Credentials(str(user), str(password))
    return None


def _env_auths() -> dict[str, Any]:
    """``auths`` of ``$DOCKER_AUTH_CONFIG`` (a config.json document; docker CLI 28+). Docker
    looks keys up there exactly, and ignores the variable when it does not parse."""
    text = os.environ.get("DOCKER_AUTH_CONFIG")
    if not text:
        return {}
    try:
        doc = json.loads(text)
    except ValueError:
        return {}
    auths = doc.get("auths") if isinstance(doc, dict) else None
    if not isinstance(auths, dict):
        return {}
    return {k: v for k, v in auths.items() if isinstance(v, dict)}


def run_helper(name: str, server: str, timeout: float = HELPER_TIMEOUT) -> Credentials | None:
    """``docker-credential-<name> get`` for ``server``; None when it holds nothing for it."""
    program = HELPER_PREFIX + name
    where = f"credential helper {program}"
    exe = shutil.which(program)
    if exe is None:
        raise CredentialHelperError(f"{where} is not installed (not on PATH)")
    try:
        returncode, stdout, stderr = run_bounded(
            [exe, "get"], stdin=server.encode(), timeout=timeout,
            max_stdout=MAX_HELPER_OUTPUT, max_stderr=MAX_HELPER_OUTPUT)
    except TimedOut:
        raise CredentialHelperError(f"{where} did not answer within {timeout:g} s") from None
    except OutputTooLong:
        raise CredentialHelperError(
            f"{where} answered with more than {MAX_HELPER_OUTPUT >> 20} MiB"
        ) from None
    except OSError as exc:
        raise CredentialHelperError(
            f"{where} could not be run ({exc.strerror or exc.__class__.__name__})"
        ) from None
    try:
        out, err = stdout.decode(), stderr.decode(errors="replace")
    except UnicodeError:
        raise CredentialHelperError(f"{where} answered with something that is not text") from None
    if returncode != 0:
        said = out.strip() or err.strip()
        if NOT_FOUND in said.lower():
            return None
        # A failing helper prints its error, not a secret; still, only its exit status is shown.
        raise CredentialHelperError(f"{where} failed (exit status {returncode})")
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not all(
        isinstance(doc.get(k, ""), str) for k in ("Username", "Secret")
    ):
        raise CredentialHelperError(f"{where} answered with something that is not a credential")
    username, secret = str(doc.get("Username") or ""), str(doc.get("Secret") or "")
    if not secret:
        return None
    if username == TOKEN_USERNAME:
        return Credentials("", "", secret)
    return Credentials(username, secret)


@dataclass
class Resolved:
    credentials: Credentials | None
    problem: str | None = None  # why a helper gave nothing (no secret in it)

    def note(self, host: str) -> str | None:
        if not self.problem:
            return None
        then = "using the config's inline credentials" if self.credentials else "trying anonymously"
        return f"{host}: {self.problem}; {then}"


def resolve(host: str, config_path: Path, timeout: float = HELPER_TIMEOUT) -> Resolved:
    """Credentials for ``host`` with docker's precedence (see the module docstring)."""
    key = config_key(host)
    from_env = _env_auths().get(key)
    if from_env is not None:  # DOCKER_AUTH_CONFIG: an exact key wins over every store
        return Resolved(_entry_credentials(from_env))
    doc = read_config(config_path)
    helper = configured_helper(doc, key)
    if helper is None:
        return Resolved(inline_credentials(doc, host))
    try:
        return Resolved(run_helper(helper, key, timeout))
    except CredentialHelperError as exc:
        return Resolved(inline_credentials(doc, host), str(exc))
