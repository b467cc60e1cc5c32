"""hullcheck's own image on the real engine: it builds, runs as a user without privileges, and
passes hullcheck's own image audit with nothing at or above medium (the Dockerfile's audit:
tests/test_own_dockerfile.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import run_cli

pytestmark = pytest.mark.live


def test_image_runs_hullcheck_as_non_root(docker_client: Any, own_image: str) -> None:
    image = docker_client.images.get(own_image)
    config = image.attrs["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["hullcheck"]
    assert config["Healthcheck"] == {"Test": ["NONE"]}
    labels = config["Labels"]
    assert labels["org.opencontainers.image.title"] == "hullcheck"
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    from hullcheck import __version__

    out = docker_client.containers.run(own_image, ["--version"], remove=True)
    assert out.decode().strip().endswith(__version__)
    # no build tools in the final stage: no pip in the environment, no compiler
    out = docker_client.containers.run(
        own_image, ["-c", "import importlib.util as u, shutil; "
                          "print(u.find_spec('pip'), shutil.which('gcc'), shutil.which('cc'))"],
        entrypoint=["/opt/hullcheck/bin/python"], remove=True)
    assert out.decode().split() == ["None", "None", "None"]


def test_image_passes_hullchecks_own_audit(own_image: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "image", own_image, "--fail-on", "medium", "--format", "json")
    doc = json.loads(out)
    counted = [(f["rule"], f["message"]) for f in doc["findings"]
               if f["severity"] in ("critical", "high", "medium") and not f.get("suppressed")]
    assert counted == [], "\n".join(f"{r}: {m}" for r, m in counted)
    assert code == 0, err
