"""Private-registry access against Debian's docker-registry on 127.0.0.1: Docker credential
helpers (a real ``docker-credential-hctest`` executable) with htpasswd basic auth, and TLS with a
private CA (``--registry-ca``, certs.d, client certificates)."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from credential_helper import Helper, install_helper, write_config
from image_live import Registry, _free_port, unavailable
from test_image_files import EXPECTED, pairs, run
from test_image_registry import SIGNER, push_image, sign_classic

from hullcheck.cli import main
from hullcheck.inputs.image.layers import ImageError
from hullcheck.inputs.image.sources import SourceOptions, load_from_registry
from hullcheck.trust.registry import RegistryOptions

pytestmark = pytest.mark.live

PASSWORD = "s3cret"  # auth_registry's password for "tester": must never be printed


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


# --- credential helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_env_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCKER_AUTH_CONFIG", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture
def helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Helper:
    return install_helper(tmp_path, monkeypatch)


@pytest.fixture
def private_ref(auth_registry: Registry) -> str:
    push_image(auth_registry, "private/app", "1")
    return f"{auth_registry.host}/private/app:1"


def _args(ref: str, host: str, config: Path) -> list[str]:
    return [ref, "--remote", "--insecure-registry", host, "--docker-config", str(config)]


def test_helper_credentials_read_the_image(
    helper: Helper, auth_registry: Registry, private_ref: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = auth_registry.host
    helper.plan(creds={host: ["tester", PASSWORD]})
    cfg = write_config(tmp_path / "config.json", {
        "credsStore": "hctest-not-installed", "credHelpers": {host: "hctest"}, "auths": {host: {}}
    })
    report = run(_args(private_ref, host, cfg))
    assert not report.errors, report.errors
    assert pairs(report) == EXPECTED
    assert not [w for w in report.warnings if "credential" in str(w)]
    assert helper.calls() == [["get", host]]
    code, output = cli(capsys, "image", *_args(private_ref, host, cfg), "--format", "json")
    assert code == 1 and PASSWORD not in output
    assert not json.loads(output)["errors"]


def test_helper_without_credentials_means_anonymous(
    helper: Helper, auth_registry: Registry, private_ref: str, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    report = run(_args(private_ref, auth_registry.host, cfg))
    assert [e.message for e in report.errors] == [
        f"{auth_registry.host}: authentication required (basic) and no credentials for it in"
        " the Docker config"
    ]
    assert helper.calls() == [["get", auth_registry.host]]


def test_missing_helper_is_named_then_anonymous(
    auth_registry: Registry, private_ref: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest-absent"})
    code, output = cli(capsys, "image", *_args(private_ref, auth_registry.host, cfg))
    assert code == 2
    assert "Traceback" not in output
    assert (
        f"{auth_registry.host}: authentication required (basic) and no credentials for it"
        " (credential helper docker-credential-hctest-absent is not installed (not on PATH))"
    ) in output


def test_failing_helper_falls_back_to_inline_credentials_with_a_note(
    helper: Helper, auth_registry: Registry, private_ref: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import base64

    host = auth_registry.host
    helper.plan(mode="fail", leak=PASSWORD)
    token = base64.b64encode(f"tester:{PASSWORD}".encode()).decode()
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest",
                                                  "auths": {host: {"auth": token}}})
    report = run(_args(private_ref, host, cfg))
    assert not report.errors, report.errors
    assert [str(w) for w in report.warnings if "credential helper" in str(w)] == [
        f"{host}: credential helper docker-credential-hctest failed (exit status 3);"
        " using the config's inline credentials"
    ]
    code, output = cli(capsys, "image", *_args(private_ref, host, cfg), "--format", "json")
    assert code == 1 and PASSWORD not in output


def test_garbage_from_the_helper_is_a_note_and_never_echoed(
    helper: Helper, auth_registry: Registry, private_ref: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    helper.plan(mode="garbage", leak=PASSWORD)
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    for fmt in ("text", "json"):
        code, output = cli(capsys, "image", *_args(private_ref, auth_registry.host, cfg),
                           "--format", fmt)
        assert code == 2
        assert "docker-credential-hctest answered with something that is not a credential" in (
            output)
        assert PASSWORD not in output and "Traceback" not in output


def test_hanging_helper_times_out(
    helper: Helper, auth_registry: Registry, private_ref: str, tmp_path: Path
) -> None:
    helper.plan(mode="sleep")
    cfg = write_config(tmp_path / "config.json", {"credsStore": "hctest"})
    options = RegistryOptions(
        insecure=frozenset({auth_registry.host}), docker_config=cfg, helper_timeout=1
    )
    started = time.monotonic()
    with pytest.raises(ImageError) as caught:
        load_from_registry(private_ref, SourceOptions(remote=True, registry=options))
    assert time.monotonic() - started < 10
    assert "(credential helper docker-credential-hctest did not answer within 1 s)" in str(
        caught.value)


# --- TLS with a private CA ------------------------------------------------------------------


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _make_pki(folder: Path) -> Pki:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        return path

    def write_cert(cert: x509.Certificate, path: Path) -> Path:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder().subject_name(name("hullcheck test CA"))
        .issuer_name(name("hullcheck test CA")).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    def leaf(cn: str, usage: x509.ObjectIdentifier, san: bool) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:  # noqa: E501
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
        )
        if san:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        return builder.sign(ca_key, hashes.SHA256()), key

    server, server_key = leaf("127.0.0.1", ExtendedKeyUsageOID.SERVER_AUTH, True)
    client, client_key = leaf("hullcheck client", ExtendedKeyUsageOID.CLIENT_AUTH, False)
    folder.mkdir(parents=True, exist_ok=True)
    return Pki(
        ca=write_cert(ca_cert, folder / "ca.pem"),
        server_cert=write_cert(server, folder / "server.pem"),
        server_key=write_key(server_key, folder / "server.key"),
        client_cert=write_cert(client, folder / "client.cert"),
        client_key=write_key(client_key, folder / "client.key"),
    )


class TlsRegistry(Registry):
    @property
    def url(self) -> str:
        return f"https://{self.host}/v2"


@contextlib.contextmanager
def trusting(ca: Path) -> Iterator[None]:
    """The test's own pushes (plain ``requests``) trust the CA; hullcheck never sees this."""
    saved = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(ca)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = saved


def _start_tls_registry(
    tmp: Path, data: Path, pki: Pki, client_ca: bool
) -> tuple[subprocess.Popen[bytes], str]:
    exe = shutil.which("docker-registry")
    if exe is None:
        unavailable("Debian's docker-registry is not installed (apt-get install docker-registry)")
    assert exe is not None
    port = _free_port()
    client_cas = f"    clientcas:\n      - {pki.ca}\n" if client_ca else ""
    config = tmp / f"config-{port}.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
        f"    rootdirectory: {data}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  tls:\n    certificate: {pki.server_cert}\n"
        f"    key: {pki.server_key}\n{client_cas}"
    )
    proc = subprocess.Popen([exe, "serve", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    host = f"127.0.0.1:{port}"
    cert = (str(pki.client_cert), str(pki.client_key))
    for _ in range(100):
        try:
            requests.get(f"https://{host}/v2/", verify=str(pki.ca), cert=cert, timeout=1)
            return proc, host
        except requests.RequestException:
            time.sleep(0.1)
    proc.terminate()
    unavailable("docker-registry with TLS did not start")
    raise AssertionError


@dataclass
class TlsSetup:
    pki: Pki
    registry: TlsRegistry  # server TLS only
    mtls_host: str  # the same storage, client certificates required
    digest: str

    @property
    def ref(self) -> str:
        return f"{self.registry.host}/app:1"


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsSetup]:
    tmp = tmp_path_factory.mktemp("tls-registry")
    pki = _make_pki(tmp / "pki")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        proc, host = _start_tls_registry(tmp, tmp / "data", pki, client_ca=False)
        procs.append(proc)
        proc, mtls_host = _start_tls_registry(tmp, tmp / "data", pki, client_ca=True)
        procs.append(proc)
        registry = TlsRegistry(host)
        with trusting(pki.ca):
            digest, _ = push_image(registry, "app", "1")
            sign_classic(registry, "app", digest)
        yield TlsSetup(pki, registry, mtls_host, digest)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)


