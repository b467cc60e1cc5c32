"""Inputs only load, the engine walks (issue 13, step 1): what a loader returns, what the parser
fills at load, and the engine's table of walks per model type."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hullcheck.config import Config
from hullcheck.engine import Engine
from hullcheck.findings import Finding, Severity
from hullcheck.inputs import Loaded
from hullcheck.inputs.dockerfile import load, parse
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context, Rule
from hullcheck.sources import Source


def test_the_dockerfile_loader_returns_models_suppressions_warnings_and_errors() -> None:
    good = ("FROM alpine\n"
            "# hullcheck: ignore=DF002 pinned elsewhere\n"
            "RUN true\n"
            "# hullcheck: ignor=DF001\n"
            "USER 1\n")
    loaded = load([Source("a/Dockerfile", good), Source("b/Dockerfile", "RUN true\n")], {})
    assert isinstance(loaded, Loaded)
    assert [type(m) for m in loaded.models] == [Dockerfile]
    assert [(s.selectors, s.start, s.end, s.line) for s in loaded.suppressions] == [
        (["DF002"], 3, 3, 2)]
    assert loaded.warnings == ["a/Dockerfile:4: malformed suppression '# hullcheck: ignor=DF001' "
                               "(expected '# hullcheck: ignore=ID[,ID] reason')"]
    assert [(e.path, e.message) for e in loaded.errors] == [
        ("b/Dockerfile", "invalid Dockerfile: no FROM instruction")]


def test_onbuild_is_unwrapped_once_at_load_and_the_shell_parsed_once_on_first_use() -> None:
    df = parse("Dockerfile", "FROM alpine\nONBUILD COPY --chown=1:1 a /b\nRUN echo hi | tee f\n")
    onbuild, run = df.stages[0].instructions
    # the trigger is a field the parser filled, with the flags BuildKit drops for ONBUILD
    assert "trigger" in vars(onbuild) and onbuild.trigger is not None
    assert (onbuild.trigger.cmd, onbuild.trigger.flags) == ("COPY", ("--chown=1:1",))
    assert onbuild.judged_cmd == "COPY" and run.judged_cmd == "RUN"
    # the shell: not parsed by loading, parsed on first use, then kept
    assert "shell" not in vars(run)
    script = run.shell
    assert script is not None and [c.name for c in script.commands] == ["echo", "tee"]
    assert run.shell is script


class _Every(Rule):
    id, name, title, severity = "TST001", "every", "Every", Severity.LOW
    inputs = frozenset({"dockerfile"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        yield self.finding(dockerfile.location(instruction.line),
                           f"{instruction.cmd} in {stage.index if stage else '-'}")


def test_the_engine_walks_any_model_through_its_table_and_refuses_an_unknown_one() -> None:
    engine = Engine([_Every], Context(config=Config()))
    df = parse("Dockerfile", "ARG V=1\nFROM alpine:$V\nONBUILD RUN x\nFROM scratch\n")
    out: list[Finding] = []
    engine.judge([df], out)
    assert [f.message for f in out] == ["ARG in -", "FROM in 0", "ONBUILD in 0", "FROM in 1"]
    with pytest.raises(TypeError, match="no walk for object models"):
        engine.judge([object()], out)


def test_inputs_never_import_the_engine() -> None:
    """Loading a batch of every kind leaves the engine module unimported (a subprocess: the
    test session imports everything)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hullcheck.inputs import input_kinds\n"
        "from hullcheck.sources import Source\n"
        "srcs = {'dockerfile': [Source('Dockerfile', 'FROM a\\n')],\n"
        "        'compose': [Source('compose.yaml', 'services:\\n  a:\\n    image: x\\n')],\n"
        "        'kubernetes': [Source('p.yaml', 'apiVersion: v1\\nkind: Pod\\n"
        "metadata: {name: p}\\nspec: {containers: [{name: c, image: x}]}\\n')]}\n"
        "for kind in input_kinds():\n"
        "    loaded = kind.load(srcs[kind.name], {})\n"
        "    assert loaded.models and not loaded.errors, (kind.name, loaded.errors)\n"
        "assert 'hullcheck.engine' not in sys.modules\n"
        "assert 'hullcheck.rules.base' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_location_in_unit_is_replace_with_unit() -> None:
    """``Location.in_unit`` (the fast path every Kubernetes finding takes) keeps every other
    field: the same as ``dataclasses.replace(loc, unit=...)``."""
    import dataclasses

    from hullcheck.models.location import ImageRef, Location, SourceRef, UnitRef

    loc = Location(path="p", line=3, end_line=4, column=5, object="Pod/n/x", container="c",
                   container_id="id", image=ImageRef("img"), layer="sha256:1", setting="s",
                   source=SourceRef("t.yaml", 7))
    unit = UnitRef("dir", "/k8s")
    assert loc.in_unit(unit) == dataclasses.replace(loc, unit=unit)
    assert [f.name for f in dataclasses.fields(Location)][-2:] == ["unit", "source"]
