"""Helm charts and kustomizations rendered into deployable units (issue 16).

Which paths run against real binaries: kustomize rendering runs the REAL ``kubectl`` on PATH
(v1.32 with kustomize v5.5.0 on the machines this was written on; those tests skip, saying so,
where no kubectl 1.21 or later is installed). Helm runs ``tests/stand-ins/helm`` (a stand-in,
not Helm: no Helm binary can be installed here) and the old-kubectl fallback
``tests/stand-ins/kubectl-1.20``. The native fallbacks run with nothing on PATH.

Layouts: ``tests/data/helm`` (charts: ``web``, ``parent`` with a sub-chart, ``needs-value`` whose
template ``required``s a value, ``missing-dep`` whose dependency is not in ``charts/``) and
``tests/data/k8s-layouts`` (loose ``manifests/``; ``kustomize/`` with a base, a component, a
``dev`` overlay (v2-compatible: namePrefix only) and a ``prod`` overlay with the component, a
patch turning ``privileged`` off and origin annotations).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import run_json
from hullcheck.inputs.render import (
    MAX_RENDER_DOCUMENTS,
    MAX_RENDER_TREE_ENTRIES,
    RenderFailed,
    links_out,
    run,
)

TESTS = Path(__file__).resolve().parent.parent
DATA = TESTS / "data"
STAND_INS = TESTS / "stand-ins"
INSTALL = ("helm is not on PATH: install Helm 3 to render charts "
           "(https://helm.sh/docs/intro/install/, e.g. `brew install helm`)")
REQUIRED = ("execution error at (needs-value/templates/configmap.yaml:6:12): database.host is "
            "required")
MISSING_DEP = ("An error occurred while checking for chart dependencies. You may need to run "
               "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
               "missing in charts/ directory: redis")
NATIVE = "judged from its resources as written, patches and generators not applied"


def _bin(tmp_path: Path, env: str = "", **programs: Path) -> str:
    """A PATH holding only ``programs`` (name -> stand-in script), each run by this Python
    (with ``env``, ``NAME=value`` words, set for it)."""
    directory = tmp_path / "bin"
    directory.mkdir(exist_ok=True)
    for name, script in programs.items():
        wrapper = directory / name
        wrapper.write_text(f"#!/bin/sh\n{env} exec {sys.executable} {script} \"$@\"\n")
        wrapper.chmod(0o755)
    return str(directory)


@pytest.fixture
def helm_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The helm stand-in on PATH, and nothing else."""
    path = _bin(tmp_path, helm=STAND_INS / "helm")
    monkeypatch.setenv("PATH", path)
    monkeypatch.chdir(DATA)
    return path


