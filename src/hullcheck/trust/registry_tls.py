"""Which CAs and client certificate a registry connection uses, and the ``requests`` adapter
that applies them.

Docker's convention (``/etc/docker/certs.d/<host[:port]>/``), shared by podman and skopeo
(``/etc/containers/certs.d/``): ``*.crt`` files are CAs trusted for that registry, on top of the
usual ones; a ``*.cert`` file with the ``*.key`` of the same name is a client certificate. CAs
named with ``--registry-ca`` are trusted for every registry of the run.

Why an ``ssl.SSLContext`` in a transport adapter rather than ``verify=<bundle>``: ``verify`` takes
one bundle, so adding a CA would mean copying certifi's bundle plus ours into a temporary file on
every run (and cleaning it up); a context takes any number of CA files on top of certifi's, carries
the client certificate too, and lives exactly as long as the registry's session. The base stays
what ``requests`` trusts without extra CAs (certifi), so adding a CA never removes one.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CERTS_DIRS = (Path("/etc/docker/certs.d"), Path("/etc/containers/certs.d"))


class TlsConfigError(Exception):
    """A CA or client certificate that cannot be used: one line naming the file."""


@dataclass
class TlsMaterial:
    ca_files: list[Path] = field(default_factory=list)
    client_cert: tuple[Path, Path] | None = None
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.ca_files or self.client_cert)


def host_material(
    hosts: Iterable[str], certs_dirs: Sequence[Path], extra_cas: Sequence[Path] = ()
) -> TlsMaterial:
    """The CA files and client certificate for a registry known by ``hosts`` (``HOST[:PORT]``)."""
    material = TlsMaterial(ca_files=list(dict.fromkeys(extra_cas)))
    for base in certs_dirs:
        for host in dict.fromkeys(hosts):
            folder = base / host
            if "/" in host or not folder.is_dir():
                continue
            try:
                entries = sorted(folder.iterdir())
            except OSError as exc:
                raise TlsConfigError(f"{folder}: cannot be read ({exc.strerror})") from None
            material.ca_files.extend(p for p in entries if p.suffix == ".crt")
            for cert in (p for p in entries if p.suffix == ".cert"):
                key = cert.with_suffix(".key")
                if not key.is_file():
                    # docker refuses the registry here; we say so and go on without it
                    material.notes.append(f"{cert}: client certificate without {key.name}; ignored")
                elif material.client_cert is None:
                    material.client_cert = (cert, key)
    return material


def ssl_context(material: TlsMaterial) -> ssl.SSLContext:
    from requests.certs import where  # certifi's bundle: what requests trusts by default

    context = ssl.create_default_context(cafile=where())
    for ca in material.ca_files:
        try:
            context.load_verify_locations(cafile=str(ca))
        except ssl.SSLError:  # a subclass of OSError: first
            raise TlsConfigError(f"CA file {ca}: holds no PEM certificate") from None
        except OSError as exc:
            raise TlsConfigError(f"CA file {ca}: cannot be read ({exc.strerror})") from None
    if material.client_cert is not None:
        cert, key = material.client_cert
        try:
            context.load_cert_chain(str(cert), str(key))
        except ssl.SSLError:
            raise TlsConfigError(
                f"client certificate {cert}: not a PEM certificate matching {key.name}"
            ) from None
        except OSError as exc:
            raise TlsConfigError(
                f"client certificate {cert}: cannot be read ({exc.strerror})"
            ) from None
    return context


def context_adapter(context: ssl.SSLContext) -> Any:
    """A ``requests`` adapter whose connections (direct or through a proxy) use ``context``."""
    from requests.adapters import HTTPAdapter

    class ContextAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs["ssl_context"] = context
            super().init_poolmanager(*args, **kwargs)

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            kwargs["ssl_context"] = context
            return super().proxy_manager_for(proxy, **kwargs)

    return ContextAdapter()
