"""A baseline that hullcheck 0.1.0 wrote on this test engine (``hullcheck host --select HOST005
--write-baseline``, 7 HOST005 entries: the engine's daemon defaults) still matches after HOST005
was retired: each finding of its successors is baselined, and the retired id still selects them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullcheck.cli import main

pytestmark = pytest.mark.live

BASELINE = Path(__file__).parent / "data" / "baseline-host005-live-0.1.0.json"


def test_live_baseline_of_0_1_0_matches_the_successors(
        docker_client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    entries = json.loads(BASELINE.read_text())["findings"]
    assert {e["rule"] for e in entries} == {"HOST005"} and len(entries) == 7
    code = main(["host", "--select", "HOST005", "--baseline", str(BASELINE), "--format", "json",
                 "--show-suppressed", "--fail-on", "info", "--image", "none-such:0"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    found = doc["findings"]
    # Live restore is not judged while another test holds the engine in swarm mode.
    swarm = docker_client.info().get("Swarm", {}).get("LocalNodeState") == "active"
    assert len(found) == (6 if swarm else 7)
    assert all(f["rule"] in {f"HOST{n:03d}" for n in range(13, 29)} for f in found)
    assert all(f["suppressed"] == {"by": "baseline", "reason": "present in the baseline"}
               for f in found)
