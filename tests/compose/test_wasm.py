"""WebAssembly services (issue 24): the Linux-only container rules are not applicable, listed
in ``skipped`` with the reason, once per rule and service; other rules still judge them."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run_json
from hullcheck.models.container import is_wasm_runtime

LINUX_ONLY = ["CT002", "CT003", "CT014", "CT015", "CT016", "CT019", "CT031"]


def test_skipped_with_the_reason(capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "compose")
    _code, doc, _err = run_json(capsys, "scan", "wasm.yaml", "--fail-on", "never")
    reasons = {(s["rule"], s["reason"]) for s in doc["skipped"]}
    expected = set()
    for line, name, why in ((13, "backend", "runtime: io.containerd.wasmedge.v1"),
                            (20, "spin", "runtime: io.containerd.spin.v2"),
                            (24, "wasi-only", "platform: wasi/wasm32")):
        expected |= {(rule, f"wasm.yaml:{line}: {name} is a WebAssembly service ({why}); the "
                            "rule judges Linux containers") for rule in LINUX_ONLY}
    assert reasons == expected
    assert len(doc["skipped"]) == 3 * len(LINUX_ONLY)


def test_only_selected_rules_are_listed(capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "compose")
    _code, doc, _err = run_json(capsys, "scan", "wasm.yaml", "--select", "CT014,CT021",
                                "--fail-on", "never")
    assert sorted({s["rule"] for s in doc["skipped"]}) == ["CT014"]
    assert {f["rule"] for f in doc["findings"]} == {"CT014", "CT021"}
    assert {f["location"]["container"] for f in doc["findings"] if f["rule"] == "CT014"} == \
        {"linux"}


@pytest.mark.parametrize(("runtime", "wasm"), [
    ("io.containerd.wasmedge.v1", True), ("io.containerd.wasmtime.v1", True),
    ("io.containerd.spin.v2", True), ("IO.CONTAINERD.SLIGHT.V1", True),
    ("io.containerd.runc.v2", False), ("runc", False), ("io.containerd.wasmedge", False),
    ("", False)])
def test_wasm_runtimes(runtime: str, wasm: bool) -> None:
    assert is_wasm_runtime(runtime) is wasm

