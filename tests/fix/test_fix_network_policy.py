"""KNS005's fix: a default-deny NetworkPolicy per namespace, written to a new file beside the
finding's, only into a directory named on the command line and never over an existing file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from hullcheck.findings import Finding, Location, Severity

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1}]
"""

POLICY = """\
# Written by hullcheck fix (KNS005): no connection reaches or leaves a pod of
# namespace shop unless another NetworkPolicy allows it.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"""


def test_a_new_file_in_the_directory_named(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import kubernetes_validate

    d = tmp_path / "deploy"
    d.mkdir()
    (d / "web.yaml").write_text(DEPLOY)
    code, out, _ = run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--select", "KNS005",
                             str(d))
    assert code == 1
    new = d / "networkpolicy-default-deny-shop.yaml"
    assert out == (f"--- /dev/null\n+++ b/{new}\n@@ -0,0 +1,10 @@\n"
                   + "".join("+" + line + "\n" for line in POLICY.splitlines()))
    assert not new.exists()
    code, out, _ = run_cli(capsys, "fix", "--unsafe-fixes", "--select", "KNS005", str(d))
    assert code == 0
    assert new.read_text() == POLICY
    assert new.stat().st_mode & 0o777 == 0o644
    kubernetes_validate.validate(yaml.safe_load(POLICY), "1.37.0", strict=True)
    assert f"{d}/web.yaml:3: KNS005: fixed: write a default-deny NetworkPolicy" in out
    assert "KNS005:   verify: every connection the namespace's pods accept or make" in out
    # The namespace now has its policy: nothing left, a second run changes nothing, and the
    # rules judging policies find nothing new in it.
    assert run_cli(capsys, "scan", "--select", "KNS005,KNS006,KNS007,KNS008", str(d))[0] == 0
    assert run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--select", "KNS005", str(d)
                   )[1] == ""


def test_never_beside_a_file_named_alone_nor_over_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "web.yaml"
    f.write_text(DEPLOY)
    _, out, _ = run_cli(capsys, "fix", "--unsafe-fixes", "--select", "KNS005", str(f))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web.yaml"]
    assert ("KNS005: not fixed: a new file is written only into a directory named on the "
            "command line") in out
    # A file (or a link) already holding the name is never replaced.
    taken = tmp_path / "networkpolicy-default-deny-shop.yaml"
    taken.symlink_to(tmp_path / "elsewhere.yaml")
    _, out, _ = run_cli(capsys, "fix", "--unsafe-fixes", "--select", "KNS005", str(tmp_path))
    assert taken.is_symlink() and not (tmp_path / "elsewhere.yaml").exists()
    assert f"KNS005: not fixed: {taken} exists; never overwritten" in out


def test_without_unsafe_fixes_no_file_is_written(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "web.yaml").write_text(DEPLOY)
    _, out, _ = run_cli(capsys, "fix", "--select", "KNS005", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web.yaml"]
    assert "KNS005: unsafe fix not applied (--unsafe-fixes)" in out


@pytest.mark.parametrize("ns", ["../etc", "a/b", "UPPER", "x" * 64, ""])
def test_a_namespace_that_is_no_kubernetes_name_names_no_file(ns: str) -> None:
    from hullcheck.fix.kubernetes import default_deny_policy
    from hullcheck.fix.yamledit import EditRefused

    finding = Finding(rule="KNS005", title="t", severity=Severity.MEDIUM, message="m",
                      location=Location(path="x.yaml"), evidence=f"ns={ns}")
    with pytest.raises(EditRefused, match="not a valid Kubernetes name"):
        default_deny_policy(None, finding)
