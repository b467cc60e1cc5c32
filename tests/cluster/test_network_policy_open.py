"""KNS009's precise messages and severities: internet egress versus an open policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cluster"


def test_internet_only_blocks_are_info_and_partial_excepts_name_the_open_ranges(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    _c, doc, _e = run_json(capsys, "scan", "network-egress.yaml", "--select", "KNS009",
                           "--fail-on", "never")
    by_line = {f["location"]["line"]: f for f in doc["findings"]}
    internet = by_line[43]
    assert internet["severity"] == "info"
    assert internet["title"] == "NetworkPolicy admits the whole internet"
    assert "every public (internet) address" in internet["message"]
    assert by_line[48]["severity"] == "info"
    partial = by_line[53]
    assert partial["severity"] == "medium"
    assert "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16" in partial["message"]
    assert by_line[62]["severity"] == "medium"  # ::/0: no private carve-out


def test_fail_on_low_passes_dns_and_internet_egress(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "np.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: egress, namespace: app}\n"
        "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n"
        "  - to: [{namespaceSelector: {}}]\n"
        "    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]\n"
        "  - to: [{ipBlock: {cidr: 0.0.0.0/0,"
        " except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}]\n")
    monkeypatch.chdir(tmp_path)
    code, doc, _e = run_json(capsys, "scan", "np.yaml", "--select", "KNS009", "--fail-on", "low")
    assert code == 0
    assert [f["severity"] for f in doc["findings"]] == ["info"]
