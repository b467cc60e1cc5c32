"""deploy/kubernetes (the fleet manifests: `hullcheck node` on every node, a one-off Job,
`hullcheck host` on Docker nodes) pass hullcheck's own Kubernetes audit with each exception
annotated and justified, and validate against the API of Kubernetes 1.30 and the newest version
kubernetes-validate knows."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_json

DEPLOY = ROOT / "deploy" / "kubernetes"
RESOURCES = sorted(p for p in DEPLOY.rglob("*.yaml") if p.name != "kustomization.yaml")
# The exceptions the audit reports, each suppressed by an annotation with its reason.
EXCEPTIONS = {
    ("KNS004", "Namespace/hullcheck"),
    ("KNS030", "DaemonSet/hullcheck/hullcheck-node"),
    ("KNS030", "Job/hullcheck/hullcheck-node-once"),
    ("KNS030", "DaemonSet/hullcheck/hullcheck-docker-host"),
}


def test_manifests_pass_hullchecks_own_audit(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, err = run_json(capsys, "scan", str(DEPLOY), "--fail-on", "info",
                              "--show-suppressed")
    assert (code, err) == (0, "")
    assert {(f["rule"], f["location"]["object"]) for f in doc["findings"]} == EXCEPTIONS
    for finding in doc["findings"]:
        assert finding["suppressed"]["by"] == "annotation"
        assert len(finding["suppressed"]["reason"]) > 80, finding["suppressed"]


@pytest.mark.parametrize("version", ["1.30.0", "newest"])
def test_manifests_validate(version: str) -> None:
    import kubernetes_validate

    if version == "newest":
        version = kubernetes_validate.latest_version()
    assert len(RESOURCES) == 7
    for path in RESOURCES:
        for doc in yaml.safe_load_all(path.read_text()):
            # raises ValidationError (strict: unknown fields too) on an invalid object
            kubernetes_validate.validate(doc, version, strict=True)


def test_kustomizations_list_their_files() -> None:
    for kustomization in DEPLOY.rglob("kustomization.yaml"):
        listed = set(yaml.safe_load(kustomization.read_text())["resources"])
        here = {p.name for p in kustomization.parent.glob("*.yaml")} - {"kustomization.yaml"}
        assert here <= listed, kustomization


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (with kustomize) is not "
                    "installed")
@pytest.mark.parametrize(("directory", "kinds"), [
    ("fleet", ["Namespace", "ServiceAccount", "LimitRange", "DaemonSet", "Job", "NetworkPolicy"]),
    ("fleet-docker", ["Namespace", "ServiceAccount", "LimitRange", "DaemonSet", "DaemonSet",
                      "Job", "NetworkPolicy"]),
])
def test_kustomize_renders(directory: str, kinds: list[str]) -> None:
    done = subprocess.run(["kubectl", "kustomize", str(DEPLOY / directory)],
                          capture_output=True, text=True, timeout=60, check=True)
    assert [d["kind"] for d in yaml.safe_load_all(done.stdout)] == kinds
    assert Path(DEPLOY / directory).is_dir()


def test_validation_is_strict() -> None:
    """What the validation test relies on: an unknown field is refused, not ignored."""
    import kubernetes_validate

    bad = yaml.safe_load((DEPLOY / "fleet" / "job.yaml").read_text())
    bad["spec"]["template"]["spec"]["hostPid"] = True  # misspelt hostPID
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, "1.30.0", strict=True)
