"""A compose file in the v1 format (services at the top level, no ``services:``, ``net:
host``), named like a compose file: current docker compose refuses it, so hullcheck says so (a
skipped entry and a warning) rather than report nothing (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_json
from hullcheck.inputs.compose import MAX_NAMED

V1 = """\
web:
  image: nginx:1.9
  net: host
  privileged: true
redis:
  image: redis
  links: [web]
"""
REASON = ("not judged: services at the top level without 'services:' (the Compose file format "
          "v1), which current docker compose refuses; move them under 'services:' (and 'net:' "
          "to 'network_mode:') to have them judged (services: {})")


def test_skipped_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docker-compose.yml").write_text(V1)
    code, doc, err = run_json(capsys, "scan", str(tmp_path))
    path = str(tmp_path / "docker-compose.yml")
    assert code == 0 and doc["findings"] == [] and doc["errors"] == []
    assert doc["skipped"] == [{"path": path, "reason": REASON.format("redis, web")}]
    assert err == f"hullcheck: warning: {path}: {REASON.format('redis, web')}\n"


def test_text_says_it_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docker-compose.yml").write_text("version: '2'\n" + V1)
    code, _out, err = run_cli(capsys, "scan", str(tmp_path / "docker-compose.yml"))
    assert code == 0
    assert err.count("hullcheck: warning:") == 1 and "(services: redis, web)" in err


def test_many_services_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(
        "".join(f"s{i:02}:\n  image: app:{i}\n" for i in range(MAX_NAMED + 5)))
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path))
    names = ", ".join(f"s{i:02}" for i in range(MAX_NAMED))
    assert doc["skipped"][0]["reason"].endswith(f"(services: {names}, and 5 more)")


@pytest.mark.parametrize("text", [
    "services:\n  web: {image: nginx:1.27}\nx-common: {image: x}\n",  # today's format
    "version: '3'\n",  # nothing at all: no services to speak of
    "web:\n  image: nginx\nnotes: just text\n",  # a top-level entry that is no service
])
def test_near_misses(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    (tmp_path / "compose.yaml").write_text(text)
    _code, doc, err = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert doc["skipped"] == [] and "v1" not in err
