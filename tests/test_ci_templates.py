"""The CI templates: ``action.yml`` (GitHub composite action), ``ci/hullcheck.gitlab-ci.yml``,
``ci/github-workflow.yml`` and ``.pre-commit-hooks.yaml``.

Each is validated with check-jsonschema's vendored schemas (SchemaStore's, shipped inside
check-jsonschema, so no network), and the scripts of the action's steps and of the GitLab job are
run with bash in a temporary workspace holding a copy of ``examples/``, the way the runners run
them: a real install of this checkout into a fresh virtualenv, the SARIF report, the annotations
and the gate's exit code. Those runs install hullcheck (about 15 s): marked ``slow``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

ACTION = ROOT / "action.yml"
GITLAB = ROOT / "ci" / "hullcheck.gitlab-ci.yml"
WORKFLOW = ROOT / "ci" / "github-workflow.yml"
SARIF_SCHEMA = next(p for p in (ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json",
                                ROOT / "tests" / "data" / "sarif-schema-2.1.0.json")
                    if p.exists())
FULL_SHA = re.compile(r"[^@\s]+@[0-9a-f]{40}")
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _check_jsonschema(schema: str, path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                           str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok -- validation done" in proc.stdout


@pytest.mark.parametrize(("schema", "path"), [
    ("vendor.github-actions", ACTION),
    ("vendor.gitlab-ci", GITLAB),
    ("vendor.github-workflows", WORKFLOW),
])
def test_templates_validate(schema: str, path: Path) -> None:
    _check_jsonschema(schema, path)


def test_a_broken_action_fails_validation(tmp_path: Path) -> None:
    """The validation is real: the same action with a step missing its shell does not pass."""
    doc = yaml.safe_load(ACTION.read_text())
    del doc["runs"]["steps"][0]["shell"]
    broken = tmp_path / "action.yml"
    broken.write_text(yaml.safe_dump(doc))
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                           "vendor.github-actions", str(broken)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1


def _action() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return doc


def test_action_pins_third_party_actions_and_splices_nothing_into_scripts() -> None:
    steps = _action()["runs"]["steps"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses and all(FULL_SHA.fullmatch(u) for u in uses), uses
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    for step in steps:
        assert "${{" not in step.get("run", ""), step["name"]  # inputs only through env
    workflow = yaml.safe_load(WORKFLOW.read_text())
    job = workflow["jobs"]["hullcheck"]
    assert job["permissions"]["security-events"] == "write"
    assert FULL_SHA.fullmatch(job["steps"][0]["uses"])
    for line in GITLAB.read_text().splitlines():
        assert "${{" not in line and "$(" not in line


# --- running the scripts ---------------------------------------------------------------------


def _expand(value: str, context: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        assert m.group(1) in context, f"unexpected expression {m.group(0)}"
        return context[m.group(1)]
    return EXPRESSION.sub(one, value)


class Runner:
    """Runs a composite action's ``shell: bash`` steps as the Actions runner does: ``bash
    --noprofile --norc -eo pipefail``, the step's ``env`` with its expressions evaluated,
    ``$GITHUB_OUTPUT`` and ``$GITHUB_PATH`` files read back after each step."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str]) -> None:
        self.workspace, self.temp = workspace, temp
        action = _action()
        self.context = {f"inputs.{k}": str(v.get("default", ""))
                        for k, v in action["inputs"].items()}
        self.context.update({f"inputs.{k}": v for k, v in inputs.items()})
        self.context.update({"github.action_path": str(ROOT), "runner.temp": str(temp)})
        self.path: list[str] = []
        self.outputs: dict[str, dict[str, str]] = {}

    def run(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        assert step["shell"] == "bash"
        script = self.temp / f"step-{step['id']}.sh"
        script.write_text(step["run"])
        output, path_file = self.temp / "output", self.temp / "path"
        output.write_text("")
        path_file.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HULLCHECK", "GITHUB"))}
        env.pop("VIRTUAL_ENV", None)
        env["PATH"] = os.pathsep.join([*self.path, "/usr/local/bin", "/usr/bin", "/bin"])
        env.update({"GITHUB_OUTPUT": str(output), "GITHUB_PATH": str(path_file),
                    "RUNNER_TEMP": str(self.temp), "GITHUB_ACTION_PATH": str(ROOT)})
        env.update({k: _expand(str(v), self.context) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=self.workspace, env=env, capture_output=True, text=True,
                              timeout=600)
        self.path = [*reversed(path_file.read_text().split()), *self.path]
        self.outputs[step["id"]] = dict(line.split("=", 1)
                                        for line in output.read_text().splitlines())
        return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Runner]:
    """The action's install step, run once: a fresh venv with this checkout in it."""
    temp = tmp_path_factory.mktemp("runner-temp")
    workspace = tmp_path_factory.mktemp("workspace")
    shutil.copytree(ROOT / "examples", workspace / "examples")
    runner = Runner(workspace, temp, {"python": sys.executable})
    install = _action()["runs"]["steps"][0]
    assert install["id"] == "install"
    proc = runner.run(install)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith("hullcheck ")
    assert runner.path == [str(temp / "hullcheck-venv" / "bin")]
    return workspace, runner


def _steps(runner: Runner, inputs: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    runner.context.update({f"inputs.{k}": v for k, v in inputs.items()})
    done = {}
    for step in _action()["runs"]["steps"][1:]:
        if "run" in step:
            done[step["id"]] = runner.run(step)
    return done


@pytest.mark.slow
def test_action_steps_scan_upload_annotate_and_gate(installed: tuple[Path, Runner]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    _, runner = installed
    done = _steps(runner, {"paths": "examples/k8s examples/compose.yaml", "fail-on": "high"})
    assert done["sarif"].returncode == 0, done["sarif"].stderr
    sarif_file = runner.outputs["sarif"]["sarif-file"]
    assert sarif_file == str(runner.temp / "hullcheck.sarif")
    sarif = json.loads(Path(sarif_file).read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}
    assert uris == {"examples/compose.yaml", "examples/k8s/log-agent.yaml",
                    "examples/k8s/namespace.yaml",
                    "examples/k8s/rbac.yaml", "examples/k8s/web.yaml"}
    gate = done["gate"]
    assert gate.returncode == 1 and runner.outputs["gate"] == {"exit-code": "1"}
    lines = gate.stdout.splitlines()
    assert sum(1 for x in lines if x.startswith("::error file=examples/")) == 10
    assert lines[-1].startswith("::notice title=hullcheck::")
    # the same run at --fail-on never passes, and without annotations writes concise text
    done = _steps(runner, {"fail-on": "never", "annotate": "false", "paths": "examples"})
    assert done["gate"].returncode == 0 and runner.outputs["gate"] == {"exit-code": "0"}
    assert done["gate"].stdout.splitlines()[0].startswith("examples/")
    assert not any(x.startswith("::") for x in done["gate"].stdout.splitlines())


@pytest.mark.slow
def test_action_inputs_are_never_shell_code(installed: tuple[Path, Runner]) -> None:
    """A hostile ``paths`` input is split into arguments, never run or glob-expanded."""
    workspace, runner = installed
    done = _steps(runner, {"paths": "examples/web $(touch pwned) ;touch pwned2 *", "args": "",
                           "fail-on": "high", "annotate": "true"})
    assert not (workspace / "pwned").exists() and not (workspace / "pwned2").exists()
    assert done["gate"].returncode == 2  # '$(touch', 'pwned)', ';touch', '*' do not exist
    assert "hullcheck: error: $(touch: no such file or directory" in done["gate"].stderr
    assert "hullcheck: error: *: no such file or directory" in done["gate"].stderr


@pytest.mark.slow
def test_gitlab_job_script(installed: tuple[Path, Runner]) -> None:
    """The job's script, run as GitLab's shell executor runs it (one bash, ``set -eo
    pipefail``), with the source pointed at this checkout instead of the pinned tag."""
    jsonschema = pytest.importorskip("jsonschema")
    workspace, runner = installed
    job = yaml.safe_load(GITLAB.read_text())["hullcheck"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert job["artifacts"]["when"] == "always"
    script = "set -eo pipefail\n" + "\n".join(job["script"]) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HULLCHECK")}
    env.update({k: str(v) for k, v in job["variables"].items()})
    env.update({"HULLCHECK_SOURCE": str(ROOT), "HULLCHECK_PATHS": "examples",
                "HULLCHECK_VENV": str(runner.temp / "hullcheck-venv")})
    proc = subprocess.run(["bash", "-c", script], cwd=workspace, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 1, proc.stderr
    assert " failed: " in proc.stdout.splitlines()[-1]
    schema = json.loads((ROOT / "tests" / "data" / "gitlab-codequality.schema.json").read_text())
    report = json.loads((workspace / "gl-code-quality-report.json").read_text())
    jsonschema.validate(report, schema)
    assert {i["location"]["path"].split("/")[0] for i in report} == {"examples"}
    env["HULLCHECK_FAIL_ON"] = "never"
    proc = subprocess.run(["bash", "-c", script], cwd=workspace, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_pre_commit_hooks_validate() -> None:
    """pre-commit's own validator accepts the hooks file, and docs/ci.md documents each hook."""
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                           str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = (ROOT / "docs" / "ci.md").read_text()
    for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()):
        assert f"id: {hook['id']}" in doc
