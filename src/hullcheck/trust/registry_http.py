"""The registry client's transport: one overall deadline per image, enforced on the sockets.

``requests`` only knows per-operation timeouts: a connect timeout, and a read timeout that
restarts with every byte received. A server that sends one byte a second never trips it, during
the headers or the body, and so can hold a scan as long as it likes. The registry client gives
each image a :class:`Deadline` (``--registry-timeout``, 300 s by default) instead:

* every request starts with ``min(per-operation timeout, time left)`` as its connect and read
  timeouts, so a silent server or a slow TLS handshake (CPython bounds a whole handshake by the
  socket timeout) ends by the deadline;
* every connection the session opens (to the registry, its token realm, or wherever it
  redirects) is tracked, and when the deadline passes a watchdog thread shuts their sockets
  down. A read blocked on a dripping server then returns at once (end of stream or an error),
  and the client, seeing the deadline passed, says so in one line.

One watchdog thread serves every deadline of the run; it starts with the first connection and
holds no deadline alive (weak references), so a finished image costs nothing.

Name lookups are bounded too. ``getaddrinfo`` blocks, ignores socket timeouts and has no socket
the watchdog could cut: a host name whose DNS server never answers (a registry, its token realm,
or wherever a redirect points) would hold the scan for as long as the resolver retries. Each
lookup therefore runs in a worker thread that the connection waits for at most the connect
timeout (never past the deadline); a lookup still unanswered then is abandoned to its thread,
and at most ``MAX_PENDING_LOOKUPS`` abandoned lookups may be pending at once. The addresses found
are connected to one by one, each within what is left of the same bounds, at most
``MAX_ADDRESSES`` of them. Only where the socket connects changes: the name stays the
connection's host, so TLS checks the certificate against it (and sends it as SNI) and requests
carry it in ``Host``, exactly as before; which host gets credentials is decided above this layer
(:mod:`hullcheck.trust.registry`), by URL, and is untouched.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import ssl
import threading
import time
import weakref
from typing import Any

DEFAULT_DEADLINE = 300.0  # seconds of registry traffic per image (--registry-timeout)
# Name lookups given up on (their threads still blocked in getaddrinfo) allowed at once; past
# this, new lookups fail at once instead of piling up threads.
MAX_PENDING_LOOKUPS = 8
# Addresses of one name tried in turn (a hostile DNS answer may list hundreds).
MAX_ADDRESSES = 16


class Deadline:
    """An overall time limit, and the connections it must cut when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._watched = False

    def remaining(self) -> float:
        return self.expires - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0

    def timeout(self, per_operation: float) -> float | None:
        """The timeout for the next operation, or None when the deadline has passed."""
        left = self.remaining()
        return None if left <= 0 else min(per_operation, left)

    def track(self, connection: Any) -> None:
        """A urllib3 connection to cut when the deadline passes."""
        with self._lock:
            self._connections.add(connection)
            first = not self._watched
            self._watched = True
        if first:
            _WATCHDOG.watch(self)

    def cut(self) -> None:
        """Shut down every tracked socket: blocked reads return, later ones fail. Only the file
        descriptor is shut down (``socket.socket.shutdown``, also for a TLS socket: its SSL
        object is left alone for the thread still reading through it)."""
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            sock = getattr(conn, "sock", None)
            if isinstance(sock, socket.socket):
                # OSError: already closed, or not connected yet
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that cuts each deadline's connections when it passes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, weakref.ref[Deadline]]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.expires, next(self._order), weakref.ref(deadline)))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="hullcheck-registry-deadline", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                expires, _, ref = self._heap[0]
                delay = expires - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
            deadline = ref()
            if deadline is not None:
                deadline.cut()


_WATCHDOG = _Watchdog()


class LookupTimeout(OSError):
    """A name lookup that did not answer in time (or could not even start)."""


_pending_lookups = threading.BoundedSemaphore(MAX_PENDING_LOOKUPS)


