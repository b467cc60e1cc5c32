"""docs/architecture.md, proved: each "Adding ..." section is done here exactly as it says, inside
the test suite only.

What the doc says to write in ``src/hullcheck`` is written in this module instead (a rule, an
input kind with its model, walk, hook and rule family, a reporter), and what the doc says to add
to a table is added with ``monkeypatch``, so nothing leaks into other tests. The rule registry is
cached per process (a new process starts with it empty): the ``registry`` fixture empties it
before and after each test that registers a rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, run_json
from hullcheck import engine as engine_module
from hullcheck import inputs, rules
from hullcheck.config import Config
from hullcheck.engine import Engine
from hullcheck.findings import Finding, InputError, Location, Severity
from hullcheck.inputs import InputKind, Loaded
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.options import RunOptions
from hullcheck.reporters import ONLY_FOR, REPORTERS, Output
from hullcheck.rules import dockerfile as dockerfile_family
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.dockerfile._util import DockerfileRule
from hullcheck.sources import Source
from hullcheck.suppress import Suppression, parse_inline
from test_rule_metadata import test_metadata_complete as metadata_complete

DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "hullcheck"


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An empty rule registry cache around the test (``monkeypatch`` restores the tables after
    this fixture's teardown: it was set up first)."""
    rules.all_rules.cache_clear()
    rules._family.cache_clear()
    yield
    rules.all_rules.cache_clear()
    rules._family.cache_clear()


# --- the doc itself ---------------------------------------------------------------------------


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/architecture.md has no '## {title}' section"
    return match.group(1)


def test_the_doc_names_only_what_exists_and_readme_links_it() -> None:
    """Every source path and every ``hullcheck.`` name the doc cites exists: the picture is the
    code as it is."""
    import importlib

    text = DOC.read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+(?:\.py|/))`", text))
    assert len(paths) > 20
    missing = [p for p in sorted(paths) if not (SRC / p).exists()
               and not (ROOT / p).exists()]
    assert missing == []
    names = set(re.findall(r"`(hullcheck(?:\.\w+)+)(?:\(\))?`", text))
    assert len(names) > 20
    unresolved = []
    for name in sorted(names):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj: object = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except AttributeError:
                unresolved.append(name)
            break
        else:
            unresolved.append(name)
    assert unresolved == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    development = readme.split("\n## Development\n", 1)[1].split("\n## ", 1)[0]
    assert "(docs/architecture.md)" in development
    for title in ("Adding a rule", "Adding an input kind", "Adding an output format"):
        assert _section(title).strip()


# --- "Adding a rule" --------------------------------------------------------------------------


class MaintainerInstruction(DockerfileRule):
    """
    ## What it finds
    A `MAINTAINER` instruction.

    ## Why it matters
    It is deprecated: the author belongs in a label, where tools read it.

    ## How to fix
    Before:
    ```Dockerfile
    MAINTAINER me@example.com
    ```
    After:
    ```Dockerfile
    LABEL org.opencontainers.image.authors="me@example.com"
    ```

    ## References
    - the Dockerfile reference, MAINTAINER (deprecated)
    """

    id = "DF999"
    name = "maintainer-instruction"
    title = "MAINTAINER used"
    severity = Severity.LOW
    fix = "Use `LABEL org.opencontainers.image.authors=...` instead."
    instructions = frozenset({"MAINTAINER"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        # No test of instruction.cmd: the engine calls this for MAINTAINER only.
        yield self.finding(dockerfile.location(instruction.line),
                           f"MAINTAINER {instruction.text} is deprecated; use a label.",
                           evidence=instruction.text)


def test_adding_a_rule(registry: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    section = _section("Adding a rule")
    assert "append the class to that family's\n   `RULES`, in id order" in section
    monkeypatch.setattr(dockerfile_family, "RULES",
                        [*dockerfile_family.RULES, MaintainerInstruction])
    assert [r.id for r in dockerfile_family.RULES] == sorted(r.id for r in
                                                             dockerfile_family.RULES)
    metadata_complete(MaintainerInstruction)  # what tests/test_rule_metadata.py demands

    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.20\n"
        "MAINTAINER me@example.com\n"
        "RUN echo MAINTAINER\n"  # a near miss: the engine never shows it a RUN
        "# hullcheck: ignore=DF999 the old image keeps it\n"
        "MAINTAINER you@example.com\n")
    monkeypatch.chdir(tmp_path)
    code, doc, err = run_json(capsys, "scan", "Dockerfile", "--select", "DF999",
                              "--show-suppressed")
    assert (code, err) == (0, "")  # LOW is below the default --fail-on high
    assert [(f["rule"], f["location"]["line"], f["message"], "suppressed" in f)
            for f in doc["findings"]] == [
        ("DF999", 2, "MAINTAINER me@example.com is deprecated; use a label.", False),
        ("DF999", 5, "MAINTAINER you@example.com is deprecated; use a label.", True),
    ]
    # `hullcheck rules` and `hullcheck explain` come from the class itself
    code, out, _ = run_cli(capsys, "rules")
    assert code == 0 and "DF999    low      MAINTAINER used\n" in out
    code, out, _ = run_cli(capsys, "explain", "df999")
    assert code == 0 and out.startswith("DF999 maintainer-instruction: MAINTAINER used\n"
                                        "severity: low; inputs: dockerfile\n")


# --- "Adding an input kind" -------------------------------------------------------------------
# A `.toy` file: `key = value` lines, `#` comments, `# hullcheck: ignore=ID reason` trailing a
# line suppresses there.


