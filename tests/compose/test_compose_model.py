"""The compose model rules read (``hullcheck.models.compose``): the loader's project is one, the
engine finds its walk through the model's module, and a ``check_compose`` rule reads files,
services, volumes, containers, interpolated text and where a merged key came from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hullcheck.config import Config
from hullcheck.engine import WALKS, Engine
from hullcheck.findings import Finding, Location, Severity
from hullcheck.inputs import compose as loader
from hullcheck.models import compose as model
from hullcheck.options import RunOptions
from hullcheck.rules.base import Context, Rule
from hullcheck.sources import Source


class _Reads(Rule):
    """Reports what it reads of the project, one finding per service."""

    id, name, title, severity = "TST101", "reads", "Reads", Severity.LOW
    inputs = frozenset({"compose"})

    def check_compose(self, ctx: Context, project: model.ComposeProject) -> Iterator[Finding]:
        volumes = sorted(project.volumes or {})
        for svc, spec in zip(project.services, project.containers, strict=True):
            image = svc.data.get("image")
            path, line = project.key_where(svc.data, "image", svc.where)
            yield self.finding(
                Location(path=path, line=line),
                f"{project.path} {project.files} {svc.name} "
                f"image={project.text(image, (path, line))} spec={spec.name} "
                f"volumes={volumes}")


def _source(path: Path) -> Source:
    return Source(path.name, path.read_text(), fs_path=path, explicit=True)


def test_a_compose_rule_reads_the_model_of_merged_files(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAG", "1.2")
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  web:\n"
        "    image: nginx:${TAG}\n"
        "  db:\n"
        "    image: postgres\n"
        "volumes:\n"
        "  data: {}\n")
    (tmp_path / "compose.prod.yaml").write_text(
        "services:\n"
        "  db:\n"
        "    image: postgres:${TAG:?set TAG}\n")
    loaded = loader.load([_source(tmp_path / "compose.yaml"),
                          _source(tmp_path / "compose.prod.yaml")], RunOptions())
    (project,) = loaded.models
    assert isinstance(project, model.ComposeProject)
    out: list[Finding] = []
    Engine([_Reads], Context(config=Config())).judge(loaded.models, out)
    files = "['compose.yaml', 'compose.prod.yaml']"
    assert [(f.location.path, f.location.line, f.message) for f in out] == [
        ("compose.yaml", 3,
         f"compose.yaml {files} web image=nginx:1.2 spec=web volumes=['data']"),
        # the override's key: its own file and line
        ("compose.prod.yaml", 3,
         f"compose.yaml {files} db image=postgres:1.2 spec=db volumes=['data']"),
    ]
    assert loaded.errors == []


def test_the_walk_table_names_the_model_module_not_the_loader() -> None:
    assert ("hullcheck.models.compose", "ComposeProject", "walk_compose") in WALKS
    assert not [row for row in WALKS if row[0].startswith("hullcheck.inputs")]


def test_the_model_cannot_be_made_without_text_and_key_where() -> None:
    with pytest.raises(TypeError, match="abstract"):
        model.ComposeProject()  # type: ignore[abstract]
