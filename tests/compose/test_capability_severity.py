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
    cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETGID, SETUID, SETFCAP, SYS_NICE, NET_RAW, SYS_ADMIN,
              IPC_LOCK, SYS_TIME, CAP_SYS_MODULE, FUTURE_CAP]
"""


def test_rated_by_what_the_capability_grants(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "compose.yaml"),
                                "--select", "CT002", "--fail-on", "never")
    by_cap = {f["message"].split("capability ")[1].split(" ")[0].rstrip("."): f
              for f in doc["findings"]}
    severities = {cap: f["severity"] for cap, f in by_cap.items()}
    assert severities == {
        # Docker's default set, added back after cap_drop: [ALL], and own-resource capabilities
        # (IPC_LOCK: mlock charged to the container's cgroup): low (issue 24)
        "CHOWN": "low", "DAC_OVERRIDE": "low", "FOWNER": "low", "SETGID": "low",
        "SETUID": "low", "SETFCAP": "low", "SYS_NICE": "low", "IPC_LOCK": "low",
        "SYS_TIME": "medium", "FUTURE_CAP": "medium",
        "NET_RAW": "high", "SYS_ADMIN": "high",
        # kernel code: critical (CAP_ prefix normalised)
        "SYS_MODULE": "critical",
    }
    assert "root on the host" not in by_cap["DAC_OVERRIDE"]["message"]
    assert "container escapes" in by_cap["SYS_ADMIN"]["message"]
    assert "spoofing" in by_cap["NET_RAW"]["message"]
