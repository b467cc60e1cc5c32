"""CT010 already grades a writable sensitive bind mount above the same path read-only (issue 17:
"a writable hostPath judged above the same path mounted read-only"): the directory itself and a
credential store are high writable, medium read-only; a path below a sensitive directory is
medium writable and not reported read-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json

COMPOSE = """\
services:
  app:
    image: registry.example.com/app:1.4.2
    volumes:
      - /etc:/host/etc
      - /usr:/host/usr:ro
      - ~/.ssh:/root/.ssh
      - ~/.aws:/root/.aws:ro
      - /etc/nginx:/etc/nginx
      - /etc/ssl:/etc/ssl:ro
      - type: bind
        source: /boot
        target: /host/boot
      - type: bind
        source: /var/lib/docker
        target: /docker
        read_only: true
"""


def test_writable_above_read_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    _, doc, _ = run_json(capsys, "scan", str(tmp_path / "compose.yaml"), "--select", "CT010",
                         "--fail-on", "never")
    got = {f["location"]["line"]: f["severity"] for f in doc["findings"]}
    assert got == {
        5: "high",  # /etc writable
        6: "medium",  # /usr read-only
        7: "high",  # ~/.ssh writable: authorized_keys can be planted
        8: "medium",  # ~/.aws read-only: read all the same
        9: "medium",  # /etc/nginx writable, below /etc
        # 10: /etc/ssl read-only below /etc: not reported
        12: "high",  # /boot writable (long syntax)
        15: "medium",  # /var/lib/docker read-only (long syntax)
    }


def test_usr_share_data_and_kernel_modules(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24: an application's data under /usr/share is not sensitive; code there is;
    writable kernel modules are as high as the directory itself."""
    from conftest import FIXTURES

    _, doc, _ = run_json(capsys, "scan", str(FIXTURES / "compose" / "mounts-usr-share.yaml"),
                         "--select", "CT010", "--fail-on", "never")
    got = {f["location"]["line"]: f["severity"] for f in doc["findings"]}
    assert got == {13: "medium", 14: "medium", 15: "medium", 16: "medium", 17: "medium",
                   18: "medium", 20: "high"}
