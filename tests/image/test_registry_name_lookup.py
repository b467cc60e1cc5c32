"""Name lookups of the registry client keep to the image's deadline (trust/registry_http.resolve).

``getaddrinfo`` blocks and no socket timeout reaches it: here it is replaced in-process by a
resolver that knows a few ``.test`` names (all 127.0.0.1, the only network there is) and never
answers for ``hang.test``, standing in for a DNS server that never replies. Servers are loopback
ones (hostile_servers.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_servers import Handler, self_signed, serve

from hullcheck.cli import main
from hullcheck.trust import registry_http
from hullcheck.trust.registry import RegistryClient, RegistryError, RegistryOptions
from hullcheck.trust.registry_http import MAX_PENDING_LOOKUPS, LookupTimeout, resolve

MANIFEST = b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json"}'


class FakeDns:
    """``socket.getaddrinfo`` for the test: ``*.test`` names are looked up as 127.0.0.1 after
    ``delay`` seconds, ``hang.test`` blocks until released; every asked name is logged."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.release = threading.Event()
        self.asked: list[str] = []
        self.delay = 0.0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".test"):
            self.asked.append(host)
            if host == "hang.test":
                self.release.wait(60)
                raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
            time.sleep(self.delay)
            host = "127.0.0.1"
        return self.real(host, port, *args, **kwargs)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDns]:
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake
    fake.release.set()  # abandoned lookups end: the pending-lookup slots come back
    deadline = time.monotonic() + 10
    while registry_http._pending_lookups._value < MAX_PENDING_LOOKUPS:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline
        time.sleep(0.01)


def manifest(h: Handler) -> None:
    h.reply(200, MANIFEST, {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})


def test_a_lookup_that_never_answers_ends_at_the_deadline(dns: FakeDns) -> None:
    started = time.monotonic()  # the deadline's clock starts with the client
    client = RegistryClient("hang.test:5000", RegistryOptions(
        insecure=frozenset({"hang.test:5000"}), deadline=1))
    with pytest.raises(RegistryError) as caught:
        client.get_manifest("app", "1")
    took = time.monotonic() - started
    assert 1 <= took < 1 + 2
    assert str(caught.value) == (
        "hang.test:5000: no complete answer within 1 s, the registry deadline for one image"
        " (--registry-timeout S allows more)"
    )
    assert dns.asked == ["hang.test"]


def test_image_on_a_name_that_never_resolves_is_exit_2_in_one_line(
    dns: FakeDns, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    code = main(["image", "hang.test:5000/app:1", "--remote", "--insecure-registry",
                 "hang.test:5000", "--registry-timeout", "1"])
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2
    assert took < 1 + 3
    assert err.splitlines() == [
        "hullcheck: error: hang.test:5000/app:1: hang.test:5000: no complete answer within 1 s,"
        " the registry deadline for one image (--registry-timeout S allows more)"
    ]


def test_the_per_operation_timeout_bounds_a_lookup_too(dns: FakeDns) -> None:
    # the deadline is far, the connect timeout (RegistryOptions.timeout) is what cuts it
    client = RegistryClient("hang.test:5000", RegistryOptions(
        insecure=frozenset({"hang.test:5000"}), timeout=0.5, deadline=60))
    started = time.monotonic()
    with pytest.raises(RegistryError) as caught:
        client.get_manifest("app", "1")
    assert time.monotonic() - started < 0.5 + 2
    assert str(caught.value) == (
        "hang.test:5000: cannot reach registry: name lookup of hang.test took longer than 0.5 s"
    )


def test_a_name_that_resolves_in_time_keeps_its_name(dns: FakeDns) -> None:
    """The name is looked up in a worker thread, yet the request still carries it (``Host``)
    and goes where it resolves."""
    dns.delay = 0.2
    with serve(manifest) as a:
        port = a.netloc.rsplit(":", 1)[1]
        name = f"registry.test:{port}"
        client = RegistryClient(name, RegistryOptions(insecure=frozenset({name}), deadline=10))
        found = client.get_manifest("app", "1")
    assert found is not None and found[0] == MANIFEST
    assert dns.asked == ["registry.test"]
    assert [s.headers["host"] for s in a.seen] == [name]


def test_tls_still_checks_the_certificate_against_the_name(
    dns: FakeDns, tmp_path: Path
) -> None:
    """Connecting to the address found never makes the address the TLS peer name: a
    certificate for 127.0.0.1 is no certificate for registry.test."""
    cert, key = self_signed(tmp_path / "tls")
    with serve(manifest, tls=(cert, key)) as a:
        port = a.netloc.rsplit(":", 1)[1]
        options = RegistryOptions(ca_files=(cert,), certs_dirs=(), deadline=10)
        with pytest.raises(RegistryError) as caught:
            RegistryClient(f"registry.test:{port}", options).get_manifest("app", "1")
        assert str(caught.value).startswith(f"registry.test:{port}: TLS error")
        assert "certificate verify failed: Hostname mismatch" in str(caught.value)
        # by the address it names, the same server and certificate are fine
        found = RegistryClient(a.netloc, options).get_manifest("app", "1")
    assert found is not None and found[0] == MANIFEST


def test_abandoned_lookups_are_bounded(dns: FakeDns) -> None:
    assert MAX_PENDING_LOOKUPS == 8
    for _ in range(MAX_PENDING_LOOKUPS):
        with pytest.raises(LookupTimeout, match=r"^name lookup of hang\.test took longer"
                           r" than 0\.05 s$"):
            resolve("hang.test", 443, 0.05)
    started = time.monotonic()
    with pytest.raises(LookupTimeout, match=r"^8 earlier name lookups are still unanswered$"):
        resolve("registry.test", 443, 5)
    assert time.monotonic() - started < 0.5  # refused at once, no thread started
    assert dns.asked.count("registry.test") == 0
    dns.release.set()
    deadline = time.monotonic() + 10
    while registry_http._pending_lookups._value < MAX_PENDING_LOOKUPS:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert resolve("registry.test", 443, 5)[0][4][0] == "127.0.0.1"


def test_an_address_literal_is_not_looked_up(dns: FakeDns) -> None:
    assert resolve("127.0.0.1", 80, 0.01)[0][4] == ("127.0.0.1", 80)
    assert dns.asked == []
