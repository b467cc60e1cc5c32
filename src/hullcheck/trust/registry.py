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

Registries, their token services and the storage they redirect to are hostile until proven
otherwise. Credentials (keyed by the registry's ``HOST:PORT``) go only to the registry itself and
to the token realm that the registry's own challenge names; never to a redirect target, nor to a
realm a redirect target names, nor to a plain-HTTP realm of an HTTPS registry. Redirects are
followed by hand (at most 10), without reading their bodies. Bodies are capped (manifests and
referrer lists 4 MiB, token answers 1 MiB; error bodies are never read) and every image has one
overall deadline for all its registry traffic (``--registry-timeout``, see
:mod:`hullcheck.trust.registry_http`). Every manifest, blob and referrer is fetched by a
well-formed sha256 digest where one is expected, and checked against it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

from hullcheck.trust.credentials import (
    DOCKER_HUB_AUTH_KEY,
    HELPER_TIMEOUT,
    Credentials,
    Resolved,
    docker_config_path,
    resolve,
)
from hullcheck.trust.registry_http import (
    DEFAULT_DEADLINE,
    Deadline,
    netloc,
    new_session,
    origin,
    transport_adapter,
)
from hullcheck.trust.registry_tls import DEFAULT_CERTS_DIRS

__all__ = [
    "DEFAULT_DEADLINE",
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
MAX_MANIFEST = 4 << 20  # a manifest, an index, a referrers list
MAX_TOKEN_BODY = 1 << 20  # a token service's answer (a token is a few KiB)
MAX_REDIRECTS = 10  # as Go's HTTP client (docker) follows
READ_CHUNK = 64 << 10  # bodies are read in steps of this, checking the deadline between
DOCKER_HUB_API = "registry-1.docker.io"


class RegistryError(Exception):
    """A registry that cannot be reached or refuses us: one clear line."""


@dataclass
class RegistryOptions:
    insecure: frozenset[str] = frozenset()  # HOST:PORT spoken to over plain HTTP
    timeout: float = 30.0  # per connect / read; the deadline bounds the whole image
    deadline: float = DEFAULT_DEADLINE  # seconds of registry traffic per image
    docker_config: Path | None = None  # defaults to $DOCKER_CONFIG/config.json or ~/.docker/
    ca_files: tuple[Path, ...] = ()  # --registry-ca: trusted for every registry
    certs_dirs: tuple[Path, ...] = DEFAULT_CERTS_DIRS  # <dir>/<host[:port]>/*.crt (tests: tmp)
    helper_timeout: float = HELPER_TIMEOUT
    notes: list[str] = field(default_factory=list)
    # host -> what the config and its helper gave; a helper runs once per host and run
    _resolved: dict[str, Resolved] = field(default_factory=dict, repr=False)

    @classmethod
    def for_run(cls, options: Any) -> RegistryOptions:
        """What ``scan`` reads registries with (``--verify-signatures``, ``--resolve-images``):
        ``--insecure-registry``, ``--registry-ca``, ``--registry-timeout`` of the run's
        ``RunOptions``, credentials from the Docker client config."""
        return cls(insecure=frozenset(options.get("insecure_registry") or []),
                   ca_files=tuple(Path(p) for p in options.get("registry_ca") or []),
                   deadline=options.get("registry_timeout") or DEFAULT_DEADLINE)

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
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(_CHALLENGE_PARAM.findall(rest))


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class RegistryClient:
    def __init__(self, registry: str, options: RegistryOptions | None = None) -> None:
        self.registry = registry
        self.options = options or RegistryOptions()
        api_host = DOCKER_HUB_API if registry == "docker.io" else registry
        scheme = "http" if registry in self.options.insecure else "https"
        self.base = f"{scheme}://{api_host}"
        # the clock of this image's registry traffic starts now (see registry_http)
        self.deadline = Deadline(self.options.deadline)
        self.session = new_session()
        self.session.headers["User-Agent"] = "hullcheck"
        # bodies as sent: a compressed token or manifest would be inflated before any cap
        self.session.headers["Accept-Encoding"] = "identity"
        self._transport_ready = False
        self._auth_header: dict[str, str] = {}  # scope -> Authorization value

    @property
    def credentials(self) -> Credentials | None:
        """Resolved on first use: a credential helper runs only when a registry asks for auth."""
        return self.options.credentials_for(self.registry).credentials

    def _setup_transport(self) -> None:
        """Mount the adapter that ties every connection to the deadline, with this registry's
        extra CAs / client certificate if it has any. It serves the whole session, so a token
        realm on another host trusts them too (docker's token handler shares the registry's
        transport the same way)."""
        from hullcheck.trust import registry_tls

        hosts = [self.base.split("://", 1)[1], self.registry]
        try:
            material = registry_tls.host_material(
                hosts, self.options.certs_dirs, self.options.ca_files
            )
            self.options.notes.extend(n for n in material.notes if n not in self.options.notes)
            context = registry_tls.ssl_context(material) if material else None
        except registry_tls.TlsConfigError as exc:
            raise RegistryError(f"{self.registry}: {exc}") from None
        adapter = transport_adapter(self.deadline, context)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._transport_ready = True

    def _deadline_error(self) -> RegistryError:
        return RegistryError(
            f"{self.registry}: no complete answer within {self.deadline.seconds:g} s, the"
            " registry deadline for one image (--registry-timeout S allows more)"
        )

    # --- transport --------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        data: dict[str, str] | None = None,
        token_service: bool = False,
    ) -> Any:
        """One request, following up to ``MAX_REDIRECTS`` redirects by hand: ``requests`` would
        read each redirect's body to its end (unbounded), and we decide who gets what.
        ``Authorization`` only ever goes to the origin of ``url``; a body (a refresh token) is
        never sent to another origin. Bodies are left unread (``stream``)."""
        import requests

        if not self._transport_ready:
            self._setup_transport()
        home = origin(url)
        hdrs = dict(headers)
        for _hop in range(MAX_REDIRECTS + 1):
            timeout = self.deadline.timeout(self.options.timeout)
            if timeout is None:
                raise self._deadline_error()
            try:
                resp = self.session.request(
                    method, url, headers=hdrs, data=data, stream=True, timeout=timeout,
                    allow_redirects=False,
                )
            except Exception as exc:  # a cut socket may surface as nearly anything
                if self.deadline.passed:
                    raise self._deadline_error() from None
                if not isinstance(exc, requests.exceptions.RequestException):
                    raise
                if token_service:
                    raise RegistryError(
                        f"{self.registry}: token service unreachable: {_short(exc)}"
                    ) from None
                if isinstance(exc, requests.exceptions.SSLError):
                    raise RegistryError(
                        f"{self.registry}: TLS error{self._tls_hint(exc)}: {_short(exc)}"
                    ) from None
                raise RegistryError(
                    f"{self.registry}: cannot reach registry: {_short(exc)}"
                ) from None
            if not resp.is_redirect:
                return resp
            location = resp.headers["Location"]
            resp.close()
            url = urljoin(resp.url, location)
            if origin(url)[0] not in ("http", "https"):
                raise RegistryError(
                    f"{self.registry}: redirected to {location[:100]!r}, not an HTTP(S) URL"
                )
            if origin(url) != home:
                hdrs.pop("Authorization", None)
                if data is not None:
                    raise RegistryError(
                        f"{self.registry}: the token service redirected to {netloc(url)}; the"
                        " refresh token is not sent to another host"
                    )
            if data is not None and resp.status_code not in (307, 308):
                method, data = "GET", None
        raise RegistryError(f"{self.registry}: more than {MAX_REDIRECTS} redirects")

    def _request(
        self, path: str, repo: str, headers: dict[str, str] | None = None
    ) -> Any:
        """``GET /v2/<path>``, authenticating when the registry itself asks to."""
        url = f"{self.base}/v2/{path}"
        scope = f"repository:{repo}:pull"
        hdrs = dict(headers or {})
        for attempt in range(2):
            auth = self._auth_header.get(scope)
            if auth:
                hdrs["Authorization"] = auth
            resp = self._send("GET", url, hdrs)
            if resp.status_code != 401:
                return resp
            if origin(resp.url) != origin(url):
                # Storage the registry redirected us to (S3, a CDN) wants credentials: it is not
                # the registry, and neither it nor a realm it names ever gets the registry's.
                resp.close()
                raise RegistryError(
                    f"{self.registry}: {netloc(resp.url)}, where the registry redirected us,"
                    " asks for authentication (HTTP 401); registry credentials only go where"
                    " the registry itself asks for them"
                )
            if attempt == 1:
                return resp
            challenge = resp.headers.get("WWW-Authenticate", "")
            resp.close()
            self._auth_header[scope] = self._authenticate(challenge, scope)
        raise AssertionError("unreachable")

    def _read(self, resp: Any, limit: int, what: str) -> bytes:
        """The body of ``resp``, at most ``limit`` bytes, read in small steps so that the
        deadline and the cap both hold whatever the server sends (and however slowly)."""
        chunks: list[bytes] = []
        total = 0
        with resp:
            while True:
                if self.deadline.passed:
                    raise self._deadline_error()
                try:
                    chunk = resp.raw.read(min(READ_CHUNK, limit + 1 - total), decode_content=True)
                except Exception as exc:  # urllib3's ProtocolError, a cut socket, ...
                    if self.deadline.passed:
                        raise self._deadline_error() from None
                    raise RegistryError(
                        f"{self.registry}: connection broken while reading {what}: {_short(exc)}"
                    ) from None
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > limit:
                    raise RegistryError(f"{self.registry}: {what} larger than {_size(limit)}")
        if self.deadline.passed:  # a cut connection ends like a short body
            raise self._deadline_error()
        return b"".join(chunks)

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
        raise RegistryError(
            f"{self.registry}: unsupported authentication challenge {_clip(challenge)!r}"
        )

    def _bearer_token(
        self, params: dict[str, str], scope: str, creds: Credentials | None
    ) -> str:
        """A token from the realm (distribution's token auth): a GET, anonymous or with basic
        credentials; with an identity token, the OAuth2 refresh-token POST (docker does this).
        Only the registry's own challenge names the realm (see ``_request``), as
        registry-1.docker.io names auth.docker.io; the realm may not downgrade an HTTPS
        registry to plain HTTP, which would send the credentials in the clear."""
        realm = params["realm"]
        scheme = origin(realm)[0]
        if scheme not in ("http", "https"):
            raise RegistryError(
                f"{self.registry}: token realm {_clip(realm)!r} is not an HTTP(S) URL"
            )
        if scheme == "http" and self.base.startswith("https://"):
            raise RegistryError(
                f"{self.registry}: its token realm http://{netloc(realm)} is plain HTTP;"
                " credentials are not sent in the clear (--insecure-registry"
                f" {self.registry} would speak plain HTTP to the registry too)"
            )
        wanted = params.get("scope", scope)
        headers: dict[str, str] = {}
        if creds is not None and creds.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": creds.identity_token,
                "client_id": "hullcheck",
                "scope": wanted,
            }
            if params.get("service"):
                form["service"] = params["service"]
            resp = self._send("POST", realm, headers, data=form, token_service=True)
        else:
            query = {"scope": wanted}
            if params.get("service"):
                query["service"] = params["service"]
            if creds is not None:
                pair = f"{creds.username}:{creds.password}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            url = realm + ("&" if "?" in realm else "?") + urlencode(query)
            resp = self._send("GET", url, headers, token_service=True)
        if resp.status_code != 200:
            resp.close()  # its body is never read: an error page can be as large as it likes
            if creds is None and resp.status_code in (401, 403):
                raise self._no_credentials("bearer")
            raise RegistryError(
                f"{self.registry}: token service refused us (HTTP {resp.status_code})"
            )
        body = self._read(resp, MAX_TOKEN_BODY, "the token service's answer")
        bearer: Any = None
        try:
            doc = json.loads(body)
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
        """(body, media type, digest), or None when the registry has no such manifest.
        ``reference`` is a tag or a sha256 digest; a manifest fetched by digest is checked."""
        sep = "@" if ":" in reference else ":"
        where = f"{self.registry}/{repo}{sep}{_clip(reference)}"
        if not (is_digest(reference) or _TAG.fullmatch(reference)):
            raise RegistryError(f"{where}: not a tag or a sha256 digest")
        resp = self._request(f"{repo}/manifests/{reference}", repo, {"Accept": ", ".join(accept)})
        if resp.status_code == 404:
            resp.close()
            return None
        if resp.status_code != 200:
            resp.close()
            raise RegistryError(f"{where}: manifest request failed (HTTP {resp.status_code})")
        body = self._read(resp, MAX_MANIFEST, f"the manifest {repo}{sep}{_clip(reference)}")
        digest = sha256_digest(body)
        if is_digest(reference) and digest != reference:
            raise RegistryError(f"{where}: registry sent a manifest with digest {digest}")
        media_type = resp.headers.get("Content-Type", "").split(";")[0].strip()
        try:
            doc = json.loads(body)
        except ValueError:
            raise RegistryError(f"{where}: manifest is not JSON") from None
        if not isinstance(doc, dict):
            raise RegistryError(f"{where}: manifest is not a JSON object")
        declared = doc.get("mediaType")
        return body, declared if isinstance(declared, str) and declared else media_type, digest

    def open_blob(self, repo: str, digest: str) -> tuple[BlobStream, int | None]:
        """The blob's bytes as they arrive (the caller checks them against ``digest``), and
        the size the registry announces."""
        if not is_digest(digest):
            raise RegistryError(
                f"{self.registry}/{repo}: blob {_clip(digest)}: not a sha256 digest"
            )
        resp = self._request(f"{repo}/blobs/{digest}", repo)
        if resp.status_code != 200:
            resp.close()
            raise RegistryError(
                f"{self.registry}/{repo}: blob {digest} not available (HTTP {resp.status_code})"
            )
        size = resp.headers.get("Content-Length")
        resp.raw.decode_content = False
        stream = BlobStream(self, resp, f"blob {digest}")
        return stream, int(size) if size and size.isdigit() else None

    def read_blob(self, repo: str, digest: str, limit: int = MAX_MANIFEST) -> bytes:
        raw, _ = self.open_blob(repo, digest)
        try:
            data = raw.read(limit + 1)
        finally:
            raw.close()
        if len(data) > limit:
            raise RegistryError(f"{self.registry}/{repo}: blob {digest} larger than expected")
        if sha256_digest(data) != digest:
            raise RegistryError(f"{self.registry}/{repo}: blob {digest} does not match its digest")
        return data

    def referrers(self, repo: str, digest: str) -> tuple[list[dict[str, Any]], str]:
        """Descriptors of manifests whose ``subject`` is ``digest``, and how they were found
        (the referrers API, or the referrers tag schema ``sha256-<hex>`` where it is missing).
        Only descriptors with a well-formed digest: each is fetched by it, never by a tag."""
        if not is_digest(digest):
            raise RegistryError(f"{self.registry}/{repo}: {_clip(digest)}: not a sha256 digest")
        resp = self._request(f"{repo}/referrers/{digest}", repo, {"Accept": OCI_INDEX})
        if resp.status_code == 200:
            body = self._read(resp, MAX_MANIFEST, f"the referrers of {repo}@{digest}")
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {}
            if isinstance(doc, dict) and isinstance(doc.get("manifests"), list):
                return _with_digests(doc["manifests"]), "referrers API"
        else:
            resp.close()
        tag = digest.replace(":", "-")
        found = self.get_manifest(repo, tag, accept=(OCI_INDEX,))
        if found is None:
            return [], "referrers tag"
        manifests = json.loads(found[0]).get("manifests")
        return (_with_digests(manifests) if isinstance(manifests, list) else []), "referrers tag"


