"""``hullcheck image`` options as the README and ``image --help`` state them: signatures are
verified whenever a key, trust store or keyless identity applies, from the flags or the config
(``--verify-signatures`` only adds a note when none does); ``--max-layer-size`` is positive."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hullcheck.commands import image as image_command
from hullcheck.config import Config, TrustKey, TrustPolicy
from hullcheck.findings import Report
from hullcheck.rules.base import Context
from hullcheck.trust import policy


def _judge(config: Config, flag: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any],
                                                                                 Report]:
    calls: list[Any] = []

    def fake_verify(ref: Any, keys: list[Path], *args: Any, **kwargs: Any
                    ) -> list[policy.TrustVerdict]:
        calls.append((str(ref), keys))
        return [policy.TrustVerdict("signed", True, "ok", (policy.SIGNED_ARTIFACTS,))]

    monkeypatch.setattr(policy, "verify_image", fake_verify)
    image = SimpleNamespace(requested="ghcr.io/acme/app:1", trust=[], manifest_digest=None,
                            ref=SimpleNamespace(ref="ghcr.io/acme/app:1"), source="registry",
                            named=None)
    report = Report()
    args = argparse.Namespace(verify_signatures=flag, notation_identity=[])
    image_command._judge_trust(image, None, Context(config=config, options={}),  # type: ignore[arg-type]
                               ([], []), None, args, report)
    return calls, report


@pytest.mark.parametrize("flag", [False, True])
def test_a_config_key_is_verified_without_the_flag(flag: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    key = Path("/keys/cosign.pub")
    config = Config(trust=TrustPolicy(keys=[TrustKey("ghcr.io/acme/**", key)]))
    calls, report = _judge(config, flag, monkeypatch)
    assert calls == [("ghcr.io/acme/app:1", [key])]
    assert report.skipped == []


def test_the_flag_says_so_when_nothing_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    calls, report = _judge(Config(), False, monkeypatch)
    assert calls == [] and report.skipped == []
    calls, report = _judge(Config(), True, monkeypatch)
    assert calls == [] and [s.rule for s in report.skipped] == ["IMG017"]


@pytest.mark.parametrize("bad", ["0", "-1", "big"])
def test_max_layer_size_must_be_positive(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    # -1 used to refuse every layer as a "decompression bomb"; 0 silently meant the default.
    from hullcheck.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["image", "does-not-matter.tar", "--max-layer-size", bad])
    assert exc.value.code == 2
    assert "--max-layer-size: expected a whole number of at least 1" in capsys.readouterr().err
