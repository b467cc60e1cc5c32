"""A read-only client for the OCI distribution API (pull side only: hullcheck never pushes).

Auth: anonymous, basic, or bearer tokens from the registry's ``WWW-Authenticate`` challenge;
credentials come from ``~/.docker/config.json`` (``$DOCKER_CONFIG``), ``auths.<host>.auth`` or
``username``/``password``. Credential helpers (``credsStore``/``credHelpers``) are not run:
hullcheck starts no processes, so those registries are tried anonymously (and we say so). Plain
HTTP is used only for hosts named in ``insecure`` (``--insecure-registry HOST:PORT``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST)
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MAX_MANIFEST = 4 << 20
DOCKER_HUB_API = "registry-1.docker.io"
DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/"


class RegistryError(Exception):
    """A registry that cannot be reached or refuses us: one clear line."""


@dataclass
class Credentials:
    username: str
    password: str


@dataclass
class RegistryOptions:
    insecure: frozenset[str] = frozenset()  # HOST:PORT spoken to over plain HTTP
    timeout: float = 30.0
    docker_config: Path | None = None  # defaults to $DOCKER_CONFIG/config.json or ~/.docker/
    notes: list[str] = field(default_factory=list)


def docker_config_path(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def load_credentials(
    host: str, config_path: Path, notes: list[str] | None = None
) -> Credentials | None:
    """Credentials for ``host`` from a Docker client config file, if it holds them inline."""
    try:
        doc = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    keys = [host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/"]
    if host == "docker.io":
        keys = [DOCKER_HUB_AUTH_KEY, "docker.io", "index.docker.io", "registry-1.docker.io", *keys]
    auths: dict[str, Any] = doc["auths"] if isinstance(doc.get("auths"), dict) else {}
    for key in keys:
        entry = auths.get(key)
        if not isinstance(entry, dict):
            continue
        if entry.get("auth"):
            try:
                user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                continue
            return Credentials(user, password)
        if entry.get("username") and entry.get("password"):
            return Credentials(str(entry["username"]), str(entry["password"]))
    helpers: dict[str, Any] = doc["credHelpers"] if isinstance(doc.get("credHelpers"), dict) else {}
    if notes is not None and (doc.get("credsStore") or host in helpers):
        notes.append(
            f"{host}: credentials are kept by a Docker credential helper, which hullcheck does"
            " not run; trying anonymously"
        )
    return None


_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(_CHALLENGE_PARAM.findall(rest))


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryClient:
    def __init__(self, registry: str, options: RegistryOptions | None = None) -> None:
        import requests

        self.registry = registry
        self.options = options or RegistryOptions()
        api_host = DOCKER_HUB_API if registry == "docker.io" else registry
        scheme = "http" if registry in self.options.insecure else "https"
        self.base = f"{scheme}://{api_host}"
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "hullcheck"
        self.credentials = load_credentials(
            registry, docker_config_path(self.options.docker_config), self.options.notes
        )
        self._auth_header: dict[str, str] = {}  # scope -> Authorization value

    # --- transport --------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        repo: str,
        headers: dict[str, str] | None = None,
        stream: bool = False,
    ) -> Any:
        import requests

        url = f"{self.base}/v2/{path}"
        scope = f"repository:{repo}:pull"
        hdrs = dict(headers or {})
        for attempt in range(2):
            auth = self._auth_header.get(scope)
            if auth:
                hdrs["Authorization"] = auth
            try:
                resp = self.session.request(
                    method, url, headers=hdrs, stream=stream, timeout=self.options.timeout
                )
            except requests.exceptions.SSLError as exc:
                hint = ""
                if self.base.startswith("https://"):
                    hint = f" (a plain-HTTP registry needs --insecure-registry {self.registry})"
                raise RegistryError(f"{self.registry}: TLS error{hint}: {_short(exc)}") from None
            except requests.exceptions.RequestException as exc:
                raise RegistryError(
                    f"{self.registry}: cannot reach registry: {_short(exc)}"
                ) from None
            if resp.status_code != 401 or attempt == 1:
                return resp
            challenge = resp.headers.get("WWW-Authenticate", "")
            resp.close()
            self._auth_header[scope] = self._authenticate(challenge, scope)
        raise AssertionError("unreachable")

    def _authenticate(self, challenge: str, scope: str) -> str:
        import requests

        scheme, params = parse_challenge(challenge)
        creds = self.credentials
        if scheme == "basic":
            if creds is None:
                raise RegistryError(
                    f"{self.registry}: authentication required (basic) and no credentials for"
                    " it in the Docker config"
                )
            token = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            return f"Basic {token}"
        if scheme == "bearer" and params.get("realm"):
            query = {"scope": params.get("scope", scope)}
            if params.get("service"):
                query["service"] = params["service"]
            auth = (creds.username, creds.password) if creds else None
            try:
                resp = requests.get(
                    params["realm"], params=query, auth=auth, timeout=self.options.timeout
                )
            except requests.exceptions.RequestException as exc:
                raise RegistryError(
                    f"{self.registry}: token service unreachable: {_short(exc)}"
                ) from None
            if resp.status_code != 200:
                raise RegistryError(
                    f"{self.registry}: token service refused us (HTTP {resp.status_code})"
                )
            bearer: str | None = None
            try:
                doc = resp.json()
                bearer = doc.get("token") or doc.get("access_token")
            except ValueError:
                pass
            if not bearer:
                raise RegistryError(f"{self.registry}: token service answered without a token")
            return f"Bearer {bearer}"
        raise RegistryError(f"{self.registry}: unsupported authentication challenge {challenge!r}")

    # --- API --------------------------------------------------------------------------------
    def get_manifest(
        self, repo: str, reference: str, accept: Iterable[str] = MANIFEST_TYPES
    ) -> tuple[bytes, str, str] | None:
        """(body, media type, digest), or None when the registry has no such manifest."""
        resp = self._request(
            "GET",
            f"{repo}/manifests/{reference}",
            repo,
            {"Accept": ", ".join(accept)},
            stream=True,
        )
        with resp:
            if resp.status_code == 404:
                return None
            if resp.status_code != 200:
                raise RegistryError(
                    f"{self.registry}/{repo}:{reference}: manifest request failed"
                    f" (HTTP {resp.status_code})"
                )
            body = resp.raw.read(MAX_MANIFEST + 1, decode_content=True)
        if len(body) > MAX_MANIFEST:
            raise RegistryError(f"{self.registry}/{repo}: manifest larger than 4 MiB")
        digest = sha256_digest(body)
        if reference.startswith("sha256:") and digest != reference:
            raise RegistryError(
                f"{self.registry}/{repo}@{reference}: registry sent a manifest with digest {digest}"
            )
        media_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
        try:
            doc = json.loads(body)
            media_type = doc.get("mediaType") or media_type
        except ValueError:
            raise RegistryError(f"{self.registry}/{repo}: manifest is not JSON") from None
        return body, media_type, digest

    def open_blob(self, repo: str, digest: str) -> tuple[IO[bytes], int | None]:
        resp = self._request("GET", f"{repo}/blobs/{digest}", repo, stream=True)
        if resp.status_code != 200:
            resp.close()
            raise RegistryError(
                f"{self.registry}/{repo}: blob {digest} not available (HTTP {resp.status_code})"
            )
        size = resp.headers.get("Content-Length")
        resp.raw.decode_content = False
        return resp.raw, int(size) if size and size.isdigit() else None

    def read_blob(self, repo: str, digest: str, limit: int = MAX_MANIFEST) -> bytes:
        raw, _ = self.open_blob(repo, digest)
        data = raw.read(limit + 1)
        raw.close()
        if len(data) > limit:
            raise RegistryError(f"{self.registry}/{repo}: blob {digest} larger than expected")
        if sha256_digest(data) != digest:
            raise RegistryError(f"{self.registry}/{repo}: blob {digest} does not match its digest")
        return data

    def referrers(self, repo: str, digest: str) -> tuple[list[dict[str, Any]], str]:
        """Descriptors of manifests whose ``subject`` is ``digest``, and how they were found
        (the referrers API, or the referrers tag schema ``sha256-<hex>`` where it is missing)."""
        resp = self._request(
            "GET", f"{repo}/referrers/{digest}", repo, {"Accept": OCI_INDEX}, stream=True
        )
        with resp:
            if resp.status_code == 200:
                body = resp.raw.read(MAX_MANIFEST + 1, decode_content=True)
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = {}
                if isinstance(doc, dict) and isinstance(doc.get("manifests"), list):
                    return list(doc["manifests"]), "referrers API"
        tag = digest.replace(":", "-")
        found = self.get_manifest(repo, tag, accept=(OCI_INDEX,))
        if found is None:
            return [], "referrers tag"
        doc = json.loads(found[0])
        manifests = doc.get("manifests") if isinstance(doc, dict) else None
        return (list(manifests) if isinstance(manifests, list) else []), "referrers tag"


def _short(exc: BaseException) -> str:
    """The innermost reason of a ``requests`` error, which nests urllib3 reprs several deep:
    "... (Caused by NameResolutionError(\"...: Failed to resolve 'x' ([Errno -2] Name or
    service not known)\"))" -> "Name or service not known"."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^\]'\"()]+)", text) or re.search(
        r"\] ([^'\]\"()]+)", text) or re.search(r": ([^:()'\"]+)[)'\"]*$", text)
    return (m.group(1) if m else text)[:200].strip()
