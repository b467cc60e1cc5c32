"""Which CAs and client certificate a registry connection uses, read with bounds.

Docker's convention (``/etc/docker/certs.d/<host[:port]>/``), shared by podman and skopeo
(``/etc/containers/certs.d/``): ``*.crt`` files are CAs trusted for that registry, on top of the
usual ones; a ``*.cert`` file with the ``*.key`` of the same name is a client certificate. CAs
named with ``--registry-ca`` are trusted for every registry of the run.

Why an ``ssl.SSLContext`` in a transport adapter rather than ``verify=<bundle>``: ``verify`` takes
one bundle, so adding a CA would mean copying certifi's bundle plus ours into a temporary file on
every run (and cleaning it up); a context takes any number of CA files on top of certifi's, carries
the client certificate too, and lives exactly as long as the registry's session. The base stays
what ``requests`` trusts without extra CAs (certifi), so adding a CA never removes one. The
adapter itself is :func:`hullcheck.trust.registry_http.transport_adapter`.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CERTS_DIRS = (Path("/etc/docker/certs.d"), Path("/etc/containers/certs.d"))
# What a certs.d folder and its files may hold. Certificate files are small (certifi's whole
# bundle is about 300 KiB); anything larger, or not a regular file (a FIFO, /dev/zero, a symlink
# loop) is refused in one line before OpenSSL ever opens it.
MAX_CERT_FILE = 1 << 20
MAX_CERTS_ENTRIES = 1000


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
            if "/" in host or host in ("", ".", ".."):
                continue
            folder = base / host
            entries = _listing(folder)
            material.ca_files.extend(p for p in entries if p.suffix == ".crt")
            for cert in (p for p in entries if p.suffix == ".cert"):
                key = cert.with_suffix(".key")
                if key not in entries:
                    # docker refuses the registry here; we say so and go on without it
                    material.notes.append(f"{cert}: client certificate without {key.name}; ignored")
                elif material.client_cert is None:
                    material.client_cert = (cert, key)
    return material


def _listing(folder: Path) -> list[Path]:
    """The entries of a certs.d folder (sorted), none when there is no such folder."""
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            return []
        with os.scandir(folder) as it:
            entries: list[Path] = []
            for entry in it:
                entries.append(Path(entry.path))
                if len(entries) > MAX_CERTS_ENTRIES:
                    raise TlsConfigError(f"{folder}: more than {MAX_CERTS_ENTRIES} entries")
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:  # a symlink loop (ELOOP), no permission
        raise TlsConfigError(f"{folder}: cannot be read ({exc.strerror})") from None
    return sorted(entries)


def read_cert_file(path: Path, what: str) -> bytes:
    """A certificate or key file, at most MAX_CERT_FILE bytes, and only a regular file (read as
    every bounded file is: ``sources.read_regular``; a device is never even opened, a FIFO never
    blocks, what fstat says about the opened file decides)."""
    from hullcheck.sources import read_regular

    try:
        return read_regular(path, f"{what} {path}", MAX_CERT_FILE)
    except ValueError as exc:
        raise TlsConfigError(str(exc)) from None


def ssl_context(material: TlsMaterial) -> ssl.SSLContext:
    from requests.certs import where  # certifi's bundle: what requests trusts by default

    context = ssl.create_default_context(cafile=where())
    for ca in material.ca_files:
        data = read_cert_file(ca, "CA file")
        try:
            # PEM only, as docker reads certs.d; comments in bundles may be non-ASCII
            context.load_verify_locations(cadata=data.decode("ascii", errors="ignore"))
        except (ssl.SSLError, ValueError):
            raise TlsConfigError(f"CA file {ca}: holds no PEM certificate") from None
    if material.client_cert is not None:
        cert, key = material.client_cert
        _load_client_cert(context, cert, key)
    return context


def _load_client_cert(context: ssl.SSLContext, cert: Path, key: Path) -> None:
    """Load the client certificate and key that were checked, byte for byte.

    ``load_cert_chain`` only takes file names, and opening ``cert`` and ``key`` by name again
    after :func:`read_cert_file` checked them would read whatever is there by then (a FIFO that
    blocks the scan, a file of gigabytes, another identity). So each is read once (one open,
    one fstat, bounded), and OpenSSL reads those bytes from private copies: anonymous memory
    files (``memfd_create``, never on disk) where the system has them, else files in a fresh
    0700 temporary directory, removed as soon as they are loaded. A passphrase-protected key is
    refused rather than prompted for (OpenSSL's default would ask on the terminal)."""
    cert_data = read_cert_file(cert, "client certificate")
    key_data = read_cert_file(key, "client key")
    try:
        with _private_copies(cert_data, key_data) as (cert_copy, key_copy):
            context.load_cert_chain(cert_copy, key_copy, password=_no_passphrase)
    except ssl.SSLError:
        encrypted = b"ENCRYPTED" in key_data
        raise TlsConfigError(
            f"client key {key}: encrypted (a passphrase-protected key cannot be used)"
            if encrypted else
            f"client certificate {cert}: not a PEM certificate matching {key.name}"
        ) from None
    except OSError as exc:
        raise TlsConfigError(
            f"client certificate {cert}: cannot be loaded ({exc.strerror or exc})"
        ) from None


def _no_passphrase() -> bytes:
    return b""


def _memfd_usable() -> bool:
    return hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd")


@contextlib.contextmanager
def _private_copies(*contents: bytes) -> Iterator[list[str]]:
    """Names under which OpenSSL reads exactly ``contents`` and nothing else can change them."""
    if _memfd_usable():
        fds: list[int] = []
        try:
            for data in contents:
                fd = os.memfd_create("hullcheck-client-cert", os.MFD_CLOEXEC)
                fds.append(fd)
                _write_all(fd, data)
            yield [f"/proc/self/fd/{fd}" for fd in fds]
        finally:
            for fd in fds:
                os.close(fd)
        return
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="hullcheck-client-cert-")  # mode 0700, ours alone
    try:
        names = []
        for i, data in enumerate(contents):
            name = os.path.join(folder, str(i))
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            names.append(name)
        yield names
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