def _rows(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
    out = set()
    for f in doc["findings"]:
        loc = f["location"]
        source = loc.get("source")
        out.add((f["rule"], loc["path"], loc.get("line"), loc["object"],
                 (loc["unit"]["kind"], loc["unit"]["path"]),
                 (source["path"], source["line"]) if source else None))
    return out


WEB = ("helm", "helm/web")
PARENT = ("helm", "helm/parent")
DEPLOY = "helm/web/templates/deployment.yaml"


def test_charts_rendered_each_a_unit_mapped_to_templates(
        capsys: pytest.CaptureFixture[str], helm_path: str) -> None:
    code, doc, err = run_json(capsys, "scan", "helm", "--select", "K8S002,K8S003,KNS005")
    assert code == 1 and doc["errors"] == []
    assert _rows(doc) == {
        ("K8S003", DEPLOY, None, "Deployment/default/release-name-web", WEB, (DEPLOY, None)),
        ("KNS005", DEPLOY, None, "Deployment/default/release-name-web", WEB, (DEPLOY, None)),
        # the sub-chart's template, with the parent's value (cache.hostNetwork: true)
        ("K8S002", "helm/parent/charts/cache/templates/pod.yaml", None,
         "Pod/default/release-name-cache", PARENT,
         ("helm/parent/charts/cache/templates/pod.yaml", None)),
        ("KNS005", "helm/parent/templates/pod.yaml", None, "Pod/default/release-name-app",
         PARENT, ("helm/parent/templates/pod.yaml", None)),
    }
    # Charts helm cannot render are skipped with helm's message, once each; never an error.
    assert doc["skipped"] == [
        {"path": "helm/missing-dep", "reason": f"Helm chart not rendered: {MISSING_DEP}"},
        {"path": "helm/needs-value", "reason": f"Helm chart not rendered: {REQUIRED}"},
    ]
    assert err.splitlines() == [
        f"hullcheck: warning: helm/missing-dep: Helm chart not rendered: {MISSING_DEP}",
        f"hullcheck: warning: helm/needs-value: Helm chart not rendered: {REQUIRED}",
    ]


def test_rendered_fingerprint_joins_the_unit(capsys: pytest.CaptureFixture[str],
                                             helm_path: str, tmp_path: Path) -> None:
    """Two charts rendering the same template path and object are two objects."""
    copy = tmp_path / "two"
    for name in ("a", "b"):
        shutil.copytree(DATA / "helm" / "web", copy / name / "web")
    _, doc, _ = run_json(capsys, "scan", str(copy), "--select", "K8S003")
    prints = {f["location"]["unit"]["path"]: f["fingerprint"] for f in doc["findings"]}
    assert len(prints) == 2 and len(set(prints.values())) == 2


def test_values_set_release_and_namespace(capsys: pytest.CaptureFixture[str], helm_path: str,
                                          tmp_path: Path) -> None:
    code, doc, _ = run_json(capsys, "scan", "helm/web", "--select", "K8S003",
                            "--helm-set", "privileged=false")
    assert (code, doc["findings"]) == (0, [])
    values = tmp_path / "values.yaml"
    values.write_text("privileged: false\n")
    code, doc, _ = run_json(capsys, "scan", "helm/web", "--select", "K8S003",
                            "--helm-values", str(values))
    assert (code, doc["findings"]) == (0, [])
    code, doc, _ = run_json(capsys, "scan", "helm/web", "--select", "K8S003",
                            "--release-name", "shop", "--namespace", "prod")
    assert code == 1
    assert [f["location"]["object"] for f in doc["findings"]] == ["Deployment/prod/shop-web"]


def test_missing_values_file_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                              helm_path: str) -> None:
    code, _, err = _text(capsys, "scan", "helm/web", "--helm-values", "nope.yaml")
    assert code == 2 and err == "hullcheck: error: --helm-values nope.yaml: no such file\n"


@pytest.mark.parametrize("target", ["helm/needs-value", "helm/needs-value/Chart.yaml"])
def test_chart_named_that_cannot_render_exits_2(capsys: pytest.CaptureFixture[str],
                                                helm_path: str, target: str) -> None:
    code, doc, err = run_json(capsys, "scan", target)
    assert code == 2 and doc["skipped"] == []
    assert err.splitlines() == [
        f"hullcheck: error: helm/needs-value: Helm chart cannot be rendered: {REQUIRED}"]


def test_templates_never_parsed_as_manifests(capsys: pytest.CaptureFixture[str],
                                             helm_path: str) -> None:
    """With --verbose, each chart file is listed as the chart's; no invalid-YAML errors."""
    code, doc, err = run_json(capsys, "scan", "helm", "-v", "--fail-on", "never")
    assert code == 0 and doc["errors"] == []
    code, out, err = _text(capsys, "scan", "helm", "-v", "--fail-on", "never")
    assert "helm/web/templates/deployment.yaml: part of the Helm chart helm/web, judged as " \
           "rendered" in out + err


