"""Build a corpus of real Dockerfiles from pinned registry packages (issue 19).

The second real Dockerfile corpus beside ``../shared/corpus/dockerfiles`` (official images):
the Dockerfiles that projects keep for their own images, CI, interop tests and sample apps,
taken from the Debian 12 source packages of gRPC (its interop, distribution-test and build
images, the PHP and Python examples), Kubernetes (its test images, build and add-on images),
Docker (engine, CLI and libnetwork), Podman and Buildah (with its conformance tests), and
from PyPI sdists of Kapitan and dask-kubernetes. Versions are pinned and members chosen by a
fixed rule (``chosen`` and ``dockerfile_stages``); downloads and extraction work as in
``real_k8s_corpus.py``:

- a member is taken if its file name is one hullcheck reads as a Dockerfile (``Dockerfile``,
  ``Containerfile``, ``*.Dockerfile``, ``Dockerfile.<suffix>`` other than template, patch and
  similar suffixes: hullcheck's own rule), it is under the package's ``include`` and outside
  its ``exclude`` (vendored code is left out), and its text is UTF-8 with a ``FROM`` line and
  no template markers;
- a file whose bytes were already taken is skipped; licences are copied beside each package.

Downloads are cached under ``bench/corpus/real-cache``; the Dockerfiles go to
``bench/corpus/real-dockerfiles/<package>/<path in the package>``. Nothing of the corpus is
committed: only this script.

    .venv/bin/python bench/real_dockerfile_corpus.py     # prints files, stages, bytes
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from real_k8s_corpus import CORPUS, Package, build, in_scope, plain_text

FROM_LINE = re.compile(r"^[ \t]*FROM[ \t]+\S", re.IGNORECASE | re.MULTILINE)

PACKAGES = (
    Package("grpc", "debian-source", "1.51.1-3", include=("",)),
    Package("kubernetes", "debian-source", "1.20.5+really1.20.2-1.1+deb12u1", include=("",),
            exclude=("vendor/",)),
    Package("docker.io", "debian-source", "20.10.24+dfsg1-1+deb12u1", include=("",),
            exclude=("vendor/",)),
    Package("podman", "debian-source", "4.3.1+ds1-8+deb12u1", include=("",),
            exclude=("vendor/",)),
    # Buildah: its images (contrib/) and the conformance tests that build each Dockerfile
    # with both buildah and docker (tests/conformance/testdata, many of them docker's own).
    # Its tests/bud cases are left out: 227 small files that exercise one builder feature
    # each, a good many broken on purpose.
    Package("buildah", "debian-source", "1.28.2+ds1-3+deb12u1",
            include=("contrib/", "hack/", "tests/conformance/")),
    Package("kapitan", "pypi-sdist", "0.36.3", include=("",)),
    Package("dask-kubernetes", "pypi-sdist", "2026.3.0", include=("",)),
)


def is_dockerfile_name(name: str) -> bool:
    """Whether hullcheck reads a file of this name as a Dockerfile: its own rule, so that the
    corpus and the files bench_dockerfile.py hands the peers are the ones hullcheck scans."""
    from hullcheck.inputs import _is_dockerfile_name

    return _is_dockerfile_name(name)


def chosen(pkg: Package, member: str) -> bool:
    """Whether a member path (without the archive's top folder) is a Dockerfile candidate."""
    return is_dockerfile_name(member.rsplit("/", 1)[-1]) and in_scope(pkg, member)


def dockerfile_stages(data: bytes) -> int:
    """How many ``FROM`` lines a plain Dockerfile has; 0 if it is not one."""
    text = plain_text(data)
    return 0 if text is None else len(FROM_LINE.findall(text))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=CORPUS / "real-dockerfiles")
    ap.add_argument("--cache", type=Path, default=CORPUS / "real-cache")
    args = ap.parse_args()
    build(PACKAGES, args.out, args.cache, "stages", dockerfile_stages, chosen)


if __name__ == "__main__":
    main()
