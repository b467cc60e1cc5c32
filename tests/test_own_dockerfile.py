"""hullcheck's own Dockerfile passes hullcheck's Dockerfile audit with nothing at or above
medium, also under a trust policy requiring digests: its base is `FROM ${BASE_IMAGE}` with the
ARG's default pinned by digest (the image it builds is audited live: tests/live/ownimage)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, run_json

DOCKERFILE = ROOT / "Dockerfile"


@pytest.mark.parametrize("require_digest", [False, True])
def test_own_dockerfile_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               require_digest: bool) -> None:
    config = tmp_path / ".hullcheck.yaml"
    config.write_text(f"trust:\n  require-digest: {str(require_digest).lower()}\n")
    code, doc, err = run_json(capsys, "scan", str(DOCKERFILE), "--config", str(config),
                              "--fail-on", "info", "--show-suppressed")
    assert (code, err) == (0, "")
    assert doc["findings"] == []


def test_base_is_pinned_and_marked_for_verification() -> None:
    text = DOCKERFILE.read_text()
    default = re.search(r"^ARG BASE_IMAGE=(\S+)$", text, re.M)
    assert default is not None
    assert re.fullmatch(r"docker\.io/library/python:[\w.-]+@sha256:[0-9a-f]{64}", default[1])
    assert "VERIFY AT RELEASE" in text
    assert text.count("FROM ${BASE_IMAGE}") == 2


def test_unpinned_default_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    """The same Dockerfile with the digest taken off its ARG default: DF005 reports both FROMs."""
    text = re.sub(r"@sha256:[0-9a-f]{64}", "", DOCKERFILE.read_text())
    (tmp_path / "Dockerfile").write_text(text)
    (tmp_path / ".hullcheck.yaml").write_text("trust:\n  require-digest: true\n")
    code, doc, _ = run_json(capsys, "scan", str(tmp_path / "Dockerfile"), "--config",
                            str(tmp_path / ".hullcheck.yaml"), "--select", "DF005")
    assert code == 0  # medium, under the default threshold
    assert [f["message"] for f in doc["findings"]] == [
        "FROM docker.io/library/python:3.12.7-slim-bookworm is not pinned by digest, and the "
        "trust policy requires digests."] * 2