def resolve(host: str, port: int, timeout: float, family: int = socket.AF_UNSPEC
            ) -> list[tuple[Any, ...]]:
    """``getaddrinfo(host, port)`` for TCP, answered within ``timeout`` seconds or
    :class:`LookupTimeout`; ``socket.gaierror`` as getaddrinfo raises it. An address literal
    is parsed in place (no thread, no lookup)."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0,
                                  socket.AI_NUMERICHOST)
    if not _pending_lookups.acquire(blocking=False):
        raise LookupTimeout(f"{MAX_PENDING_LOOKUPS} earlier name lookups are still unanswered")
    answer: list[Any] = []
    done = threading.Event()

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, family, socket.SOCK_STREAM))
        except BaseException as exc:  # handed to the waiting thread, if it still waits
            answer.append(exc)
        finally:
            _pending_lookups.release()
            done.set()

    threading.Thread(target=lookup, name="hullcheck-name-lookup", daemon=True).start()
    if not done.wait(max(timeout, 0.0)):
        raise LookupTimeout(f"name lookup of {host[:80]} took longer than {timeout:.3g} s")
    if isinstance(answer[0], BaseException):
        raise answer[0]
    found: list[tuple[Any, ...]] = answer[0]
    return found


def bounded_connection(base: type[Any], deadline: Deadline) -> type[Any]:
    """``base`` (a urllib3 connection class) whose ``_new_conn`` looks its host up with
    :func:`resolve` and connects to the addresses found, all within the connect timeout and
    the deadline. urllib3's own ``_new_conn`` calls a blocking getaddrinfo that neither
    bounds."""
    from urllib3 import exceptions
    from urllib3.util import connection as u3conn

    ConnectTimeoutError, NewConnectionError = (exceptions.ConnectTimeoutError,
                                               exceptions.NewConnectionError)
    # urllib3 2.x says NameResolutionError; 1.26 a NewConnectionError
    unresolved = getattr(exceptions, "NameResolutionError", None)

    class BoundedConnection(base):
        def _limit(self) -> tuple[float, bool]:
            """The time this connection may take, and whether the deadline sets it."""
            per_operation = self.timeout if isinstance(self.timeout, (int, float)) else None
            left = deadline.remaining()
            if per_operation is None or left <= per_operation:
                return left, True
            return float(per_operation), False

        def _new_conn(self) -> socket.socket:
            started = time.monotonic()
            limit, deadline_bound = self._limit()
            host = self._dns_host
            if host.startswith("["):
                host = host.strip("[]")
            try:
                if limit <= 0:
                    raise LookupTimeout(f"no time left to look up {host[:80]}")
                addresses = resolve(host, self.port, limit, u3conn.allowed_gai_family())
            except (socket.gaierror, LookupTimeout) as exc:
                if isinstance(exc, LookupTimeout) and deadline_bound:
                    # the deadline was the bound: let it pass, so the caller says so (a
                    # timed wait may wake a hair early)
                    time.sleep(max(0.0, deadline.remaining()))
                reason = exc if isinstance(exc, socket.gaierror) else socket.gaierror(
                    socket.EAI_AGAIN, str(exc))
                if unresolved is not None:
                    raise unresolved(self.host, self, reason) from None
                raise NewConnectionError(self, f"Failed to resolve {self.host}: {reason}"
                                         ) from None
            error: OSError | None = None
            for af, socktype, proto, _canon, address in addresses[:MAX_ADDRESSES]:
                left = limit - (time.monotonic() - started)
                if left <= 0:
                    break
                sock = socket.socket(af, socktype, proto)
                try:
                    for option in self.socket_options or ():
                        sock.setsockopt(*option)
                    sock.settimeout(left)
                    if self.source_address:
                        sock.bind(self.source_address)
                    sock.connect(address)
                except OSError as exc:
                    sock.close()
                    error = exc
                    continue
                # urllib3 leaves the socket with the connect timeout; the read timeout is
                # set per request
                sock.settimeout(self.timeout if isinstance(self.timeout, (int, float))
                                else None)
                return sock
            if not addresses:
                raise NewConnectionError(self, f"no address found for {self.host}")
            if error is None or isinstance(error, TimeoutError):
                raise ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={limit:.3g})"
                )
            raise NewConnectionError(self, f"Failed to establish a new connection: {error}")

    return BoundedConnection


def new_session() -> Any:
    """A ``requests`` session that never follows a redirect itself. Even with
    ``allow_redirects=False``, ``Session.send`` reads a redirect's whole body (to offer the next
    request as ``Response.next``): a 3xx with a 300 MiB body would be read to its end. The
    registry client follows redirects by hand, without reading them."""
    import requests

    class Session(requests.Session):
        def get_redirect_target(self, resp: Any) -> None:
            return None

    return Session()


def transport_adapter(deadline: Deadline, context: ssl.SSLContext | None = None) -> Any:
    """A ``requests`` adapter whose connections ``deadline`` tracks, using ``context`` (extra
    CAs, a client certificate) for TLS when given, directly or through a proxy."""
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def tracked(base: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
        class Tracked(base):  # type: ignore[valid-type, misc]
            ConnectionCls = bounded_connection(base.ConnectionCls, deadline)

            # urllib3 makes every connection of a pool here (1.x and 2.x alike)
            def _new_conn(self) -> Any:
                conn = super()._new_conn()
                deadline.track(conn)
                return conn

        return Tracked

    pools = {"http": tracked(HTTPConnectionPool), "https": tracked(HTTPSConnectionPool)}

    class TransportAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            if context is not None:
                kwargs["ssl_context"] = context
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            if context is not None:
                kwargs["ssl_context"] = context
            manager = super().proxy_manager_for(proxy, **kwargs)
            manager.pool_classes_by_scheme = pools
            return manager

    return TransportAdapter()


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the scheme's default port filled in: what must match for a
    request to go to "the same server"."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def netloc(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc
