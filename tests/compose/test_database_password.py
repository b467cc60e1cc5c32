"""CT030's severity (a port on every host interface makes it high) and its masking: the
password never reaches the output."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_json
from hullcheck.models.container import EnvVar
from hullcheck.rules.container.database_password import weak_password_reason

COMPOSE = """\
services:
  public:
    image: postgres:16
    ports: ["5432:5432"]
    environment: {POSTGRES_PASSWORD: Passw0rd}
  loopback:
    image: postgres:16
    ports: ["127.0.0.1:5433:5432"]
    environment: {POSTGRES_PASSWORD: Passw0rd}
  hostnet:
    image: postgres:16
    network_mode: host
    ports: ["5434:5432"]
    environment: {POSTGRES_PASSWORD: Passw0rd}
  unpublished:
    image: postgres:16
    expose: ["5432"]
    environment: {POSTGRES_PASSWORD: Passw0rd}
"""


def test_high_only_with_a_port_on_every_interface(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "compose.yaml"),
                                "--select", "CT030", "--fail-on", "never")
    severities = {f["message"].split(":")[0]: f["severity"] for f in doc["findings"]}
    # host networking: Docker discards published ports (CT021 does not judge them either)
    assert severities == {"public": "high", "loopback": "medium", "hostnet": "medium",
                          "unpublished": "medium"}
    assert "every host interface" in doc["findings"][0]["message"]


def test_value_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    # (SARIF carries each rule's documentation, which lists the defaults themselves.)
    for fmt in ("text", "json"):
        _code, out, _err = run_cli(capsys, "scan", str(tmp_path / "compose.yaml"), "--select",
                                   "CT030", "--fail-on", "never", "--format", fmt)
        assert "CT030" in out
        assert "passw0rd" not in out.lower()


@pytest.mark.parametrize(("name", "value", "fires"), [
    ("ALLOW_EMPTY_PASSWORD", "YES", True),  # Bitnami's is_boolean_yes ignores case
    ("ALLOW_EMPTY_PASSWORD", "1", True),
    ("ALLOW_EMPTY_PASSWORD", "no", False),
    ("POSTGRES_HOST_AUTH_METHOD", "trust", True),
    ("POSTGRES_HOST_AUTH_METHOD", "md5", False),
    ("MYSQL_ALLOW_EMPTY_PASSWORD", "false", True),  # the entrypoint tests -n
    ("MYSQL_ALLOW_EMPTY_PASSWORD", "", False),
    ("MYSQL_ALLOW_EMPTY_PASSWORD", "${ALLOW}", False),  # a template, not a value
    ("MYSQL_ROOT_PASSWORD", "ROOT", True),
    ("MYSQL_ROOT_PASSWORD", "root-Xk29-long", False),
    ("DB_PASS", "123456", True),
    ("ADMIN_USER", "admin", False),
    ("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD}", False),
    ("POSTGRES_PASSWORD", None, False),
])
def test_judgement(name: str, value: str | None, fires: bool) -> None:
    var = EnvVar(name, value)
    assert (weak_password_reason(var, {name: var}) is not None) is fires


def test_allow_empty_is_a_no_op_when_root_password_given() -> None:
    allow = EnvVar("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1")
    for root in (EnvVar("MARIADB_ROOT_PASSWORD", None), EnvVar("MARIADB_ROOT_PASSWORD_HASH", "*A"),
                 EnvVar("MARIADB_RANDOM_ROOT_PASSWORD", "yes")):
        assert weak_password_reason(allow, {allow.name: allow, root.name: root}) is None
    empty_root = EnvVar("MARIADB_ROOT_PASSWORD", "")
    assert weak_password_reason(allow, {allow.name: allow, empty_root.name: empty_root})
