"""The CLI's typed contracts: options as a ``RunOptions`` (not the argparse namespace), the format
list derived from the reporters' table, and exception classes saying what failed (usage, a file
named for the run, a bug) instead of every ``ValueError`` becoming a usage error."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from hullcheck import cli
from hullcheck.errors import BadInput, HullcheckError, UsageError
from hullcheck.options import RunOptions
from hullcheck.reporters import REPORTERS, formats_for


def _choices(command: str) -> list[str]:
    parser = cli.build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    fmt = next(a for a in sub.choices[command]._actions if "--format" in a.option_strings)
    return list(fmt.choices or ())


def test_format_choices_come_from_the_reporters_table() -> None:
    assert _choices("scan") == _choices("image") == ["text", "concise", "json", "sarif",
                                                     "junit", "github", "gitlab", "html"]
    assert _choices("merge") == _choices("diff") == _choices("scan")
    assert _choices("host") == list(REPORTERS) == [*formats_for("scan"), "docker-bench-json"]


def test_a_format_for_another_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["scan", "--format", "docker-bench-json", "."])
    assert exc.value.code == 2
    assert "invalid choice: 'docker-bench-json'" in capsys.readouterr().err


def test_run_options_from_the_command_line() -> None:
    args = argparse.Namespace(command="scan", debug=False, kubernetes_version="1.30",
                              pss_level="baseline", key=["k.pub"], jobs=3, paths=["x"],
                              insecure_registry=["127.0.0.1:5000"], format="json")
    opts = RunOptions.from_args(args, keyless_identities=())
    assert opts == RunOptions(command="scan", kubernetes_version="1.30", pss_level="baseline",
                              key=("k.pub",), jobs=3, insecure_registry=("127.0.0.1:5000",))
    assert opts.get("pss_level") == "baseline" and opts.get("nothing", 7) == 7
    assert not hasattr(opts, "format") and not hasattr(opts, "paths")  # not the namespace


def test_exception_classes_say_what_failed() -> None:
    from hullcheck.config import ConfigError

    assert issubclass(UsageError, HullcheckError) and issubclass(BadInput, HullcheckError)
    assert issubclass(ConfigError, BadInput) and issubclass(ConfigError, ValueError)


def test_missing_config_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    code = cli.main(["scan", "--config", str(tmp_path / "nope.yaml"), str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"hullcheck: error: {tmp_path / 'nope.yaml'}: config file not found\n"


def test_a_bug_is_one_line_not_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A ValueError from a bug is no longer dressed as a usage error: it says it is a bug."""
    import hullcheck.engine as engine

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("invalid literal for int() with base 10: 'x'")

    monkeypatch.setattr(engine, "scan", broken)
    code = cli.main(["scan", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("hullcheck: internal error: ValueError: invalid literal for int() with base"
                   " 10: 'x' (a bug: please report it; --debug shows where)\n")
    with pytest.raises(ValueError, match="invalid literal"):  # --debug: the traceback
        cli.main(["scan", "--debug", str(tmp_path)])