def _certs_d(root: Path, host: str, *files: Path) -> Path:
    folder = root / host
    folder.mkdir(parents=True)
    for f in files:
        shutil.copy(f, folder / ("ca.crt" if f.suffix == ".pem" else f.name))
    return root


def test_private_ca_unknown_is_one_clear_line(
    tls: TlsSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = cli(capsys, "image", tls.ref, "--remote")
    assert code == 2 and "Traceback" not in output
    lines = [line for line in output.splitlines() if "TLS error" in line]
    assert len(lines) == 1
    assert (
        f"{tls.registry.host}: TLS error (a registry with its own CA needs --registry-ca FILE or"
        f" /etc/docker/certs.d/{tls.registry.host}/ca.crt): certificate verify failed"
    ) in lines[0]


def test_registry_ca_option(tls: TlsSetup, capsys: pytest.CaptureFixture[str]) -> None:
    report = run([tls.ref, "--remote", "--registry-ca", str(tls.pki.ca)])
    assert not report.errors, report.errors
    assert pairs(report) == EXPECTED
    code, _ = cli(capsys, "image", tls.ref, "--remote", "--registry-ca", str(tls.pki.ca))
    assert code == 1  # findings, no error


def test_registry_ca_that_is_not_a_certificate(
    tls: TlsSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate\n")
    code, output = cli(capsys, "image", tls.ref, "--remote", "--registry-ca", str(bogus))
    assert code == 2 and "Traceback" not in output
    assert f"{tls.registry.host}: CA file {bogus}: holds no PEM certificate" in output
    code, output = cli(capsys, "image", tls.ref, "--remote", "--registry-ca",
                       str(tmp_path / "absent.pem"))
    assert code == 2 and "absent.pem: cannot read: No such file or directory" in output


def test_certs_d_layout(tls: TlsSetup, tmp_path: Path) -> None:
    root = _certs_d(tmp_path / "certs.d", tls.registry.host, tls.pki.ca)
    for dirs in ((root,), (tmp_path / "nothing-here", root)):  # docker's, then containers'
        options = RegistryOptions(certs_dirs=dirs)
        image, _client = load_from_registry(tls.ref, SourceOptions(remote=True, registry=options))
        assert image.manifest_digest == tls.digest
    with pytest.raises(ImageError, match="certificate verify failed"):
        load_from_registry(tls.ref, SourceOptions(
            remote=True, registry=RegistryOptions(certs_dirs=(tmp_path / "nothing-here",))))


def test_client_certificate_from_certs_d(tls: TlsSetup, tmp_path: Path) -> None:
    ref = f"{tls.mtls_host}/app:1"
    ca_only = _certs_d(tmp_path / "ca-only", tls.mtls_host, tls.pki.ca)
    hint = "the registry wants a client certificate: client.cert and client.key in"
    with pytest.raises(ImageError, match=f"^{tls.mtls_host}: TLS error \\({hint}"):
        load_from_registry(ref, SourceOptions(
            remote=True, registry=RegistryOptions(certs_dirs=(ca_only,))))
    full = _certs_d(tmp_path / "full", tls.mtls_host, tls.pki.ca, tls.pki.client_cert,
                    tls.pki.client_key)
    image, _ = load_from_registry(ref, SourceOptions(
        remote=True, registry=RegistryOptions(certs_dirs=(full,))))
    assert image.manifest_digest == tls.digest


def test_scan_verify_signatures_with_registry_ca(
    tls: TlsSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = SIGNER.write_public(tmp_path / "cosign.pub")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM {tls.ref}\nUSER 1\n")
    base = ["scan", str(dockerfile), "--verify-signatures", "--key", str(key),
            "--select", "IMG017", "--format", "json"]
    code, output = cli(capsys, *base)
    findings = json.loads(output)["findings"]
    assert [f["message"].split(": ")[1] for f in findings] == ["unverifiable"]
    assert "TLS error" in findings[0]["message"]
    code, output = cli(capsys, *base, "--registry-ca", str(tls.pki.ca))
    assert code == 0, output
    assert json.loads(output)["findings"] == []