def _text(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from conftest import run_cli

    return run_cli(capsys, *args)


def test_without_helm_every_chart_skipped_once(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """helm and kubectl removed from PATH: exactly the four charts are skipped, one warning
    each, and the kustomize units fall back, one note each; never an error."""
    monkeypatch.setenv("PATH", _bin(tmp_path))
    monkeypatch.chdir(DATA)
    code, doc, err = run_json(capsys, "scan", "helm", "k8s-layouts", "--fail-on", "never")
    assert code == 0 and doc["errors"] == []
    charts = ["helm/missing-dep", "helm/needs-value", "helm/parent", "helm/web"]
    assert doc["skipped"] == [{"path": c, "reason": f"Helm chart not rendered: {INSTALL}"}
                              for c in charts]
    no_renderer = ("kustomization not rendered: no kustomize renderer on PATH (kustomize, or "
                   f"kubectl 1.21 or later): {NATIVE}")
    assert err.splitlines() == [
        *(f"hullcheck: warning: {c}: Helm chart not rendered: {INSTALL}" for c in charts),
        *(f"hullcheck: warning: k8s-layouts/kustomize/overlays/{o}: {no_renderer}"
          for o in ("dev", "prod")),
    ]
    # A chart named alone without helm: skipped too, not an error.
    code, doc, err = run_json(capsys, "scan", "helm/needs-value")
    assert code == 0 and doc["errors"] == [] and len(doc["skipped"]) == 1


def test_stream_piped_in_maps_sources(capsys: pytest.CaptureFixture[str], helm_path: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """``helm template ... | hullcheck scan -``: the same ``# Source:`` mapping, on the
    stream's own lines."""
    rendered = subprocess.run([sys.executable, str(STAND_INS / "helm"), "template", "helm/web"],
                              capture_output=True, text=True, check=True).stdout
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(rendered.encode())))
    code, doc, _ = run_json(capsys, "scan", "-", "--select", "K8S003")
    assert code == 1
    [f] = doc["findings"]
    assert f["location"]["source"] == {"path": "web/templates/deployment.yaml", "line": None}
    assert f["location"]["path"] == "-"
    assert rendered.splitlines()[f["location"]["line"] - 1].strip() == "privileged: true"


def _kubectl_minor() -> int | None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    out = subprocess.run([kubectl, "version", "--client", "-o", "json"], capture_output=True,
                         text=True, check=False)
    try:
        return int(json.loads(out.stdout)["clientVersion"]["minor"].rstrip("+"))
    except (ValueError, KeyError):
        return None


REAL_KUBECTL = pytest.mark.skipif(
    (_kubectl_minor() or 0) < 21, reason="needs a real kubectl 1.21 or later on PATH")
DEV = ("kustomize", "k8s-layouts/kustomize/overlays/dev")
PROD = ("kustomize", "k8s-layouts/kustomize/overlays/prod")
BASE_DEPLOY = "k8s-layouts/kustomize/base/deployment.yaml"


@REAL_KUBECTL
def test_real_kubectl_renders_overlays(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The real kubectl: the prod overlay's patch turns privileged off and its component adds a
    NetworkPolicy (so neither K8S003 nor KNS005 there); dev maps back by name, prod by origin
    annotation; loose manifests are judged as before."""
    monkeypatch.chdir(DATA)
    code, doc, err = run_json(capsys, "scan", "k8s-layouts", "--select",
                              "K8S003,KNS005,KNS014,KNS001")
    assert code == 1 and doc["errors"] == [] and err == ""
    loose = ("dir", "k8s-layouts/manifests")
    assert _rows(doc) == {
        ("K8S003", "k8s-layouts/manifests/app.yaml", 16, "Deployment/default/app", loose, None),
        ("KNS001", "k8s-layouts/manifests/app.yaml", 4, "Deployment/default/app", loose, None),
        ("KNS005", "k8s-layouts/manifests/app.yaml", 4, "Deployment/default/app", loose, None),
        ("K8S003", BASE_DEPLOY, 4, "Deployment/default/dev-api", DEV, (BASE_DEPLOY, 4)),
        ("KNS001", BASE_DEPLOY, 4, "Deployment/default/dev-api", DEV, (BASE_DEPLOY, 4)),
        ("KNS005", BASE_DEPLOY, 4, "Deployment/default/dev-api", DEV, (BASE_DEPLOY, 4)),
        ("KNS001", BASE_DEPLOY, 4, "Deployment/default/prod-api", PROD, (BASE_DEPLOY, 4)),
    }


def test_native_fallback_without_renderer(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """No renderer: patches not applied (K8S003 stays, as the base says), said once per unit.
    Natively a file's pod findings report in the first unit holding it (dev), as before."""
    monkeypatch.setenv("PATH", _bin(tmp_path))
    monkeypatch.chdir(DATA)
    code, doc, err = run_json(capsys, "scan", "k8s-layouts/kustomize", "--select", "K8S003")
    assert code == 1 and doc["errors"] == []
    assert {(f["location"]["path"], f["location"]["line"], f["location"]["unit"]["path"],
             "source" in f["location"]) for f in doc["findings"]} == {
        (BASE_DEPLOY, 17, DEV[1], False)}
    assert len(err.splitlines()) == 2 and all(NATIVE in line for line in err.splitlines())


def test_old_kubectl_falls_back_for_fields_it_lacks(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """kubectl 1.20 (kustomize v2.0.3): prod uses components and patches, so it never reaches
    the renderer; dev does, and its failure falls back too, each said once."""
    stand_in = tmp_path / "bin" / "kubectl"
    monkeypatch.setenv("PATH", _bin(tmp_path, kubectl=STAND_INS / "kubectl-1.20"))
    calls = STAND_INS / "kubectl-1.20.calls"
    calls.write_text("")
    try:
        monkeypatch.chdir(DATA)
        code, doc, err = run_json(capsys, "scan", "k8s-layouts/kustomize", "--select", "K8S003")
        logged = calls.read_text().splitlines()
    finally:
        calls.unlink()
    assert stand_in.exists()
    assert code == 1 and doc["errors"] == []
    assert err.splitlines() == [
        "hullcheck: warning: k8s-layouts/kustomize/overlays/dev: kustomization not rendered: "
        "kubectl 1.20 (kustomize v2.0.3) failed: stand-in for kubectl 1.20: kustomize output "
        f"not reproduced; {NATIVE}",
        "hullcheck: warning: k8s-layouts/kustomize/overlays/prod: kustomization not rendered: "
        "k8s-layouts/kustomize/overlays/prod/kustomization.yaml: uses buildMetadata, "
        f"components, patches, which kubectl 1.20 (kustomize v2.0.3) lacks; {NATIVE}",
    ]
    dev = os.path.realpath(DATA / "k8s-layouts/kustomize/overlays/dev")
    assert logged == ["version --client -o json", f"kustomize {dev}"]


@pytest.mark.parametrize(("entry", "why"), [
    ("https://github.com/example/app//base?ref=v1", "remote entry"),
    ("github.com/example/app/base", "remote entry"),
    ("git@github.com:example/app.git", "remote entry"),
    ("../../outside", "leads out of the scanned directory"),
])
def test_remote_and_outside_entries_never_reach_the_renderer(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        entry: str, why: str) -> None:
    stand_in = _bin(tmp_path, kubectl=STAND_INS / "kubectl-1.20")
    monkeypatch.setenv("PATH", stand_in)
    root = tmp_path / "repo" / "app"
    root.mkdir(parents=True)
    (root / "kustomization.yaml").write_text(f"resources:\n  - {entry}\n")
    monkeypatch.chdir(tmp_path / "repo")
    code, doc, err = run_json(capsys, "scan", ".")
    assert code == 0 and doc["errors"] == []
    assert "app: kustomization not rendered: app/kustomization.yaml: " in err
    assert why in err and "failed" not in err


def test_link_out_of_the_tree_is_never_rendered(capsys: pytest.CaptureFixture[str],
                                                helm_path: str, tmp_path: Path) -> None:
    """A chart whose values.yaml links out of the scanned directory is not handed to helm."""
    chart = tmp_path / "repo" / "web"
    shutil.copytree(DATA / "helm" / "web", chart)
    secret = tmp_path / "secret.yaml"
    secret.write_text("privileged: false\n")
    (chart / "values.yaml").unlink()
    (chart / "values.yaml").symlink_to(secret)
    code, doc, _ = run_json(capsys, "scan", str(tmp_path / "repo"))
    assert code == 0 and doc["findings"] == []
    [skip] = [s for s in doc["skipped"] if s["path"].endswith("web")]
    assert "a symbolic link leading out of the scanned directory: not rendered" in skip["reason"]


def test_renderer_bounds(tmp_path: Path) -> None:
    """Deadline, output size, a minimal environment, and what links_out refuses."""
    with pytest.raises(RenderFailed, match=r"did not finish within 0.5 s"):
        run(["/bin/sh", "-c", "sleep 30"], cwd=str(tmp_path), timeout=0.5)
    with pytest.raises(RenderFailed, match=r"printed more than 1 MiB"):
        run(["/bin/sh", "-c", "yes"], cwd=str(tmp_path), max_bytes=1 << 20)
    os.environ["HULLCHECK_TEST_TOKEN"] = "secret"
    try:
        env = run(["/usr/bin/env"], cwd=str(tmp_path)).text
    finally:
        del os.environ["HULLCHECK_TEST_TOKEN"]
    names = {line.split("=", 1)[0] for line in env.splitlines()}
    assert "HULLCHECK_TEST_TOKEN" not in names and "KUBECONFIG" in names
    home = dict(line.split("=", 1) for line in env.splitlines())["HOME"]
    assert home.startswith("/") and not os.path.exists(home)  # a temporary, removed after
    assert dict(line.split("=", 1) for line in env.splitlines())["HTTPS_PROXY"] == \
        "http://127.0.0.1:9"
    (tmp_path / "ok").symlink_to(tmp_path)
    assert links_out(str(tmp_path), str(tmp_path)) is None
    (tmp_path / "out").symlink_to("/etc")
    assert links_out(str(tmp_path), str(tmp_path)) == \
        f"{tmp_path / 'out'}: a symbolic link leading out of the scanned directory"
    (tmp_path / "out").unlink()
    for n in range(3):
        (tmp_path / f"f{n}").write_text("")
    assert links_out(str(tmp_path), str(tmp_path), limit=3) == (
        f"{tmp_path}: more than 3 files and directories to check for links leading out of the "
        "scanned directory")
    assert MAX_RENDER_TREE_ENTRIES == 10_000
    assert MAX_RENDER_DOCUMENTS == 10_000


def test_text_names_the_chart(capsys: pytest.CaptureFixture[str], helm_path: str) -> None:
    code, out, _ = _text(capsys, "scan", "helm/web", "--select", "K8S003")
    assert code == 1
    assert out.splitlines()[0].startswith(
        f"{DEPLOY}: CRITICAL K8S003 Container \"web\" sets securityContext.privileged=true.")
    assert out.splitlines()[0].endswith(
        "(Deployment/default/release-name-web, container web, Helm chart helm/web)")


def test_inline_ignore_in_a_template_covers_its_rendered_object(
        capsys: pytest.CaptureFixture[str], helm_path: str, tmp_path: Path) -> None:
    """helm keeps a template's comments: an inline ignore lands in the rendered object and
    covers it (in that template), never another object; nothing is reported unused."""
    chart = tmp_path / "web"
    shutil.copytree(DATA / "helm" / "web", chart)
    deploy = chart / "templates" / "deployment.yaml"
    deploy.write_text(deploy.read_text().replace(
        "            privileged:", "            # hullcheck: ignore=K8S003 accepted\n"
                                   "            privileged:"))
    code, doc, err = run_json(capsys, "scan", str(chart), "--select", "K8S003,KNS005",
                              "--show-suppressed")
    assert code == 0 and err == ""  # K8S003 (critical) suppressed; KNS005 is medium
    assert {(f["rule"], (f.get("suppressed") or {}).get("by")) for f in doc["findings"]} == {
        ("K8S003", "inline"), ("KNS005", None)}


@REAL_KUBECTL
def test_inline_ignore_in_a_kustomized_file_covers_what_was_made_from_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """kustomize drops comments: an ignore in a base file covers the rendered objects made from
    the object it sits in, in every overlay; nothing is reported unused."""
    shutil.copytree(DATA / "k8s-layouts" / "kustomize", tmp_path / "kustomize")
    deploy = tmp_path / "kustomize" / "base" / "deployment.yaml"
    deploy.write_text(deploy.read_text().replace(
        "            privileged:", "            # hullcheck: ignore=K8S003,KNS001 accepted\n"
                                   "            privileged:"))
    monkeypatch.chdir(tmp_path)
    code, doc, err = run_json(capsys, "scan", "kustomize", "--select", "K8S003,KNS001,KNS005",
                              "--show-suppressed")
    assert err == ""
    assert {(f["rule"], f["location"]["object"], (f.get("suppressed") or {}).get("by"))
            for f in doc["findings"]} == {
        ("K8S003", "Deployment/default/dev-api", "inline"),
        ("KNS001", "Deployment/default/dev-api", "inline"),
        ("KNS005", "Deployment/default/dev-api", None),
        ("KNS001", "Deployment/default/prod-api", "inline"),
    }
    assert code == 0


def test_rendering_budget_per_scan(capsys: pytest.CaptureFixture[str], helm_path: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the scan's budget of renders (1,000; 1 here), charts are skipped with the reason."""
    from hullcheck.inputs import render

    assert (render.MAX_RENDERS, render.MAX_RENDER_TOTAL_SECONDS) == (1_000, 600.0)
    monkeypatch.setattr(render, "MAX_RENDERS", 1)
    code, doc, _ = run_json(capsys, "scan", "helm", "--fail-on", "never")
    spent = ("Helm chart not rendered: this scan's rendering budget (1 renders, 600 s) is spent: "
             "not rendered")
    assert code == 0 and doc["errors"] == []
    assert doc["skipped"] == [
        {"path": "helm/missing-dep", "reason": f"Helm chart not rendered: {MISSING_DEP}"},
        *({"path": c, "reason": spent} for c in ("helm/needs-value", "helm/parent", "helm/web"))]


@REAL_KUBECTL
def test_kustomize_preferred_and_never_given_code_running_flags(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``kustomize build DIR`` when kustomize is on PATH (before kubectl), with no other flag;
    the same findings as kubectl's."""
    real = shutil.which("kubectl")
    stand_ins = _bin(tmp_path, f"HULLCHECK_STAND_IN_KUBECTL={real}",
                     kustomize=STAND_INS / "kustomize", kubectl=STAND_INS / "kubectl-1.20")
    monkeypatch.setenv("PATH", stand_ins)
    calls = STAND_INS / "kustomize.calls"
    calls.write_text("")
    try:
        monkeypatch.chdir(DATA)
        code, doc, err = run_json(capsys, "scan", "k8s-layouts/kustomize", "--select",
                                  "K8S003,KNS005,KNS001")
        logged = calls.read_text().splitlines()
    finally:
        calls.unlink()
    assert code == 1 and doc["errors"] == [] and err == ""
    overlays = os.path.realpath(DATA / "k8s-layouts/kustomize/overlays")
    assert logged == [f"build {overlays}/dev", f"build {overlays}/prod"]
    assert _rows(doc) == {
        ("K8S003", BASE_DEPLOY, 4, "Deployment/default/dev-api", DEV, (BASE_DEPLOY, 4)),
        ("KNS001", BASE_DEPLOY, 4, "Deployment/default/dev-api", DEV, (BASE_DEPLOY, 4)),
        ("KNS005", BASE_DEPLOY, 4, "Deployment/default/dev-api", DEV, (BASE_DEPLOY, 4)),
        ("KNS001", BASE_DEPLOY, 4, "Deployment/default/prod-api", PROD, (BASE_DEPLOY, 4)),
    }


def test_a_template_named_says_to_scan_the_chart(capsys: pytest.CaptureFixture[str],
                                                 helm_path: str) -> None:
    code, _, err = _text(capsys, "scan", "helm/web/templates/deployment.yaml",
                         "helm/parent/charts/cache/templates/pod.yaml")
    assert code == 2
    assert err.splitlines() == [
        "hullcheck: error: helm/web/templates/deployment.yaml: a Helm chart template, not a "
        "manifest: scan the chart (helm/web)",
        "hullcheck: error: helm/parent/charts/cache/templates/pod.yaml: a Helm chart template, "
        "not a manifest: scan the chart (helm/parent/charts/cache)"]


def test_other_files_in_a_chart_directory_are_still_judged(
        capsys: pytest.CaptureFixture[str], helm_path: str, tmp_path: Path) -> None:
    """A repository whose root is a chart: its Dockerfile and compose file are judged as
    usual; its values, templates and sub-charts are the chart's."""
    shutil.copytree(DATA / "helm" / "web", tmp_path / "web")
    (tmp_path / "web" / "Dockerfile").write_text("FROM nginx:latest\n")
    (tmp_path / "web" / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n")
    os.chdir(tmp_path / "web")
    try:
        code, doc, _ = run_json(capsys, "scan", ".", "--select", "DF001,CT001,K8S003")
    finally:
        os.chdir(DATA)
    assert code == 1 and doc["errors"] == []
    assert {(f["rule"], f["location"]["path"]) for f in doc["findings"]} == {
        ("DF001", "Dockerfile"), ("CT001", "compose.yaml"),
        ("K8S003", "templates/deployment.yaml")}


@REAL_KUBECTL
def test_objects_the_server_refuses_in_a_rendered_unit_are_warnings(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A rendered kustomization never fails a scan: an apiVersion the API server no longer
    serves is a warning for the rendered object, and the file as written is not judged."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "kustomization.yaml").write_text("resources:\n  - old.yaml\n")
    (app / "old.yaml").write_text(
        "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: old\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n"
        "          image: busybox:1.36\n")
    monkeypatch.chdir(tmp_path)
    code, doc, err = run_json(capsys, "scan", ".", "--fail-on", "never")
    assert code == 0 and doc["errors"] == [] and doc["findings"] == []
    [line] = err.splitlines()
    assert line.startswith("hullcheck: warning: app/old.yaml: Deployment/old as rendered: ")


def test_sarif_carries_unit_and_source(capsys: pytest.CaptureFixture[str],
                                       helm_path: str) -> None:
    code, out, _ = _text(capsys, "scan", "helm/web", "--select", "K8S003", "-f", "sarif")
    assert code == 1
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == DEPLOY
    assert "region" not in result["locations"][0]["physicalLocation"]
    assert result["properties"]["unit"] == {"kind": "helm", "path": "helm/web"}
    assert result["properties"]["source"] == {"path": DEPLOY, "line": None}
