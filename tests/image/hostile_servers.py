"""Hostile HTTP(S) servers on loopback for the registry client's tests: each answers as a test's
``route`` says, and logs every request it gets (method, path, headers) and how many body bytes it
managed to send.

Distinct ``host:port`` pairs stand for distinct hosts: a server may be named ``127.0.0.1``,
``127.0.0.2`` (any 127.0.0.0/8 address answers on Linux loopback) or ``localhost``.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Server:
    netloc: str = ""
    seen: list[Seen] = field(default_factory=list)
    sent: int = 0  # body bytes written (what a flood or a drip got out before being dropped)
    dropped: threading.Event = field(default_factory=threading.Event)  # the client hung up

    def carrying_credentials(self) -> list[Seen]:
        return [s for s in self.seen if "authorization" in s.headers]


class Handler(BaseHTTPRequestHandler):
    route: Callable[[Handler], None]
    server_log: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _handle(self) -> None:
        self.server_log.seen.append(
            Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        )
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        try:
            type(self).route(self)
        except (BrokenPipeError, ConnectionResetError):
            self.server_log.dropped.set()
            self.close_connection = True

    do_GET = do_POST = do_HEAD = _handle

    # --- what a route can do ------------------------------------------------------------------
    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server_log.sent += len(body)

    def flood(self, size: int, headers: dict[str, str] | None = None) -> None:
        """200 with a body of ``size`` zero bytes, written until the client stops reading."""
        self.send_response(200)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = b"\0" * (1 << 16)
        while self.server_log.sent < size:
            self.wfile.write(chunk)
            self.server_log.sent += len(chunk)

    def drip(self, head: bytes = b"", every: float = 1.0, limit: float = 120.0) -> None:
        """Send ``head`` (raw bytes: a status line and headers, or those and some body), then one
        more byte every ``every`` seconds until the client hangs up (or ``limit`` passes)."""
        self.wfile.write(head)
        self.wfile.flush()
        ends = time.monotonic() + limit
        while time.monotonic() < ends:
            time.sleep(every)
            self.wfile.write(b"x")
            self.wfile.flush()
            self.server_log.sent += 1


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True  # a drip that outlives its test never holds the run up
    block_on_close = False


@contextlib.contextmanager
def serve(
    route: Callable[[Handler], None],
    host: str = "127.0.0.1",
    tls: tuple[Path, Path] | None = None,
) -> Iterator[Server]:
    """A server on ``host`` (``localhost`` binds 127.0.0.1 and keeps its name) for the test's
    duration; ``tls`` = (certificate, key) makes it HTTPS."""
    log = Server()
    handler = type("Route", (Handler,), {"route": staticmethod(route), "server_log": log})
    httpd = _Httpd(("127.0.0.1" if host == "localhost" else host, 0), handler)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    log.netloc = f"{host}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield log
    finally:
        httpd.shutdown()
        httpd.server_close()


def self_signed(folder: Path, ip: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed server certificate for ``ip`` (it is its own CA) and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
