"""``hullcheck image NAME``: which names are files and which are image references.

An existing file or directory is a file input; a name that does not exist is "no such file"
(exit 2, no registry asked) when it ends in .tar, .tar.gz or .tgz, starts with ./, ../, / or ~,
or has an oci: / docker-archive: prefix; anything else is an image reference. A run that reads
only files says nothing about the Docker daemon's content trust."""

from __future__ import annotations

from pathlib import Path

import pytest
from image_builders import M, image_blobs, layer_tar, write_docker_save, write_oci_layout

from hullcheck.cli import main
from hullcheck.commands.image import file_target
from hullcheck.inputs.image.layers import ImageError

LAYER = layer_tar([M("etc/hostname", b"box\n")])


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a docker save tarball (img.tar, and a copy named like an image,
    "plainname"), an OCI layout (layout/, image "app"), a directory that is no layout (nginx/),
    and HOME pointing at it (for ~)."""
    work = tmp_path / "work"
    work.mkdir()
    write_docker_save(work / "img.tar", [LAYER])
    (work / "plainname").write_bytes((work / "img.tar").read_bytes())
    manifest, _cfg, blobs = image_blobs([LAYER])
    write_oci_layout(work / "layout", manifest, blobs, name="app")
    (work / "nginx").mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(work))
    return work


FILES = [  # (name, the path read, the image named in the layout)
    ("img.tar", "img.tar", None),
    ("plainname", "plainname", None),  # an existing file, whatever its name
    ("layout", "layout", None),  # an existing directory
    ("nginx", "nginx", None),  # exists: a file input (then "not an OCI image layout")
    ("./img.tar", "img.tar", None),
    ("~/img.tar", "{here}/img.tar", None),  # ~ as typed in quotes
    ("{here}/img.tar", "{here}/img.tar", None),
    ("oci:layout", "layout", None),
    ("oci:layout:app", "layout", "app"),
    ("docker-archive:img.tar", "img.tar", None),
    ("docker-archive:plainname", "plainname", None),
]

MISSING = [  # (name, why it is a file)
    ("nonexist.tar", "a name ending in .tar is a file, not an image reference"),
    ("nonexist.tar.gz", "a name ending in .tar.gz is a file, not an image reference"),
    ("nonexist.tgz", "a name ending in .tgz is a file, not an image reference"),
    ("NONEXIST.TAR", "a name ending in .tar is a file, not an image reference"),
    ("registry.example/app.tar", "a name ending in .tar is a file, not an image reference"),
    ("./nginx:1.25", "a name starting with ./ is a path, not an image reference"),
    ("../nginx", "a name starting with ../ is a path, not an image reference"),
    ("/nonexistent/nginx", "a name starting with / is a path, not an image reference"),
    ("~/missing", "a name starting with ~ is a path, not an image reference"),
    ("oci:missing", "oci: names an OCI image layout directory"),
    ("oci:missing:app", "oci: names an OCI image layout directory"),
    ("docker-archive:missing", "docker-archive: names a docker save tarball"),
    ("docker-archive:nginx:1.25", "docker-archive: names a docker save tarball"),
]

REFERENCES = [
    "nginx:1.25",  # nginx/ exists, nginx:1.25 does not
    "alpine",
    "library/alpine:3.20",
    "registry.example:5000/team/app:1.0",
    "ghcr.io/acme/app@sha256:" + "a" * 64,
    "app:1.tar.bak",
    "app.tar:1",  # a repository named app.tar, tag 1
    "localhost/tgz",
]


@pytest.mark.parametrize(("name", "path", "image"), FILES)
def test_existing_files_and_directories_are_files(
    here: Path, name: str, path: str, image: str | None
) -> None:
    assert file_target(name.format(here=here)) == (Path(path.format(here=here)), image)


@pytest.mark.parametrize(("name", "why"), MISSING)
def test_missing_names_like_files_are_no_such_file(here: Path, name: str, why: str) -> None:
    with pytest.raises(ImageError) as caught:
        file_target(name)
    assert str(caught.value) == f"no such file or directory ({why})"


@pytest.mark.parametrize("name", REFERENCES)
def test_anything_else_is_an_image_reference(here: Path, name: str) -> None:
    assert file_target(name) is None


def test_not_a_file_or_directory(here: Path) -> None:
    with pytest.raises(ImageError, match=r"^/dev/null: not a regular file or directory$"):
        file_target("/dev/null")


@pytest.mark.parametrize(("name", "why"), MISSING)
def test_cli_missing_file_exit_2_one_line(
    here: Path, name: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line on stderr says what and where; no registry is asked (its error would say
    "registry"); the other targets are still read."""
    code = main(["image", name, "img.tar", "--format", "json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err == f"hullcheck: error: {name}: no such file or directory ({why})\n"
    assert '"ref": "t/app:1"' in out  # img.tar was scanned


def test_tarball_scan_has_no_daemon_note(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCKER_CONTENT_TRUST", raising=False)
    for target in ("img.tar", "oci:layout:app", "docker-archive:plainname"):
        code = main(["image", target, "--no-color", "--fail-on", "never"])
        out, err = capsys.readouterr()
        assert code == 0 and err == ""
        assert "docker daemon" not in out and "DOCKER_CONTENT_TRUST" not in out
        assert "IMG018" not in out and "checks:" not in out
