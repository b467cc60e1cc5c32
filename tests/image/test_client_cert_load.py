"""A certs.d client certificate is loaded from the bytes that were checked (trust/registry_tls):
whatever is put in place of ``client.cert`` / ``client.key`` after they are read never reaches
OpenSSL. The identity a context presents is seen by a real TLS handshake (in memory, no network)
with a server that asks for a client certificate."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hullcheck.trust import registry_tls
from hullcheck.trust.registry_tls import TlsConfigError, TlsMaterial, ssl_context

NOW = datetime.datetime.now(datetime.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _issue(cn: str, ca_key: ec.EllipticCurvePrivateKey | None = None, ca: str = ""
           ) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(ca or cn))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(minutes=5))
        .not_valid_after(NOW + datetime.timedelta(days=1))
    )
    if ca_key is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            False)
    cert = builder.sign(ca_key or key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM), key


def _pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL, encryption)


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    ca_pem, ca_key = _issue("test-ca")
    server_pem, server_key = _issue("server", ca_key, "test-ca")
    client_pem, client_key = _issue("alice", ca_key, "test-ca")
    other_pem, other_key = _issue("mallory", ca_key, "test-ca")
    files = {"ca": ca_pem, "server.cert": server_pem, "server.key": _pem(server_key),
             "client.cert": client_pem, "client.key": _pem(client_key),
             "other.cert": other_pem, "other.key": _pem(other_key)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files}


def _client_identity(client: ssl.SSLContext, pki: dict[str, Path]) -> str:
    """The common name of the certificate ``client`` presents to a server that wants one."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(pki["server.cert"]), str(pki["server.key"]))
    server.load_verify_locations(cafile=str(pki["ca"]))
    server.verify_mode = ssl.CERT_REQUIRED
    client.load_verify_locations(cafile=str(pki["ca"]))
    pipes = [ssl.MemoryBIO() for _ in range(4)]
    c = client.wrap_bio(pipes[0], pipes[1], server_hostname="127.0.0.1")
    s = server.wrap_bio(pipes[2], pipes[3], server_side=True)
    done = {id(c): False, id(s): False}
    for _ in range(20):
        for end in (c, s):
            if not done[id(end)]:
                try:
                    end.do_handshake()
                    done[id(end)] = True
                except ssl.SSLWantReadError:
                    pass
        pipes[2].write(pipes[1].read())
        pipes[0].write(pipes[3].read())
        if all(done.values()):
            break
    peer = s.getpeercert()
    assert peer is not None
    return str(dict(x[0] for x in peer["subject"])["commonName"])


def _material(pki: dict[str, Path]) -> TlsMaterial:
    return TlsMaterial(client_cert=(pki["client.cert"], pki["client.key"]))


def test_the_checked_certificate_is_the_one_presented(pki: dict[str, Path]) -> None:
    assert _client_identity(ssl_context(_material(pki)), pki) == "alice"


def test_files_swapped_after_the_check_never_reach_openssl(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after the key is read (checked), another identity replaces both files, as an
    attacker racing the check would; the context still presents the checked one. (Loading by
    name again, the old code presented mallory.)"""
    real_read = registry_tls.read_cert_file

    def read_then_swap(path: Path, what: str) -> bytes:
        data = real_read(path, what)
        if what == "client key":
            os.replace(pki["other.cert"], pki["client.cert"])
            os.replace(pki["other.key"], pki["client.key"])
        return data

    monkeypatch.setattr(registry_tls, "read_cert_file", read_then_swap)
    context = ssl_context(_material(pki))
    assert pki["client.cert"].read_bytes().startswith(b"-----BEGIN CERTIFICATE")
    assert _client_identity(context, pki) == "alice"


def test_a_fifo_swapped_in_after_the_check_blocks_nothing(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read = registry_tls.read_cert_file

    def read_then_fifo(path: Path, what: str) -> bytes:
        data = real_read(path, what)
        if what == "client key":
            for name in ("client.cert", "client.key"):
                pki[name].unlink()
                os.mkfifo(pki[name])  # opened by name, it would wait for a writer forever
        return data

    monkeypatch.setattr(registry_tls, "read_cert_file", read_then_fifo)
    started = time.monotonic()
    context = ssl_context(_material(pki))
    assert time.monotonic() - started < 5
    assert _client_identity(context, pki) == "alice"


def test_without_memfd_the_private_copies_are_removed(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(registry_tls, "_memfd_usable", lambda: False)
    seen: list[tuple[str, int]] = []
    real_copies = registry_tls._private_copies

    def spy(*contents: bytes):  # type: ignore[no-untyped-def]
        with real_copies(*contents) as names:
            folder = os.path.dirname(names[0])
            seen.append((folder, os.stat(folder).st_mode & 0o777))
            seen.extend((n, os.stat(n).st_mode & 0o777) for n in names)
            yield names

    import contextlib

    monkeypatch.setattr(registry_tls, "_private_copies", contextlib.contextmanager(spy))
    assert _client_identity(ssl_context(_material(pki)), pki) == "alice"
    assert [mode for _, mode in seen] == [0o700, 0o600, 0o600]
    assert seen[0][0].startswith(str(scratch))
    assert list(scratch.iterdir()) == []  # nothing left behind


def test_a_passphrase_protected_key_is_one_line_not_a_prompt(
    pki: dict[str, Path], tmp_path: Path
) -> None:
    _, key = _issue("locked", None)
    locked = tmp_path / "locked.key"
    locked.write_bytes(_pem(key, b"secret"))
    started = time.monotonic()
    with pytest.raises(TlsConfigError) as caught:
        ssl_context(TlsMaterial(client_cert=(pki["client.cert"], locked)))
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        f"client key {locked}: encrypted (a passphrase-protected key cannot be used)"
    )


def test_a_key_of_another_certificate_is_one_line(pki: dict[str, Path]) -> None:
    with pytest.raises(TlsConfigError) as caught:
        ssl_context(TlsMaterial(client_cert=(pki["client.cert"], pki["other.key"])))
    assert str(caught.value) == (
        f"client certificate {pki['client.cert']}: not a PEM certificate matching other.key"
    )