@dataclass
class ToySetting:
    key: str
    value: str
    line: int


@dataclass
class Toy:
    """The model (the doc: a dataclass in models/, importing only models and the stdlib)."""

    path: str
    settings: list[ToySetting] = field(default_factory=list)


def is_toy_name(name: str) -> bool:
    return name.endswith(".toy")


def load_toy(sources: list[Source], options: RunOptions) -> Loaded:
    """The loader (the doc: inputs/toy.py): models, suppressions and errors, nothing judged."""
    loaded = Loaded()
    for src in sources:
        toy = Toy(src.path)
        for number, line in enumerate(src.text.splitlines(), start=1):
            content, _, comment = line.partition("#")
            inline = parse_inline("#" + comment) if comment else None
            if inline is not None:
                _kind, selectors, reason = inline
                loaded.suppressions.append(Suppression(selectors, "inline", src.path,
                                                       start=number, end=number,
                                                       reason=reason, line=number))
            if not content.strip():
                continue
            key, sep, value = content.partition("=")
            if not sep or not key.strip():
                loaded.errors.append(InputError(src.path, f"line {number}: expected key = value"))
                continue
            toy.settings.append(ToySetting(key.strip(), value.strip(), number))
        loaded.models.append(toy)
    return loaded


TOY_KIND = InputKind(name="toy", noun="toy file", claims_name=is_toy_name,
                     sniff=lambda _source: False, loader=f"{__name__}:load_toy")


def check_toy(self: Rule, ctx: Context, toy: Toy) -> Iterable[Finding]:
    """The hook (the doc: a default method on Rule, typed with the model)."""
    return ()


def walk_toy(self: Engine, toy: Toy, out: list[Finding]) -> None:
    """The walk (the doc: a method of Engine, and a row of WALKS)."""
    if self.has("check_toy"):
        out.extend(self.run("check_toy", toy, where=toy.path))


class DebugEnabled(Rule):
    """
    ## What it finds
    `debug = true` in a toy file.

    ## Why it matters
    Debug mode tells strangers how the toy works inside.

    ## How to fix
    Before: `debug = true`. After: `debug = false`.

    ## References
    - none
    """

    id = "TOY001"
    name = "debug-enabled"
    title = "Debug mode enabled"
    severity = Severity.HIGH
    inputs = frozenset({"toy"})
    fix = "Set `debug = false`."

    def check_toy(self, ctx: Context, toy: Toy) -> Iterator[Finding]:
        for setting in toy.settings:
            if setting.key == "debug" and setting.value == "true":
                yield self.finding(Location(path=toy.path, line=setting.line),
                                   "debug mode is on", evidence="debug = true")


RULES: list[type[Rule]] = [DebugEnabled]  # this module is the toy family's package


