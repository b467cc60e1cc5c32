"""The rules that choose bench/'s real corpora from packages (bench/real_*_corpus.py).

The corpora themselves are downloaded, not committed; these tests hold the choosing rules to
what bench/README.md says of them, on archives built here.
"""

from __future__ import annotations

import io
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from hullcheck.inputs import _is_dockerfile_name

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpora() -> Iterator[tuple[ModuleType, ModuleType]]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import real_dockerfile_corpus
        import real_k8s_corpus
        yield real_k8s_corpus, real_dockerfile_corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))


@pytest.mark.parametrize(("text", "objects"), [
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n", 1),
    ("---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n"
     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {generateName: b-}\n---\n", 2),
    ("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n",
     1),
    # a List with a nameless item, a nameless object: partial, filled in by a test
    ("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod}\n", 0),
    ("apiVersion: v1\nkind: PersistentVolume\nspec: {}\n", 0),
    # templates, configuration that is not applied to a cluster, not Kubernetes at all
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: '{{ .Values.name }}'}\n", 0),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: '${NAME}'}\n", 0),
    ("apiVersion: v1\nkind: Config\nclusters: []\n", 0),
    ("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n", 0),
    ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", 0),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n- a list\n", 0),
    ("services:\n  web: {image: nginx}\n", 0),
    ("a: [unclosed\n", 0),
])
def test_manifest_rule(corpora: tuple[ModuleType, ModuleType], text: str, objects: int) -> None:
    k8s, _ = corpora
    assert k8s.manifest_objects(text.encode()) == objects


def test_manifest_rule_refuses_non_utf8(corpora: tuple[ModuleType, ModuleType]) -> None:
    k8s, _ = corpora
    assert k8s.manifest_objects(b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n") == 0


NAMES = ("Dockerfile", "dockerfile", "Containerfile", "Dockerfile.alpine", "Dockerfile.windows",
         "apache.Dockerfile", "x.containerfile", "Containerfile.with-secret",
         "Dockerfile.template", "Dockerfile.in", "Dockerfile.patch", "Dockerfile_windows",
         "Dockerfile1.alpine", "Dockerfile.dockerignore", "README.md", "dockerfile.yaml",
         "Dockerfile.tmpl")


def test_dockerfile_names_are_hullchecks(corpora: tuple[ModuleType, ModuleType],
                                         tmp_path: Path) -> None:
    """The corpus and bench_dockerfile.py (which hands hadolint and Checkov their files) take
    a name exactly when hullcheck reads it as a Dockerfile."""
    _, df = corpora
    for i, name in enumerate(NAMES):
        (tmp_path / str(i)).mkdir()
        (tmp_path / str(i) / name).write_text("FROM scratch\n")
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_dockerfile
    finally:
        sys.path.remove(str(ROOT / "bench"))
    picked = {p.name for p in bench_dockerfile.dockerfiles(tmp_path)}
    expected = {n for n in NAMES if _is_dockerfile_name(n)}
    assert picked == expected == {n for n in NAMES if df.is_dockerfile_name(n)}
    assert "Containerfile.with-secret" in picked and "apache.Dockerfile" in picked
    assert "Dockerfile_windows" not in picked and "Dockerfile.template" not in picked


@pytest.mark.parametrize(("text", "stages"), [
    ("FROM alpine\nRUN true\n", 1),
    ("# syntax=docker/dockerfile:1\nARG V=1\nFROM golang AS b\nFROM scratch\n", 2),
    ("  from debian:12\n", 1),
    ("RUN true\n", 0),
    ("FROM {{ .Base }}\n", 0),
])
def test_dockerfile_rule(corpora: tuple[ModuleType, ModuleType], text: str, stages: int) -> None:
    _, df = corpora
    assert df.dockerfile_stages(text.encode()) == stages


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def test_extract_chooses_dedupes_and_keeps_licences(corpora: tuple[ModuleType, ModuleType],
                                                    tmp_path: Path) -> None:
    k8s, _ = corpora
    pod = b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
    archive = _tar(tmp_path / "p-1.tar.gz", {
        "./p-1/LICENSE": b"licence",
        "./p-1/sub/NOTICE": b"notice",
        "./p-1/deep/er/LICENSE": b"not the package's",
        "./p-1/examples/pod.yaml": pod,
        "./p-1/examples/copy.yml": pod,  # the same bytes: taken once
        "./p-1/examples/chart.yaml": b"apiVersion: v2\nkind: Chart\n",
        "./p-1/vendor/x/pod.yaml": pod + b"# other bytes\n",
        "./p-1/other/pod.yaml": pod + b"# outside include\n",
    })
    pkg = k8s.Package("p", "pypi-sdist", "1", include=("examples/", "vendor/"),
                      exclude=("vendor/",))
    out = tmp_path / "out"
    seen: set[str] = set()
    assert k8s.extract(pkg, archive, out, seen, "c/") == (1, 1, len(pod))
    got = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert got == ["c/LICENSE", "c/examples/copy.yml", "c/sub/NOTICE"] or got == [
        "c/LICENSE", "c/examples/pod.yaml", "c/sub/NOTICE"]
    # a second archive with the same manifest adds nothing: bytes already taken
    assert k8s.extract(pkg, archive, tmp_path / "out2", seen) == (0, 0, 0)


def test_extract_skips_members_over_the_bound(corpora: tuple[ModuleType, ModuleType],
                                              tmp_path: Path) -> None:
    """A member over MAX_MEMBER (4 MiB) is never read."""
    k8s, _ = corpora
    assert k8s.MAX_MEMBER == 4 * 1024 * 1024
    big = b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n" + b"#" * k8s.MAX_MEMBER
    archive = _tar(tmp_path / "p.tar.gz", {"p/big.yaml": big})
    pkg = k8s.Package("p", "pypi-sdist", "1", include=("",))
    assert k8s.extract(pkg, archive, tmp_path / "out", set()) == (0, 0, 0)
