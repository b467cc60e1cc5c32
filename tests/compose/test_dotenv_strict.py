"""The ``.env`` beside a compose file: a file docker compose refuses is one input error
(path, line, what is wrong; exit 2), and the scan goes on with the variables read above it."""

from __future__ import annotations

from pathlib import Path

import pytest
from compose_helpers import HARD

from conftest import run_cli, run_json
from hullcheck.inputs.compose_env import read_dotenv

SERVICE = "services:\n  app:\n    <<: *hardened\n    privileged: ${PRIV:-false}\n"


def _project(tmp_path: Path, dotenv: str) -> Path:
    (tmp_path / ".env").write_text(dotenv)
    compose = tmp_path / "compose.yaml"
    compose.write_text(HARD + SERVICE)
    return compose


@pytest.mark.parametrize(("dotenv", "message"), [
    ("PRIV=true\nA=1\nBAD!=2\nC=3\n", "line 3: unexpected character '!' in variable name"),
    ("PRIV=true\nMY KEY=2\n", "line 2: key cannot contain a space"),
    ("PRIV=true\nB=\"never closed\nC=3\n", "line 2: unterminated quoted value for B"),
    ("PRIV=true\n=value\n", "line 2: no variable name"),
    ("PRIV=true\nURL=${HOST:?is missing}\n",
     "line 2: required variable HOST is missing"),
    ("PRIV=true\nBROKEN=${UNCLOSED\n", "line 2: invalid interpolation format"),
])
def test_refused_dotenv_is_one_error_and_the_scan_continues(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        dotenv: str, message: str) -> None:
    monkeypatch.delenv("PRIV", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    _project(tmp_path, dotenv)
    monkeypatch.chdir(tmp_path)
    code, doc, _ = run_json(capsys, "scan", "compose.yaml", "--fail-on", "never",
                            "--select", "CT001")
    assert code == 2
    [error] = doc["errors"]
    assert error["path"] == ".env"
    assert error["message"].startswith(message), error["message"]
    assert error["message"].endswith("(docker compose refuses this .env file)")
    # PRIV=true on line 1, above the refused line, still reached the compose file.
    assert [f["rule"] for f in doc["findings"]] == ["CT001"]


def test_error_names_the_dotenv_beside_the_compose_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "deploy"
    project.mkdir()
    _project(project, "OK=1\n%BAD=1\n")
    code, out, err = run_cli(capsys, "scan", str(project / "compose.yaml"), "--fail-on",
                             "never")
    assert code == 2
    lines = [line for line in (out + err).splitlines() if ".env" in line]
    assert len(lines) == 1, lines
    assert str(project / ".env") in lines[0] and "line 2: unexpected character '%'" in lines[0]


@pytest.mark.parametrize("dotenv", [
    "# only comments\n\n   # indented comment\n",
    "export A=1\nB='x'\nC=\"multi\nline\"\nD=${A}-${B}\nE: yaml\nF\nG=a#b # c\n",
    "INDEXED[0]=x\nDASHED-NAME=y\nDOTTED.NAME=z\nÜNICODE=1\n",
    "A=1\nREQUIRED=${A:?set above}\n",
    "ESC=\"tab\\there \\$literal\"\nSINGLE='${NOT} \\n'\n",
    "",
])
def test_valid_dotenv_files_are_not_refused(dotenv: str) -> None:
    _values, error = read_dotenv(dotenv, {}.get)
    assert error is None


def test_valid_dotenv_values() -> None:
    values, error = read_dotenv(
        "export A=1\nC=\"multi\nline\"\nD=${A}-x # comment\nE: yaml\nF\n", {"F": "env"}.get)
    assert error is None
    assert values == {"A": "1", "C": "multi\nline", "D": "1-x", "E": "yaml", "F": "env"}


def test_refused_dotenv_keeps_values_above_the_refused_line() -> None:
    values, error = read_dotenv("A=1\nB=2\nBAD!=3\nC=4\n", {}.get)
    assert values == {"A": "1", "B": "2"}
    assert error is not None and error.startswith("line 3: ")


def test_one_error_for_a_dotenv_shared_by_two_projects(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path, "A=1\nBAD!=1\n")
    (tmp_path / "docker-compose.prod.yml").write_text(HARD + SERVICE)
    code, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert code == 2
    assert [e["path"] for e in doc["errors"]] == [str(tmp_path / ".env")]
