"""A read-only client for the OCI distribution API (pull side only: hullcheck never pushes).

Auth: anonymous, basic, or bearer tokens from the registry's ``WWW-Authenticate`` challenge
(an identity token goes to the realm as an OAuth2 ``refresh_token`` POST). Credentials come from
the Docker client config (``--docker-config``, ``$DOCKER_CONFIG/config.json`` or
``~/.docker/config.json``) exactly as the Docker CLI reads it: ``credHelpers[host]``, else
``credsStore``, else inline ``auths`` (see :mod:`hullcheck.trust.credentials`). A credential helper
(``docker-credential-<name> get``) is run only when a registry asks for authentication, and only
to read: hullcheck never stores or erases credentials. A helper that is missing, hangs (10 s) or
answers nonsense gives one note, and the registry is tried as docker would (inline credentials,
else anonymously); secrets never appear in notes or errors.

TLS: the usual CAs plus, per registry, ``/etc/docker/certs.d/<host[:port]>/*.crt`` and
``/etc/containers/certs.d/<host[:port]>/*.crt`` (client certificates ``*.cert`` + ``*.key`` there
too), plus every ``--registry-ca FILE`` (see :mod:`hullcheck.trust.registry_tls`). Plain HTTP is
used only for hosts named in ``insecure`` (``--insecure-registry HOST:PORT``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hullcheck.trust.credentials import (
    DOCKER_HUB_AUTH_KEY,
    HELPER_TIMEOUT,
    Credentials,
    Resolved,
    docker_config_path,
    resolve,
)
from hullcheck.trust.registry_tls import DEFAULT_CERTS_DIRS

__all__ = [
    "DOCKER_HUB_AUTH_KEY",
    "Credentials",
    "RegistryClient",
    "RegistryError",
    "RegistryOptions",
    "docker_config_path",
    "load_credentials",
]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST)
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MAX_MANIFEST = 4 << 20
DOCKER_HUB_API = "registry-1.docker.io"


class RegistryError(Exception):
    """A registry that cannot be reached or refuses us: one clear line."""


@dataclass
class RegistryOptions:
    insecure: frozenset[str] = frozenset()  # HOST:PORT spoken to over plain HTTP
    timeout: float = 30.0
    docker_config: Path | None = None  # defaults to $DOCKER_CONFIG/config.json or ~/.docker/
    ca_files: tuple[Path, ...] = ()  # --registry-ca: trusted for every registry
    certs_dirs: tuple[Path, ...] = DEFAULT_CERTS_DIRS  # <dir>/<host[:port]>/*.crt (tests: tmp)
    helper_timeout: float = HELPER_TIMEOUT
    notes: list[str] = field(default_factory=list)
    # host -> what the config and its helper gave; a helper runs once per host and run
    _resolved: dict[str, Resolved] = field(default_factory=dict, repr=False)

    def credentials_for(self, host: str) -> Resolved:
        if host not in self._resolved:
            path = docker_config_path(self.docker_config)
            self._resolved[host] = resolve(host, path, self.helper_timeout)
        found = self._resolved[host]
        note = found.note(host)
        if note and note not in self.notes:  # notes are cleared per image; say it for each
            self.notes.append(note)
        return found


def load_credentials(
    host: str, config_path: Path, notes: list[str] | None = None
) -> Credentials | None:
    """Credentials for ``host`` from a Docker client config and its credential helpers."""
    found = resolve(host, config_path)
    note = found.note(host)
    if note and notes is not None:
        notes.append(note)
    return found.credentials


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
        self._tls_ready = False
        self._auth_header: dict[str, str] = {}  # scope -> Authorization value

    @property
    def credentials(self) -> Credentials | None:
        """Resolved on first use: a credential helper runs only when a registry asks for auth."""
        return self.options.credentials_for(self.registry).credentials

    def _setup_tls(self) -> None:
        """Mount an adapter with this registry's extra CAs / client certificate, if it has any.
        It serves the whole session, so a token realm on another host trusts them too (docker's
        token handler shares the registry's transport the same way)."""
        from hullcheck.trust import registry_tls

        self._tls_ready = True
        hosts = [self.base.split("://", 1)[1], self.registry]
        try:
            material = registry_tls.host_material(
                hosts, self.options.certs_dirs, self.options.ca_files
            )
            self.options.notes.extend(n for n in material.notes if n not in self.options.notes)
            if material:
                adapter = registry_tls.context_adapter(registry_tls.ssl_context(material))
                self.session.mount("https://", adapter)
        except registry_tls.TlsConfigError as exc:
            raise RegistryError(f"{self.registry}: {exc}") from None

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

        if not self._tls_ready:
            self._setup_tls()
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
                raise RegistryError(
                    f"{self.registry}: TLS error{self._tls_hint(exc)}: {_short(exc)}"
                ) from None
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

    def _tls_hint(self, exc: BaseException) -> str:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return (
                " (a registry with its own CA needs --registry-ca FILE or"
                f" /etc/docker/certs.d/{self.registry}/ca.crt)"
            )
        text = str(exc).upper()
        if "ALERT_BAD_CERTIFICATE" in text or "CERTIFICATE_REQUIRED" in text:
            return (
                " (the registry wants a client certificate: client.cert and client.key in"
                f" /etc/docker/certs.d/{self.registry}/)"
            )
        if self.base.startswith("https://"):
            return f" (a plain-HTTP registry needs --insecure-registry {self.registry})"
        return ""

    def _no_credentials(self, scheme: str) -> RegistryError:
        problem = self.options.credentials_for(self.registry).problem
        why = f" ({problem})" if problem else " in the Docker config"
        return RegistryError(
            f"{self.registry}: authentication required ({scheme}) and no credentials for it{why}"
        )

    def _authenticate(self, challenge: str, scope: str) -> str:
        scheme, params = parse_challenge(challenge)
        creds = self.credentials
        if scheme == "basic":
            if creds is None:
                raise self._no_credentials("basic")
            if creds.identity_token:
                raise RegistryError(
                    f"{self.registry}: the Docker config holds an identity token for it, which"
                    " only registries with token (bearer) auth accept; this one asks for basic"
                )
            token = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            return f"Basic {token}"
        if scheme == "bearer" and params.get("realm"):
            return f"Bearer {self._bearer_token(params, scope, creds)}"
        raise RegistryError(f"{self.registry}: unsupported authentication challenge {challenge!r}")

    def _bearer_token(
        self, params: dict[str, str], scope: str, creds: Credentials | None
    ) -> str:
        """A token from the realm (distribution's token auth): a GET, anonymous or with basic
        credentials; with an identity token, the OAuth2 refresh-token POST (docker does this)."""
        import requests

        wanted = params.get("scope", scope)
        try:
            if creds is not None and creds.identity_token:
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": creds.identity_token,
                    "client_id": "hullcheck",
                    "scope": wanted,
                }
                if params.get("service"):
                    form["service"] = params["service"]
                resp = self.session.post(
                    params["realm"], data=form, timeout=self.options.timeout
                )
            else:
                query = {"scope": wanted}
                if params.get("service"):
                    query["service"] = params["service"]
                auth = (creds.username, creds.password) if creds else None
                resp = self.session.get(
                    params["realm"], params=query, auth=auth, timeout=self.options.timeout
                )
        except requests.exceptions.RequestException as exc:
            raise RegistryError(
                f"{self.registry}: token service unreachable: {_short(exc)}"
            ) from None
        if resp.status_code != 200:
            if creds is None and resp.status_code in (401, 403):
                raise self._no_credentials("bearer")
            raise RegistryError(
                f"{self.registry}: token service refused us (HTTP {resp.status_code})"
            )
        bearer: str | None = None
        try:
            doc = resp.json()
            bearer = doc.get("token") or doc.get("access_token")
        except (ValueError, AttributeError):
            pass
        if not bearer or not isinstance(bearer, str):
            raise RegistryError(f"{self.registry}: token service answered without a token")
        return bearer

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
