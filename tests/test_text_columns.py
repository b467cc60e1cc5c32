"""The text report's ``path:line:col`` gives an indented Dockerfile instruction's real column, as
SARIF's ``startColumn`` and the ``github`` format's ``col`` do; an instruction at the start of
its line stays ``:1`` (SARIF: no ``startColumn``, which means column 1). JSON is unchanged (it
has no column field). Compose and Kubernetes YAML record no columns (the YAML loader keeps lines
only), so their findings stay at column 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullcheck.cli import main
from hullcheck.inputs.dockerfile import parse

DOCKERFILE = ("FROM alpine:3.19\n    ADD app.py /app/\nADD lib.py /lib/\n\t ADD x.py /x/\n"
              "USER 1000\n")


def _scan(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> str:
    main(["scan", str(path), "--select", "DF007", "--no-color", "--fail-on", "never", *args])
    return capsys.readouterr().out


def test_indented_instructions_are_located_at_their_column(tmp_path: Path) -> None:
    df = parse("Dockerfile", DOCKERFILE)
    assert df.columns == {2: 5, 4: 3}  # a tab counts one character, as SARIF counts
    assert df.location(2).column == 5
    assert df.location(3).column is None
    assert df.location(None).column is None


def test_text_sarif_and_github_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    leads = [line.split(" ", 1)[0] for line in _scan(capsys, path).splitlines()
             if line.startswith(str(path))]
    assert leads == [f"{path}:2:5:", f"{path}:3:1:", f"{path}:4:3:"]

    sarif = json.loads(_scan(capsys, path, "--format", "sarif"))
    regions = [r["locations"][0]["physicalLocation"]["region"]
               for r in sarif["runs"][0]["results"]]
    assert [(r["startLine"], r.get("startColumn")) for r in regions] == [
        (2, 5), (3, None), (4, 3)]

    github = [line for line in _scan(capsys, path, "--format", "github").splitlines()
              if line.startswith("::")]
    assert [g.split(",col=")[1].split(",")[0] for g in github if ",col=" in g] == ["5", "1", "3"]

    doc = json.loads(_scan(capsys, path, "--format", "json"))
    assert all("column" not in f["location"] for f in doc["findings"])
