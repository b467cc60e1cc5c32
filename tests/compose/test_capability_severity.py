"""CT002's severity: what an added capability grants, not whether it was added."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json

COMPOSE = """\
services:
  app:
    image: app:1.0
    cap_drop: [ALL]
    cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID, SETFCAP, SYS_NICE, NET_RAW, SYS_ADMIN]
"""


def test_default_set_is_medium_escape_primitives_high(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "compose.yaml"),
                                "--select", "CT002", "--fail-on", "never")
    by_cap = {f["message"].split("capability ")[1].split(" ")[0].rstrip("."): f
              for f in doc["findings"]}
    severities = {cap: f["severity"] for cap, f in by_cap.items()}
    assert severities == {
        "CHOWN": "medium", "DAC_OVERRIDE": "medium", "FOWNER": "medium", "SETGID": "medium",
        "SETUID": "medium", "SETFCAP": "medium", "SYS_NICE": "medium",
        "NET_RAW": "high", "SYS_ADMIN": "high",
    }
    assert "root on the host" not in by_cap["DAC_OVERRIDE"]["message"]
    assert "container escapes" in by_cap["SYS_ADMIN"]["message"]
    assert "spoofing" in by_cap["NET_RAW"]["message"]
