"""Which files inside an image hold secrets.

Two steps so that reading every layer stays cheap: ``candidate`` looks at the path only (called
for every member), ``confirm`` reads a small candidate's content and says what it holds, or None
for a near miss (a certificate next to keys, an ``.npmrc`` without a token, a Docker config with no
``auth``).
"""

from __future__ import annotations

import json
import posixpath
import re

_KEY_NAMES = frozenset(
    {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}
)
_KEY_SUFFIXES = (".pem", ".key", ".p8")
_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
_NPM_TOKEN = re.compile(rb"(?m)^\s*(?:[^=\s]*:)?_(?:authToken|auth|password)\s*=\s*\S+")
_PYPI_PASSWORD = re.compile(rb"(?m)^\s*password\s*[=:]\s*\S+")
_GIT_CRED = re.compile(rb"(?m)^[a-z][a-z0-9+.-]*://[^:/@\s]+:[^@\s]+@")
_AWS_SECRET = re.compile(rb"(?im)^\s*aws_secret_access_key\s*=\s*\S+")
_KUBE_SECRET = re.compile(rb"(?m)^\s*(?:client-key-data|token|password|client-key)\s*:\s*\S+")
_DOTENV_LINE = re.compile(rb"(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*?)\s*$")


def candidate(path: str) -> str | None:
    """The kind of secret a file at ``path`` could hold, from its path alone."""
    base = posixpath.basename(path)
    if (
        base in _KEY_NAMES
        or base.endswith(_KEY_SUFFIXES)
        or (base.startswith("ssh_host_") and base.endswith("_key"))
    ):
        return "private-key"
    parent = posixpath.basename(posixpath.dirname(path))
    if base == "credentials" and parent == ".aws":
        return "aws"
    if base == "config.json" and parent == ".docker":
        return "docker"
    if base == ".npmrc":
        return "npm"
    if base == ".pypirc":
        return "pypi"
    if base == ".git-credentials":
        return "git"
    if (base == "config" and parent == ".kube") or base in ("kubeconfig", "kubeconfig.yaml"):
        return "kube"
    if base == ".env" or (base.startswith(".env.") and base not in _DOTENV_EXAMPLES):
        return "dotenv"
    return None


_DOTENV_EXAMPLES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})


def confirm(category: str, path: str, data: bytes) -> str | None:
    """What the content holds, or None when it holds no secret."""
    if category == "private-key":
        return "a private key" if _PRIVATE_KEY.search(data) else None
    if category == "aws":
        return "AWS credentials" if _AWS_SECRET.search(data) else None
    if category == "docker":
        return "registry credentials (Docker config with auth)" if _docker_auth(data) else None
    if category == "npm":
        return "an npm registry token" if _NPM_TOKEN.search(data) else None
    if category == "pypi":
        return "a PyPI password or token" if _PYPI_PASSWORD.search(data) else None
    if category == "git":
        return "Git credentials" if _GIT_CRED.search(data) else None
    if category == "kube":
        return "Kubernetes credentials (kubeconfig)" if _KUBE_SECRET.search(data) else None
    if category == "dotenv":
        return "environment secrets (.env file)" if _dotenv_secret(data) else None
    return None


def _dotenv_secret(data: bytes) -> bool:
    """A line that sets a credential, judged as DF010 judges ``ENV``: a literal value under a
    secret name (``DB_PASSWORD=hunter2``) or a value shaped like one (a URL with a password).
    A ``.env`` of public settings (``PORT=3000``, Next.js' ``NEXT_PUBLIC_*``) holds none."""
    from hullcheck.credentials import (
        is_credential,
        value_shape,
    )

    for m in _DOTENV_LINE.finditer(data):
        name = m.group(1).decode("ascii")
        value = m.group(2).decode("utf-8", "replace")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if value_shape(value) is not None or (
                is_credential(name, value)):
            return True
    return False


def _docker_auth(data: bytes) -> bool:
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        return False
    if not isinstance(doc, dict):
        return False
    auths = doc.get("auths")
    if isinstance(auths, dict):
        for entry in auths.values():
            if isinstance(entry, dict) and (
                entry.get("auth") or entry.get("identitytoken") or entry.get("password")
            ):
                return True
    return False
