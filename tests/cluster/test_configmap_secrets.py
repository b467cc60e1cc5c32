"""KNS045: the value never reaches the output, and only the first MAX_VALUE_CHARS are judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, run_json
from hullcheck.rules.cluster.configmap_secrets import MAX_VALUE_CHARS

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data:
  DB_PASSWORD: hunter2-Zq9
"""


def test_value_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cm.yaml").write_text(CONFIGMAP)
    for fmt in ("text", "json", "sarif"):
        _code, out, _err = run_cli(capsys, "scan", str(tmp_path / "cm.yaml"), "--select",
                                   "KNS045", "--fail-on", "never", "--format", fmt)
        assert "KNS045" in out
        assert "hunter2-Zq9" not in out


def test_only_the_first_mebibyte_is_judged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert MAX_VALUE_CHARS == 1024 * 1024
    key = "AKIAIOSFODNN7EXAMPLE"
    within = "a" * (MAX_VALUE_CHARS - len(key) - 1) + " " + key
    beyond = "a" * MAX_VALUE_CHARS + " " + key
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: shop}\ndata:\n"
        f"  within: {within}\n  beyond: {beyond}\n")
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "cm.yaml"), "--select", "KNS045",
                                "--fail-on", "never")
    assert [(f["rule"], f["location"]["line"]) for f in doc["findings"]] == [("KNS045", 5)]