class BlobStream:
    """A blob as it arrives: ``read`` keeps to the client's deadline, and a broken or cut
    connection is a :class:`RegistryError`, never a short read taken for the whole blob."""

    def __init__(self, client: RegistryClient, resp: Any, what: str) -> None:
        self.client = client
        self.resp = resp
        self.what = what

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while chunk := self.read(READ_CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        deadline = self.client.deadline
        if deadline.passed:
            raise self.client._deadline_error()
        try:
            data: bytes = self.resp.raw.read(n)
        except Exception as exc:  # urllib3's ProtocolError, a cut socket, ...
            if deadline.passed:
                raise self.client._deadline_error() from None
            raise RegistryError(
                f"{self.client.registry}: connection broken while reading {self.what}:"
                f" {_short(exc)}"
            ) from None
        if deadline.passed:
            raise self.client._deadline_error()
        return data

    def close(self) -> None:
        self.resp.close()


def is_digest(value: object) -> bool:
    """A well-formed sha256 digest: what hullcheck fetches children by, and can check."""
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def _with_digests(descriptors: list[Any]) -> list[dict[str, Any]]:
    return [d for d in descriptors if isinstance(d, dict) and is_digest(d.get("digest"))]


def _clip(value: object, width: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[:width] + "..."


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n} bytes"


def _short(exc: BaseException) -> str:
    """The innermost reason of a ``requests`` error, which nests urllib3 reprs several deep:
    "... (Caused by NameResolutionError(\"...: Failed to resolve 'x' ([Errno -2] Name or
    service not known)\"))" -> "Name or service not known"."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^\]'\"()]+)", text) or re.search(
        r"\] ([^'\]\"()]+)", text) or re.search(r": ([^:()'\"]+)[)'\"]*$", text)
    return (m.group(1) if m else text)[:200].strip()
