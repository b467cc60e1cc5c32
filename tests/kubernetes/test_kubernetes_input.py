"""The Kubernetes input end to end: stdin, versions, namespaces, suppression warnings."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli, run_json
from hullcheck.models.pod import parse_version
from hullcheck.rules.kubernetes import RULES
from hullcheck.rules.kubernetes._pss import PssRule

HELM_OUTPUT = """\
---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-app
spec:
  template:
    spec:
      containers:
        - name: app
          image: "app:1.0"
          securityContext:
            privileged: true
"""


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_stdin_with_name_and_namespace(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, HELM_OUTPUT)
    code, doc, _ = run_json(capsys, "scan", "-", "--stdin-name", "chart/rendered.yaml",
                            "--namespace", "shop", "--select", "K8S003")
    assert code == 1
    [f] = doc["findings"]
    assert f["location"] == {"path": "chart/rendered.yaml", "line": 14,
                             "object": "Deployment/shop/release-app", "container": "app",
                             "unit": {"kind": "stdin", "path": "chart/rendered.yaml"},
                             # helm's `# Source:` comment in the stream names the template
                             "source": {"path": "app/templates/deployment.yaml", "line": None}}
    assert f["references"] == ["pss:baseline:privileged", "cis-k8s-1.10:5.2.2"]
    assert f["severity"] == "critical"


@pytest.mark.parametrize(("text", "version"), [
    ("1.30", (1, 30)), ("v1.30", (1, 30)), ("1.30.4", (1, 30)), ("latest", (1, 37)),
    ("v1.99", (1, 37)), ("V1.8", (1, 8)),
])
def test_versions(text: str, version: tuple[int, int]) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["2.1", "1", "v1.x", "one"])
def test_bad_version(text: str) -> None:
    with pytest.raises(ValueError):
        parse_version(text)


def test_bad_version_flag_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "kubernetes" / "workloads" / "kinds.yaml"
    code, _out, err = run_cli(capsys, "scan", str(path), "--kubernetes-version", "banana")
    assert code == 2
    assert "--kubernetes-version" in err and "banana" in err


def test_unused_annotation_is_warned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
        "    hullcheck.dev/ignore: K8S003\nspec:\n  containers:\n    - name: c\n"
        "      image: c:1\n")
    _code, _out, err = run_cli(capsys, "scan", str(tmp_path / "pod.yaml"), "--select", "K8S")
    assert "unused suppression (K8S003)" in err


def test_invalid_namespace_label_warns(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "kubernetes" / "namespaces" / "version-only.yaml"
    _code, _out, err = run_cli(capsys, "scan", str(path), "--select", "K8S")
    assert "invalid pod-security.kubernetes.io/enforce 'restricteddd'" in err


# The level/version table of pod-security-admission's registry: which controls run where.
BASELINE = {"windowsHostProcess", "hostNamespaces", "privileged", "capabilities_baseline",
            "hostPathVolumes", "hostPorts", "appArmorProfile", "seLinuxOptions", "procMount",
            "seccompProfile_baseline", "sysctls"}
RESTRICTED_ONLY = {"restrictedVolumes", "allowPrivilegeEscalation", "runAsNonRoot",
                   "seccompProfile_restricted"}


def _judged(level: str, version: tuple[int, int]) -> set[str]:
    return {r.control for r in RULES if issubclass(r, PssRule) and r.judged(level, version)}


def test_registry_table() -> None:
    assert _judged("privileged", (1, 37)) == set()
    assert _judged("baseline", (1, 33)) == BASELINE
    assert _judged("baseline", (1, 37)) == BASELINE | {"hostProbesAndHostLifecycle"}
    assert _judged("restricted", (1, 7)) == (BASELINE | {"restrictedVolumes", "runAsNonRoot"}) - {
        "hostPathVolumes"}
    assert _judged("restricted", (1, 21)) == (BASELINE | RESTRICTED_ONLY) - {
        "hostPathVolumes", "seccompProfile_baseline"}
    assert _judged("restricted", (1, 34)) == (
        BASELINE | RESTRICTED_ONLY | {"runAsUser", "capabilities_restricted",
                                      "hostProbesAndHostLifecycle"}
    ) - {"hostPathVolumes", "seccompProfile_baseline", "capabilities_baseline"}
    assert _judged("restricted", (1, 37)) == (
        BASELINE | RESTRICTED_ONLY | {"runAsUser", "capabilities_restricted",
                                      "hostProbesAndHostLifecycle", "procMount_restricted"}
    ) - {"hostPathVolumes", "seccompProfile_baseline", "capabilities_baseline", "procMount"}


def test_one_rule_per_control_with_its_tag() -> None:
    controls = [r.control for r in RULES if issubclass(r, PssRule)]
    assert len(controls) == len(set(controls)) == 19
    for r in RULES:
        if r.id == "K8S020":  # the one K8S rule that is no Pod Security control
            assert not issubclass(r, PssRule)
            continue
        assert r.references[0] == f"pss:{r.level}:{r.control}"