@pytest.fixture
def toy_kind(registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step of "Adding an input kind", as the doc lists them."""
    section = _section("Adding an input kind")
    for step in ("add an `InputKind` to the tuple `hullcheck.inputs.input_kinds()`",
                 "add a method to `Rule`", "add a method to `Engine`",
                 "`hullcheck.engine.WALKS`", "a row in `hullcheck.rules.FAMILIES`"):
        assert step in " ".join(section.split()), step
    kinds = inputs.input_kinds()
    monkeypatch.setattr(inputs, "input_kinds", lambda: (*kinds, TOY_KIND))
    monkeypatch.setattr(engine_module, "WALKS",
                        (*engine_module.WALKS, (__name__, "Toy", "walk_toy")))
    monkeypatch.setattr(Engine, "walk_toy", walk_toy, raising=False)
    monkeypatch.setattr(Rule, "check_toy", check_toy, raising=False)
    monkeypatch.setattr(rules, "FAMILIES", (*rules.FAMILIES, (__name__, frozenset({"toy"}))))


def test_adding_an_input_kind(toy_kind: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.toy").write_text("name = demo\n"
                                      "debug = true\n")
    (tmp_path / "old.toy").write_text("debug = true  # hullcheck: ignore=TOY001 a test rig\n")
    (tmp_path / "broken.toy").write_text("debug\n"
                                         "debug = true\n")
    (tmp_path / "notes.txt").write_text("debug = true\n")  # no kind claims it: not read
    monkeypatch.chdir(tmp_path)
    code, doc, err = run_json(capsys, "scan", ".", "--show-suppressed")
    assert [(f["rule"], f["location"]["path"], f["location"]["line"], f["message"],
             f.get("suppressed")) for f in doc["findings"]] == [
        ("TOY001", "app.toy", 2, "debug mode is on", None),
        ("TOY001", "broken.toy", 2, "debug mode is on", None),
        ("TOY001", "old.toy", 1, "debug mode is on",
         {"by": "inline", "reason": "a test rig"}),
    ]
    # a bad line is one error line; the rest of the file and the scan go on
    assert doc["errors"] == [{"path": "broken.toy", "message": "line 1: expected key = value"}]
    assert code == 2 and err == "hullcheck: error: broken.toy: line 1: expected key = value\n"

    # the rule is in the registry: selected by id or family, listed, explained
    code, doc, err = run_json(capsys, "scan", "app.toy", "--select", "TOY")
    assert (code, err, [f["rule"] for f in doc["findings"]]) == (1, "", ["TOY001"])
    code, out, _ = run_cli(capsys, "rules")
    assert "TOY001   high     Debug mode enabled\n" in out
    # a file named on the command line that no kind claims: the error names the new kind too
    code, doc, _ = run_json(capsys, "scan", "notes.txt")
    assert doc["errors"] == [{
        "path": "notes.txt",
        "message": "not a Dockerfile, compose file, Kubernetes manifest or toy file"}]


def test_the_toy_model_is_walked_through_its_row_of_walks(toy_kind: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = TOY_KIND.load([Source("a.toy", "debug = true\n")], RunOptions())
    out: list[Finding] = []
    Engine([DebugEnabled], Context(config=Config())).judge(loaded.models, out)
    assert [(f.rule, f.location.path, f.location.line) for f in out] == [("TOY001", "a.toy", 1)]
    # without its row in WALKS, the engine has no walk for it
    monkeypatch.setattr(engine_module, "WALKS", engine_module.WALKS[:-1])
    with pytest.raises(TypeError, match="no walk for Toy models"):
        Engine([DebugEnabled], Context(config=Config())).judge(loaded.models, out)


# --- "Adding an output format" ----------------------------------------------------------------


def render_toy(out: Output) -> str:
    """The reporter (the doc: reporters/toy.py, ``render(out: Output) -> str``)."""
    lines = [f"{f.rule} {f.location.path}:{f.location.line} {f.message}" for f in out.shown]
    counts = ", ".join(f"{n} {label}" for label, n in out.by_severity().items() if n)
    return "\n".join([*lines, f"{len(out.counted)} finding(s): {counts or 'none'}"]) + "\n"


def test_adding_an_output_format(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    section = " ".join(_section("Adding an output format").split())
    assert "one entry in `hullcheck.reporters_table.REPORTERS`" in section
    assert "`hullcheck.reporters_table.ONLY_FOR`" in section
    monkeypatch.setitem(REPORTERS, "toy", f"{__name__}:render_toy")
    monkeypatch.setitem(ONLY_FOR, "toy", frozenset({"scan"}))
    (tmp_path / "Dockerfile").write_text("FROM alpine:latest\nUSER root\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "scan", "Dockerfile", "--select", "DF001,DF003",
                             "--format", "toy")
    expected = ("DF003 Dockerfile:1 {m3}\n"  # in the order of ``shown``: path, line, rule
                "DF001 Dockerfile:2 {m1}\n"
                "2 finding(s): 1 high, 1 medium\n")
    _code, doc, _ = run_json(capsys, "scan", "Dockerfile", "--select", "DF001,DF003")
    by_rule = {f["rule"]: f["message"] for f in doc["findings"]}
    assert (code, err) == (1, "")
    assert out == expected.format(m1=by_rule["DF001"], m3=by_rule["DF003"])
    # --output writes the same text
    code, out, _ = run_cli(capsys, "scan", "Dockerfile", "--select", "DF001,DF003",
                           "--format", "toy", "--output", "report.toy")
    assert (code, out) == (1, "")
    assert (tmp_path / "report.toy").read_text() == expected.format(m1=by_rule["DF001"],
                                                                    m3=by_rule["DF003"])
    # ONLY_FOR keeps it to `scan`: another command refuses it as a usage error (exit 2)
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "host", "--format", "toy")
    assert exc.value.code == 2
    assert "invalid choice: 'toy'" in capsys.readouterr().err


def test_nothing_leaked() -> None:
    """Run after the others in this module (pytest keeps file order): the tables are the
    project's own again."""
    assert "toy" not in REPORTERS and "toy" not in ONLY_FOR
    assert all(k.name != "toy" for k in inputs.input_kinds())
    assert all(row[0] != __name__ for row in engine_module.WALKS)
    assert not hasattr(Engine, "walk_toy") and not hasattr(Rule, "check_toy")
    assert all(entry != __name__ for entry, _ in rules.FAMILIES)
    assert MaintainerInstruction not in rules.all_rules()
    assert MaintainerInstruction not in dockerfile_family.RULES
