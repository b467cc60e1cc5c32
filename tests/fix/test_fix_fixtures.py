"""``hullcheck fix`` on every fixture of every family and on the examples/ stack: fix a copy,
re-scan, validate for the platform, fix again.

For each file: every finding the fix reports as fixed is gone from the re-scan (matched by
fingerprint, which survives line moves), no finding appears that was not there before, the file
still validates for its platform wherever it validated before (Kubernetes objects with
kubernetes-validate, compose files with check-jsonschema's vendored compose-spec schema,
Dockerfiles with hullcheck's parser), and a second ``fix --diff`` prints nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures"
FAMILIES = {"kubernetes": "kubernetes", "cluster": "kubernetes", "compose": "compose",
            "dockerfile": "dockerfile"}
SKIP_NAMES = re.compile(r"(\.expect|\.env|\.hullcheck\.yaml|\.md)$")


def _targets() -> list[Path]:
    found = []
    for family in FAMILIES:
        for p in sorted((FIXTURES / family).rglob("*")):
            if p.is_file() and not SKIP_NAMES.search(p.name) and not p.is_symlink():
                found.append(p)
    return found


def _scan(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, Any]:
    _code, out, _ = run_cli(capsys, "scan", "-f", "json", "--fail-on", "never", str(path))
    findings: dict[str, Any] = {f["fingerprint"]: f for f in json.loads(out)["findings"]}
    return findings


def _k8s_validity(path: Path) -> list[bool]:
    import kubernetes_validate

    try:
        docs = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError:
        return []
    objects: list[Any] = []
    for d in docs:
        if isinstance(d, dict) and str(d.get("kind", "")).endswith("List"):
            objects += d.get("items") or []
        else:
            objects.append(d)
    verdicts = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, "1.37.0", strict=True)
            verdicts.append(True)
        except Exception:  # invalid, or a kind it has no schema for
            verdicts.append(False)
    return verdicts


def _compose_valid(path: Path) -> bool:
    """check-jsonschema's vendored compose-spec schema, in process (the examples test runs the
    check-jsonschema command itself)."""
    import importlib.resources

    import jsonschema

    schema = json.loads(importlib.resources.files("check_jsonschema").joinpath(
        "builtin_schemas/vendor/compose-spec.json").read_text())
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return False
    validator = jsonschema.validators.validator_for(schema)(schema)
    try:
        return not list(validator.iter_errors(doc))
    except TypeError:  # a key PyYAML reads as a bool (yes/no): not a valid compose file
        return False


def _compose_valid_cli(path: Path) -> bool:
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.compose-spec", str(path)], capture_output=True, text=True,
                          timeout=120)
    return proc.returncode == 0


def _dockerfile_parses(path: Path) -> bool:
    from hullcheck.inputs.dockerfile import DockerfileError, parse

    try:
        parse(str(path), path.read_text())
    except DockerfileError:
        return False
    return True


def _fix_and_check(capsys: pytest.CaptureFixture[str], target: Path, files: list[tuple[Path, str]]
                   ) -> int:
    validity_before = {p: _validity(p, platform) for p, platform in files}
    before = _scan(capsys, target)
    code, out, err = run_cli(capsys, "fix", "--unsafe-fixes", "--fail-on", "never", str(target))
    assert "internal error" not in err and "Traceback" not in err
    after = _scan(capsys, target)
    new = [(f["rule"], f["location"].get("path"), f["location"].get("line"))
           for k, f in after.items() if k not in before]
    assert new == []
    fixed = {tuple(line.split(": ", 2)[:2]) for line in out.splitlines() if ": fixed: " in line}
    still = [(f["rule"], f["location"]["path"]) for k, f in after.items()
             if (f"{before[k]['location']['path']}:{before[k]['location']['line']}",
                 before[k]["rule"]) in fixed]
    assert still == []
    for p, platform in files:
        was = validity_before[p]
        now = _validity(p, platform)
        if platform == "kubernetes":
            assert isinstance(was, list) and isinstance(now, list)
            assert len(now) == len(was)
            assert [i for i, (a, b) in enumerate(zip(was, now, strict=True)) if a and not b] == []
        else:
            assert now or not was
    scan_code = run_cli(capsys, "scan", "--fail-on", "never", str(target))[0]
    code, out, _ = run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--fail-on", "never",
                           str(target))
    # Nothing left to change; the exit code is the scan's (2 where a fixture holds an input
    # error on purpose, such as an API version the default Kubernetes version no longer serves).
    assert (code, out) == (scan_code, "")
    return len(fixed)


def _validity(path: Path, platform: str) -> Any:
    if platform == "kubernetes":
        return _k8s_validity(path)
    if platform == "compose":
        return _compose_valid(path)
    if platform == "compose-cli":
        return _compose_valid_cli(path)
    return _dockerfile_parses(path)


@pytest.mark.parametrize("fixture", _targets(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture(tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture: Path) -> None:
    family = fixture.relative_to(FIXTURES).parts[0]
    # The fixture's directory comes along: env files and configs next to it are part of it.
    work = tmp_path / "w"
    shutil.copytree(fixture.parent, work, symlinks=True)
    target = work / fixture.name
    _fix_and_check(capsys, target, [(target, FAMILIES[family])])


def test_examples_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", work)
    files = [(p, "kubernetes") for p in sorted((work / "k8s").glob("*.yaml"))]
    files += [(work / "compose.yaml", "compose-cli"),
              (work / "compose.override.yaml", "compose-cli")]
    files += [(p, "dockerfile") for p in sorted(work.rglob("Dockerfile"))]
    fixed = _fix_and_check(capsys, work, files)
    # Bound the sweep's reach: the stack has fixes on all three platforms.
    assert fixed >= 20
    assert "USER 10001" in (work / "web" / "Dockerfile").read_text()


@pytest.mark.parametrize(("corpus", "size", "platform", "pattern"), [
    ("compose_corpus", 20, "compose", "**/*.y*ml"),
    ("dockerfile_corpus", 30, "dockerfile", "**/*Dockerfile*"),
    ("k8s_corpus", 16, "kubernetes", "**/*.yaml"),
])
def test_bench_corpora(tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus: str,
                       size: int, platform: str, pattern: str) -> None:
    """A sample of each bench corpus (the generators bench/ times hullcheck on)."""
    import importlib

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        generate = importlib.import_module(corpus).generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    work = tmp_path / "corpus"
    work.mkdir()
    generate(work, size)
    files = [(p, platform) for p in sorted(work.glob(pattern)) if p.is_file()]
    assert files
    assert _fix_and_check(capsys, work, files) > 0
