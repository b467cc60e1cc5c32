from __future__ import annotations

import pytest

from conftest import ROOT, run_json
from hullcheck.rules.container import RULES


def test_demo_compose_stack_trips_every_container_rule(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, doc, _ = run_json(capsys, "scan", str(ROOT / "examples"), "--fail-on", "never")
    assert not doc["errors"]
    fired = {f["rule"] for f in doc["findings"]}
    # CT027 needs a trust.allowed list in the configuration.
    assert {r.id for r in RULES} - {"CT027"} <= fired
    override = [f for f in doc["findings"] if f["location"]["path"].endswith("override.yaml")]
    assert {f["location"]["container"] for f in override} >= {"web", "cache"}
