"""``hullcheck host`` and ``hullcheck image`` run one engine built from the selection: a rule the
selection leaves out is never called (not run and filtered afterwards), and a walk that cannot
provide what a rule needs records a typed skip instead of calling it."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from hostfixtures import make_host

import hullcheck.rules as registry
from hullcheck import cli
from hullcheck.engine import Engine
from hullcheck.findings import Finding, Location, Severity
from hullcheck.needs import MissingNeed, Need
from hullcheck.rules.base import Rule

CALLS: list[str] = []


class _Spy(Rule):
    """
    ## What it finds
    Nothing: it records each call and raises, so a call of an unselected one cannot hide.
    """

    name = "spy"
    title = "spy"
    severity = Severity.HIGH
    fix = "-"
    references = ("cis-docker-1.6:1.2.1",)

    def _called(self, where: str) -> Iterable[Finding]:
        CALLS.append(f"{self.id}:{where}")
        if self.id.endswith("1"):  # the selected one reports; the others must never get here
            return (self.finding(Location(setting="spy"), "selected spy ran"),)
        raise AssertionError(f"{self.id} ran although the selection left it out")


class SpyHost(_Spy):
    id = "SPY001"
    inputs = frozenset({"host"})

    def check_host(self, ctx: Any, host: Any) -> Iterable[Finding]:
        return self._called("host")


class SpyHostOther(_Spy):
    id = "SPY002"
    inputs = frozenset({"host"})

    def check_host(self, ctx: Any, host: Any) -> Iterable[Finding]:
        return self._called("host")


class SpyContainer(_Spy):
    id = "SPY003"
    inputs = frozenset({"host"})
    platforms = frozenset({"docker"})

    def check_container(self, ctx: Any, spec: Any) -> Iterable[Finding]:
        return self._called("container")


class SpyImage(_Spy):
    id = "SPY004"
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.1",)  # a check the host audit judges from image rules

    def check_image(self, ctx: Any, image: Any) -> Iterable[Finding]:
        return self._called("image")


class SpyImageSelected(SpyImage):
    id = "SPY011"


class SpyEnvironment(_Spy):
    id = "SPY005"
    inputs = frozenset({"image"})
    references = ("cis-docker-1.6:4.5",)

    def check_environment(self, ctx: Any, env: Any) -> Iterable[Finding]:
        return self._called("environment")


SPIES: tuple[type[Rule], ...] = (SpyHost, SpyHostOther, SpyContainer, SpyImage,
                                 SpyImageSelected, SpyEnvironment)


@pytest.fixture(autouse=True)
def spies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spies join every family the engine loads for ``host`` and ``image``."""
    real = registry.rules_for_kinds
    monkeypatch.setattr(registry, "rules_for_kinds",
                        lambda kinds: (*real(kinds), *SPIES))
    CALLS.clear()


def _host_json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
               *args: str) -> dict[str, Any]:
    import hullcheck.inputs.docker_host as docker_host

    monkeypatch.setattr(docker_host, "collect", lambda _options: make_host())
    code = cli.main(["host", "--format", "json", "--fail-on", "never", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return dict(json.loads(out))


def test_host_calls_only_the_selected_rules(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    doc = _host_json(monkeypatch, capsys, "--select", "SPY001,SPY011,CT005")
    # SPY002-SPY005 would raise (an error line, exit 2) had the engine called them.
    assert CALLS == ["SPY001:host", "SPY011:image"]
    assert {f["rule"] for f in doc["findings"]} == {"SPY001", "SPY011", "CT005"}
    assert doc["errors"] == [] and doc["skipped"] == []
    # A check only unselected rules carry is not judged by this run: not listed as a pass.
    ids = {c["id"].split(":", 1)[1] for c in doc["checks"]}
    assert "5.16" in ids  # CT005's
    assert "4.1" in ids and "1.2.1" in ids  # carried by a selected spy
    assert "4.5" not in ids and "5.5" not in ids  # IMG018/SPY005's, CT's privileged: not selected


def test_host_ignore_keeps_the_rule_from_running(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _host_json(monkeypatch, capsys, "--ignore", "SPY002,SPY003,SPY004,SPY005")
    assert CALLS == ["SPY001:host", "SPY011:image"]


def test_image_calls_only_the_selected_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "image"))
    from image_builders import M, image_blobs, layer_tar, write_oci_layout

    base = layer_tar([M("bin", kind=tarfile.DIRTYPE, mode=0o755), M("bin/sh", b"#!", mode=0o755)])
    manifest, _cfg, blobs = image_blobs([base], {"User": "app"}, [{"created_by": "ADD x /"}])
    layout = write_oci_layout(tmp_path / "oci", manifest, blobs, name="app")
    code = cli.main(["image", str(layout), "--format", "json", "--fail-on", "never",
                     "--select", "SPY011,IMG001"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["errors"] == []
    assert CALLS == ["SPY011:image"]
    assert [f["rule"] for f in doc["findings"]] == ["SPY011"]  # user "app": IMG001 passes
    assert doc["checks"] == []  # 4.5's rules (IMG018, SPY005) were not selected


def test_a_missing_need_is_a_typed_skip_never_a_call() -> None:
    from hostfixtures import ctx

    from hullcheck.models.environment import Environment

    class NeedsLayers(SpyImageSelected):
        id = "SPY021"
        needs = frozenset({Need.IMAGE_LAYERS})

    engine = Engine([NeedsLayers, SpyImageSelected], ctx())
    out: list[Finding] = []
    engine.judge_image(object(), {Need.IMAGE_LAYERS: "not read here"}, out, "img")  # type: ignore[arg-type]
    assert CALLS == ["SPY011:image"]
    assert engine.skips == [MissingNeed("SPY021", Need.IMAGE_LAYERS, "not read here")]
    assert engine.skips[0].skipped().reason == "needs the image layers: not read here"
    # On a host whose engine did not answer, the walks of containers and images need it.
    host = make_host(containers=("hardened",))
    host.engine_error = "no Docker socket"
    from hullcheck.hostaudit.images import unavailable_needs

    engine = Engine([SpyContainer, SpyImageSelected, NeedsLayers], ctx())
    engine.judge_host(host, [], unavailable_needs(host), Environment())
    assert [(s.rule, s.need) for s in engine.skips] == [
        ("SPY003", Need.DOCKER_API), ("SPY011", Need.DOCKER_API), ("SPY021", Need.DOCKER_API)]
    assert CALLS == ["SPY011:image"]  # still only the call above


def test_run_times_travel_in_the_report(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """No module-level state: docker-bench-json's start and end are the report's own."""
    import time

    from hullcheck.findings import Report
    from hullcheck.reporters.docker_bench import render

    doc = json.loads(render(Report(started=1_700_000_000.9, ended=1_700_000_007.2)))
    assert (doc["start"], doc["end"]) == (1_700_000_000, 1_700_000_007)
    import hullcheck.inputs.docker_host as docker_host

    monkeypatch.setattr(docker_host, "collect", lambda _options: make_host())
    before = int(time.time())
    assert cli.main(["host", "--format", "docker-bench-json", "--fail-on", "never",
                     "--select", "SPY001"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert before <= doc["start"] <= doc["end"] <= int(time.time())
