"""Deployable units: cluster rules judge each unit alone (a directory of loose manifests, a
kustomization with what it includes, a file named on the command line, stdin), ``--unit file`` and
``--unit tree``, and ``location.unit`` on every Kubernetes finding.

``tests/data/units-demo`` is laid out like a microservices demo: ``kubernetes-manifests/`` loose
files, ``kustomize/`` with a root kustomization over ``base``, an optional ``network-policies``
component and an ``overlays/secure`` overlay that includes both, and a ``release/`` bundle.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli, run_json
from hullcheck.inputs.k8s_units import MAX_KUSTOMIZE_DEPTH, MAX_KUSTOMIZE_INCLUDES

DEMO = Path(__file__).resolve().parent.parent / "data" / "units-demo"
LOOSE = ("dir", "kubernetes-manifests")
KUSTOMIZE = ("kustomize", "kustomize")
SECURE = ("kustomize", "kustomize/overlays/secure")
RELEASE = ("dir", "release")


def _rows(doc: dict[str, Any]) -> set[tuple[str, str, int, tuple[str, str]]]:
    return {(f["rule"], f["location"]["path"], f["location"]["line"],
             (f["location"]["unit"]["kind"], f["location"]["unit"]["path"]))
            for f in doc["findings"]}


@pytest.fixture(autouse=True)
def no_renderer(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                ) -> None:
    """These tests are about units as resolved natively: no kustomize, kubectl or helm on PATH
    (rendering is tests/kubernetes/test_render.py's)."""
    monkeypatch.setenv("PATH", str(tmp_path_factory.mktemp("empty-path")))


# What a kustomize unit says once when no renderer is on PATH.
NATIVE = ("kustomization not rendered: no kustomize renderer on PATH (kustomize, or kubectl 1.21 "
          "or later): judged from its resources as written, patches and generators not applied")


def native_notes(*units: str) -> list[str]:
    return [f"hullcheck: warning: {unit}: {NATIVE}" for unit in units]


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(DEMO)
    return DEMO


def test_demo_tree_each_unit_judged_alone(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, doc, err = run_json(capsys, "scan", ".", "--select", "KNS")
    assert code == 0 and doc["errors"] == []
    assert err.splitlines() == native_notes("kustomize", "kustomize/overlays/secure")
    base_f, base_c = "kustomize/base/frontend.yaml", "kustomize/base/cartservice.yaml"
    release = "release/kubernetes-manifests.yaml"
    assert _rows(doc) == {
        # loose files: one directory, one unit, no NetworkPolicy anywhere in it
        ("KNS001", "kubernetes-manifests/cartservice.yaml", 4, LOOSE),
        ("KNS002", "kubernetes-manifests/cartservice.yaml", 4, LOOSE),
        ("KNS005", "kubernetes-manifests/cartservice.yaml", 4, LOOSE),
        ("KNS001", "kubernetes-manifests/frontend.yaml", 5, LOOSE),
        ("KNS014", "kubernetes-manifests/frontend.yaml", 39, LOOSE),
        # kustomize/: the base alone; the optional component is not in it, so "no NetworkPolicy"
        ("KNS001", base_c, 4, KUSTOMIZE),
        ("KNS001", base_f, 4, KUSTOMIZE),
        ("KNS002", base_f, 4, KUSTOMIZE),
        ("KNS005", base_f, 4, KUSTOMIZE),
        ("KNS014", base_f, 38, KUSTOMIZE),
        # the overlay: base + the component's NetworkPolicies, so no KNS005 here
        ("KNS001", base_c, 4, SECURE),
        ("KNS001", base_f, 4, SECURE),
        ("KNS002", base_f, 4, SECURE),
        ("KNS014", base_f, 38, SECURE),
        # the release bundle: its own unit
        ("KNS001", release, 48, RELEASE),
        ("KNS001", release, 5, RELEASE),
        ("KNS002", release, 5, RELEASE),
        ("KNS005", release, 5, RELEASE),
        ("KNS014", release, 39, RELEASE),
    }
    # The overlay's patch file is neither loose nor applied (nothing is rendered): no finding
    # names it, though on its own it would be a Deployment in the default namespace (KNS001).
    assert not any("overlays" in f["location"]["path"] for f in doc["findings"])
    # A finding's fingerprint does not depend on the unit it was judged in.
    prints = {(f["rule"], f["location"]["unit"]["path"]): f["fingerprint"]
              for f in doc["findings"] if f["location"]["path"] == base_c}
    assert prints[("KNS001", "kustomize")] == prints[("KNS001", "kustomize/overlays/secure")]


def test_demo_as_one_tree_merges_everything(capsys: pytest.CaptureFixture[str],
                                            demo: Path) -> None:
    """``--unit tree``: the user says it is one cluster, so the component's policies cover every
    workload of the default namespace (the old behaviour, now asked for), and the objects the
    tree defines three times (loose, kustomize base, release bundle) are one object each: the
    last in walk order wins, as ``kubectl apply`` of the tree would leave it, with a warning per
    replaced copy. The overlay's patch file is no object in the tree either."""
    code, doc, err = run_json(capsys, "scan", ".", "--select", "KNS", "--unit", "tree")
    assert code == 0
    release = "release/kubernetes-manifests.yaml"
    assert _rows(doc) == {(rule, release, line, ("tree", ".")) for rule, line in (
        ("KNS001", 5), ("KNS001", 48), ("KNS002", 5), ("KNS014", 39))}
    warnings = err.splitlines()
    assert len(warnings) == 12 and all(
        " is defined again at release/kubernetes-manifests.yaml line " in w for w in warnings)
    assert not any("overlays" in w for w in warnings)


def test_demo_file_by_file(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, doc, _ = run_json(capsys, "scan", ".", "--select", "KNS005", "--unit", "file")
    assert code == 0
    # Every file holding a workload has no NetworkPolicy of its own; the release bundle once.
    assert _rows(doc) == {
        ("KNS005", p, line, ("file", p)) for p, line in (
            ("kubernetes-manifests/cartservice.yaml", 4), ("kubernetes-manifests/frontend.yaml", 5),
            ("kustomize/base/cartservice.yaml", 4), ("kustomize/base/frontend.yaml", 4),
            ("release/kubernetes-manifests.yaml", 5))}


def test_every_finding_carries_its_unit_and_layout_never_exits_2(
        capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    for mode in ("dir", "file", "tree"):
        code, doc, err = run_json(capsys, "scan", ".", "--unit", mode, "--fail-on", "never")
        # One cluster (tree) holds the demo's copies of one object: warnings, never errors.
        assert code == 0 and doc["errors"] == [], mode
        expected = {"dir": native_notes("kustomize", "kustomize/overlays/secure"), "file": []}
        assert all(" is defined again at " in w for w in err.splitlines()) if mode == "tree" \
            else err.splitlines() == expected[mode], mode
        assert doc["findings"] and all("unit" in f["location"] for f in doc["findings"])


def test_named_file_and_stdin_are_units(capsys: pytest.CaptureFixture[str], demo: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, doc, _ = run_json(capsys, "scan", "kubernetes-manifests/frontend.yaml",
                            "--select", "KNS005")
    path = "kubernetes-manifests/frontend.yaml"
    assert _rows(doc) == {("KNS005", path, 5, ("file", path))}
    text = (DEMO / "release" / "kubernetes-manifests.yaml").read_text()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, doc, _ = run_json(capsys, "scan", "-", "--stdin-name", "all.yaml", "--select", "KNS005")
    assert code == 0
    assert _rows(doc) == {("KNS005", "all.yaml", 5, ("stdin", "all.yaml"))}


PRIVILEGED = """apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: shop}
spec:
  containers:
    - name: c
      image: busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000
      securityContext: {privileged: true}
"""
POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
"""


def test_directories_are_separate_and_not_recursive(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy in ``app/`` does not cover ``app/sub/`` (``kubectl apply -f app`` does not
    recurse); pod-level findings are judged per object as before and report their unit."""
    (tmp_path / "app" / "sub").mkdir(parents=True)
    (tmp_path / "app" / "pod.yaml").write_text(PRIVILEGED % "a")
    (tmp_path / "app" / "policy.yaml").write_text(POLICY)
    (tmp_path / "app" / "sub" / "pod.yaml").write_text(PRIVILEGED % "b")
    monkeypatch.chdir(tmp_path)
    _code, doc, _ = run_json(capsys, "scan", ".", "--select", "KNS005,K8S003")
    assert _rows(doc) == {
        ("K8S003", "app/pod.yaml", 8, ("dir", "app")),
        ("K8S003", "app/sub/pod.yaml", 8, ("dir", "app/sub")),
        ("KNS005", "app/sub/pod.yaml", 3, ("dir", "app/sub")),
    }


def _kustomization(path: Path, *resources: str, kind: str = "Kustomization") -> None:
    path.mkdir(parents=True, exist_ok=True)
    body = "".join(f"  - {r}\n" for r in resources)
    (path / "kustomization.yaml").write_text(f"kind: {kind}\nresources:\n{body}")


def test_bad_layouts_warn_and_never_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(POLICY)
    root = tmp_path / "repo"
    (root / "plain").mkdir(parents=True)
    _kustomization(root / "app", "pod.yaml", "../../outside.yaml", "../plain", "missing.yaml",
                   "https://github.com/example/repo//deploy?ref=v1", "../cycle-a", "link.yaml")
    (root / "app" / "pod.yaml").write_text(PRIVILEGED % "a")
    os.symlink(outside, root / "app" / "link.yaml")  # leads out: the walk never reads it
    _kustomization(root / "cycle-a", "../cycle-b")
    _kustomization(root / "cycle-b", "../cycle-a", "pod.yaml")
    (root / "cycle-b" / "pod.yaml").write_text(PRIVILEGED % "c")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, "scan", ".", "--select", "KNS005", "--format", "json")
    assert code == 0
    rows = _rows(json.loads(out))
    # one unit: app, the cycle it includes, nothing from outside; the policy is not in it
    assert rows == {("KNS005", "app/pod.yaml", 3, ("kustomize", "app"))}
    lines = err.splitlines()
    entry = "hullcheck: warning: app/kustomization.yaml: resources entry"
    assert f"{entry} '../../outside.yaml': outside the scanned directory, not followed" in lines
    assert f"{entry} '../plain': a directory without a kustomization, not included" in lines
    assert f"{entry} 'missing.yaml': not found" in lines
    assert (f"{entry} 'https://github.com/example/repo//deploy?ref=v1': remote, not fetched "
            "(nothing is rendered)") in lines
    assert f"{entry} 'link.yaml': outside the scanned directory, not followed" in lines


def test_kustomizations_only_a_cycle_includes_still_form_a_unit(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _kustomization(tmp_path / "a", "../b", "pod.yaml")
    _kustomization(tmp_path / "b", "../a")
    (tmp_path / "a" / "pod.yaml").write_text(PRIVILEGED % "a")
    monkeypatch.chdir(tmp_path)
    code, doc, _ = run_json(capsys, "scan", ".", "--select", "KNS005")
    assert code == 0
    assert _rows(doc) == {("KNS005", "a/pod.yaml", 3, ("kustomize", "a"))}


def test_depth_and_count_are_bounded(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    depth = MAX_KUSTOMIZE_DEPTH + 2
    for level in range(depth):
        _kustomization(tmp_path / f"k{level}", f"../k{level + 1}", "pod.yaml")
        (tmp_path / f"k{level}" / "pod.yaml").write_text(PRIVILEGED % f"p{level}")
    monkeypatch.chdir(tmp_path)
    code, doc, err = run_json(capsys, "scan", ".", "--select", "KNS005")
    assert code == 0
    # k0 .. k32 are one unit (33 kustomizations, depth 0 to 32); k33 is not followed, and is
    # neither a unit nor loose files of its own (no KNS005 for its pod alone).
    (finding,) = doc["findings"]
    assert finding["location"]["unit"] == {"kind": "kustomize", "path": "k0"}
    # 33 workloads, p0 to p32: five named, "and 28 more"
    assert "(Pod/shop/p0, Pod/shop/p1, Pod/shop/p2, Pod/shop/p3, Pod/shop/p4 and 28 more)" in (
        finding["message"])
    assert (f"hullcheck: warning: k{MAX_KUSTOMIZE_DEPTH + 1}/kustomization.yaml: included more "
            f"than {MAX_KUSTOMIZE_DEPTH} kustomizations deep: not followed") in err.splitlines()
    assert MAX_KUSTOMIZE_INCLUDES == 10_000


def test_count_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More includes than the bound: the rest is left out with one warning."""
    from hullcheck.inputs import k8s_units
    from hullcheck.sources import Source

    monkeypatch.setattr(k8s_units, "MAX_KUSTOMIZE_INCLUDES", 3)
    _kustomization(tmp_path / "k", "../a", "../b", "../c", "../d")
    sources = [Source("k/kustomization.yaml", (tmp_path / "k" / "kustomization.yaml").read_text(),
                      tmp_path / "k" / "kustomization.yaml", root=str(tmp_path.resolve()))]
    for name in "abcd":
        _kustomization(tmp_path / name)
        f = tmp_path / name / "kustomization.yaml"
        sources.append(Source(f"{name}/kustomization.yaml", f.read_text(), f,
                              root=str(tmp_path.resolve())))
    warnings: list[str] = []
    units = k8s_units.assign([], sources, "dir", [], warnings)
    assert [ref.path for ref, _ in units.judged] == ["k"]
    assert warnings == ["k/kustomization.yaml: includes more than 3 files and kustomizations: "
                        "the rest is not included"]


def test_sarif_carries_the_unit(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, out, _ = run_cli(capsys, "scan", "release", "--select", "KNS005", "--format", "sarif")
    assert code == 0
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["properties"]["unit"] == {"kind": "dir", "path": "release"}


def test_text_names_the_kustomization(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    """A base two kustomizations include is reported in each: the text says which."""
    code, out, _ = run_cli(capsys, "scan", "kustomize", "--select", "KNS014")
    assert code == 0
    assert [line for line in out.splitlines() if "KNS014" in line] == [
        f"kustomize/base/frontend.yaml:38:1: MEDIUM KNS014 Service/default/frontend-external is a "
        f"LoadBalancer on ports 80, open to every address (no loadBalancerSourceRanges): it "
        f"exposes Deployment/default/frontend. (Service/default/frontend-external, "
        f"kustomization {unit})" for unit in ("kustomize", "kustomize/overlays/secure")]


def test_kustomization_named_alone_warns(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, doc, err = run_json(capsys, "scan", "kustomize/overlays/secure/kustomization.yaml")
    assert code == 0 and doc["findings"] == [] and doc["errors"] == []
    assert err.splitlines() == [
        "hullcheck: warning: kustomize/overlays/secure/kustomization.yaml: a kustomization is "
        "judged when a directory holding it and what it includes is scanned, not named alone"]


def test_junit_names_the_kustomization(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, out, _ = run_cli(capsys, "scan", "kustomize", "--select", "KNS014", "--format", "junit")
    assert code == 0
    assert "(Service/default/frontend-external, kustomization kustomize/overlays/secure)" in out
    assert "(Service/default/frontend-external, kustomization kustomize)" in out


NS_PRIVILEGED = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: privileged}
"""
LIMITS = """apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
"""
SHOP_POD = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - name: web
    image: nginx:1.27
"""


@pytest.mark.parametrize("same_directory", [True, False])
def test_pods_see_only_their_own_units_namespace_and_limits(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, same_directory: bool) -> None:
    """A Namespace's Pod Security labels and a LimitRange's defaults count for the pods of the
    unit that holds them, never for another unit's."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "pod.yaml").write_text(SHOP_POD)
    platform = app if same_directory else tmp_path / "platform"
    platform.mkdir(exist_ok=True)
    (platform / "ns.yaml").write_text(NS_PRIVILEGED + "---\n" + LIMITS)
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--select", "K8S,CT017,CT018",
                         "--fail-on", "never")
    rules = {f["rule"] for f in doc["findings"] if f["location"]["path"].endswith("pod.yaml")}
    if same_directory:
        # enforce=privileged: no restricted control applies; the LimitRange gives limits
        assert not any(r.startswith("K8S") for r in rules) and not rules & {"CT017", "CT018"}
    else:
        assert {"K8S018", "CT017", "CT018"} <= rules  # restricted, and no limits at all
