"""``scan --resolve-images[=deep]`` on the real Docker Engine (images built here with ``docker
import`` of busybox-static and ``docker build``) and on Debian's docker-registry (127.0.0.1):
the images compose services and Kubernetes containers run decide their user and health check;
deep adds each image's own findings, attributed to the containers that run it."""

from __future__ import annotations

import contextlib
import io
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from image_live import LABEL, Registry, docker_config, unavailable
from test_image_registry import push_image

from conftest import run_json

pytestmark = pytest.mark.live
RUN = uuid.uuid4().hex[:8]
BASE = f"hullcheck-test-layers/base:{RUN}"
ROOT = f"hullcheck-test-layers/root:{RUN}"
NONROOT = f"hullcheck-test-layers/nonroot:{RUN}"


def _build(api: Any, ctx: Path, tag: str, dockerfile: str) -> None:
    (ctx / "Dockerfile").write_text(dockerfile)
    out = list(api.build(path=str(ctx), tag=tag, rm=True, decode=True))
    if not any("Successfully tagged" in str(o.get("stream", "")) for o in out):
        pytest.fail(f"docker build failed: {out[-3:]}")


@pytest.fixture(scope="module")
def images(docker_api: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    busybox = Path("/bin/busybox")
    if not busybox.is_file():
        unavailable("busybox-static is not installed (/bin/busybox)")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        tf.add(busybox, "bin/busybox")
        info = tarfile.TarInfo("bin/sh")
        info.type = tarfile.SYMTYPE
        info.linkname = "busybox"
        tf.addfile(info)
    repo, _, tag = BASE.partition(":")
    docker_api.import_image_from_data(buf.getvalue(), repository=repo, tag=tag,
                                      changes=[f"LABEL {LABEL}"])
    try:
        ctx = tmp_path_factory.mktemp("root")
        (ctx / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n")
        _build(docker_api, ctx, ROOT, f"FROM {BASE}\nLABEL {LABEL}\n"
               "COPY id_rsa /root/.ssh/id_rsa\nRUN chmod 4755 /bin/busybox\n")
        _build(docker_api, tmp_path_factory.mktemp("nonroot"), NONROOT,
               f"FROM {BASE}\nLABEL {LABEL}\nHEALTHCHECK CMD true\nUSER 1000\n")
        yield
    finally:
        for ref in (ROOT, NONROOT, BASE):
            with contextlib.suppress(Exception):
                docker_api.remove_image(ref, force=True)


def _stack(tmp: Path) -> Path:
    (tmp / "compose.yaml").write_text(
        f"services:\n  root:\n    image: {ROOT}\n  nonroot:\n    image: {NONROOT}\n")
    (tmp / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n"
        f"  containers:\n  - name: root\n    image: {ROOT}\n"
        f"  - name: nonroot\n    image: {NONROOT}\n"
        f"  - name: pinned\n    image: {ROOT}\n    securityContext: {{runAsUser: 1000}}\n")
    return tmp


RULES = {"CT015", "CT029", "KNS050", "K8S015"}


def _got(doc: dict[str, Any], rules: set[str]) -> set[tuple[Any, ...]]:
    return {(f["rule"], f["severity"], f["location"].get("path"), f["location"].get("line"),
             f["location"].get("container"))
            for f in doc["findings"] if f["rule"] in rules}


def test_engine_images_decide(images: None, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(_stack(tmp_path))
    _, before, _ = run_json(capsys, "scan", ".", "--fail-on", "never")
    assert _got(before, RULES) == {
        ("CT015", "low", "compose.yaml", 2, "root"), ("CT029", "low", "compose.yaml", 2, "root"),
        ("CT015", "low", "compose.yaml", 4, "nonroot"),
        ("CT029", "low", "compose.yaml", 4, "nonroot"),
        ("K8S015", "medium", "pod.yaml", 6, "root"),
        ("K8S015", "medium", "pod.yaml", 8, "nonroot"),
        ("K8S015", "medium", "pod.yaml", 10, "pinned"),
    }
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images")
    assert doc["errors"] == [] and not doc["skipped"]
    assert _got(doc, RULES) == {
        ("CT015", "high", "compose.yaml", 2, "root"), ("CT029", "low", "compose.yaml", 2, "root"),
        # the image runs as root: KNS050 reports, K8S015's tags with it
        ("KNS050", "high", "pod.yaml", 6, "root"),
        # a non-root image: PSS still asks for runAsNonRoot
        ("K8S015", "medium", "pod.yaml", 8, "nonroot"),
        # runAsUser decides, whatever the image says
        ("K8S015", "medium", "pod.yaml", 10, "pinned"),
    }
    kns050 = next(f for f in doc["findings"] if f["rule"] == "KNS050")
    assert kns050["references"] == ["cis-k8s-1.10:5.2.7", "pss:restricted:runAsNonRoot"]
    assert kns050["related_locations"][0]["image"]["ref"] == ROOT
    assert kns050["related_locations"][0]["image"]["digest"].startswith("sha256:")


def test_deep_attributes_image_findings(images: None, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text(f"services:\n  root:\n    image: {ROOT}\n")
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images=deep",
                         "--select", "CT015,CT029,IMG")
    assert doc["errors"] == []
    got = {(f["rule"], f["location"].get("path"), f["location"].get("container"),
            tuple((r.get("path"), r.get("line")) for r in f.get("related_locations", ())
                  if "image" not in r))
           for f in doc["findings"] if f["rule"] != "IMG018"}
    service = (("compose.yaml", 2),)
    assert got == {
        # IMG001/IMG002 (the image runs as root, has no health check) are the service's
        # problems: CT015/CT029 report them on the service, with the image's tags
        ("CT015", "compose.yaml", "root", ()),
        ("CT029", "compose.yaml", "root", ()),
        # what only the image has: in the image, attributed to the service
        ("IMG010", "/bin/busybox", "root", service),
        ("IMG011", "/root/.ssh/id_rsa", "root", service),
    }
    refs = {f["rule"]: f["references"] for f in doc["findings"]}
    assert refs["CT015"] == ["cis-docker-1.6:4.1", "dockle:CIS-DI-0001"]
    assert refs["CT029"] == ["cis-docker-1.6:5.27", "conformance", "cis-docker-1.6:4.6",
                              "dockle:CIS-DI-0006"]


def test_registry_image_deep(registry: Registry, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    digest, _ = push_image(registry, "layers-app", "1")
    monkeypatch.chdir(tmp_path)
    ref = f"{registry.host}/layers-app:1"
    (tmp_path / "compose.yaml").write_text(f"services:\n  app:\n    image: {ref}\n")
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images=deep",
                         "--insecure-registry", registry.host)
    assert doc["errors"] == [] and not doc["skipped"]
    ct015 = next(f for f in doc["findings"] if f["rule"] == "CT015")
    assert ct015["severity"] == "high"
    assert ct015["related_locations"][0]["image"] == {"ref": ref, "digest": digest}
    secrets = sorted(f["location"]["path"] for f in doc["findings"] if f["rule"] == "IMG011")
    assert secrets == ["/app/.env", "/home/u/.docker/config.json", "/home/u/.git-credentials",
                       "/old/.aws/credentials", "/root/.ssh/id_rsa"]
    assert {f["location"]["container"] for f in doc["findings"]
            if f["rule"].startswith("IMG")} == {"app"}


def test_a_stage_without_user_takes_its_base_images(
        images: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A service building a Dockerfile stage with no USER and no HEALTHCHECK: the stage's base
    image decides. FROM the non-root image: nothing for the service (DF001/DF018 still judge
    the Dockerfile alone); FROM the root one: the Dockerfile's DF001, the service related."""
    monkeypatch.chdir(tmp_path)
    for name, base in (("nonroot", NONROOT), ("root", ROOT)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(f"FROM {base}\nRUN true\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  nonroot:\n    build: ./nonroot\n  root:\n    build: ./root\n")
    rules = {"CT015", "CT029", "DF001", "DF018"}

    def got(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
        return {(f["rule"], f["location"]["path"], f["location"]["line"],
                 tuple((r.get("path"), r.get("line")) for r in f.get("related_locations", ())))
                for f in doc["findings"] if f["rule"] in rules}

    _, before, _ = run_json(capsys, "scan", ".", "--fail-on", "never")
    assert got(before) == {
        ("DF001", "nonroot/Dockerfile", 1, (("compose.yaml", 2),)),
        ("DF018", "nonroot/Dockerfile", 1, (("compose.yaml", 2),)),
        ("DF001", "root/Dockerfile", 1, (("compose.yaml", 4),)),
        ("DF018", "root/Dockerfile", 1, (("compose.yaml", 4),)),
    }
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images")
    assert doc["errors"] == [] and not doc["skipped"]
    assert got(doc) == {
        ("DF001", "nonroot/Dockerfile", 1, ()),
        ("DF018", "nonroot/Dockerfile", 1, ()),
        ("DF001", "root/Dockerfile", 1, (("compose.yaml", 4),)),
        ("DF018", "root/Dockerfile", 1, (("compose.yaml", 4),)),
    }


def test_the_engine_is_asked_first(images: None, docker_api: Any, registry: Registry,
                                   tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """One name, two images: the registry's runs as root, the engine's (what `docker compose
    up` would run without pulling) as 1000: the engine's decides."""
    push_image(registry, "layers-both", "1")
    ref = f"{registry.host}/layers-both:1"
    repo, _, tag = ref.rpartition(":")
    docker_api.tag(NONROOT, repo, tag)
    try:
        monkeypatch.chdir(tmp_path)
        (tmp_path / "compose.yaml").write_text(f"services:\n  app:\n    image: {ref}\n")
        _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images",
                             "--insecure-registry", registry.host)
        assert doc["errors"] == [] and not doc["skipped"]
        assert not [f for f in doc["findings"] if f["rule"] in ("CT015", "CT029")]
    finally:
        with contextlib.suppress(Exception):
            docker_api.remove_image(ref)
    # the engine no longer has it: the registry's image decides
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images",
                         "--insecure-registry", registry.host)
    [ct015] = [f for f in doc["findings"] if f["rule"] == "CT015"]
    assert ct015["severity"] == "high"


def test_deep_on_kubernetes(images: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Two containers of one pod run the root image: its findings once, both containers
    related; IMG001 is each container's KNS050."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n"
        f"  containers:\n  - name: a\n    image: {ROOT}\n  - name: b\n    image: {ROOT}\n")
    _, doc, _ = run_json(capsys, "scan", ".", "--fail-on", "never", "--resolve-images=deep",
                         "--select", "KNS050,IMG")
    assert doc["errors"] == []
    got = {(f["rule"], f["location"].get("path"), f["location"].get("object"),
            tuple((r.get("path"), r.get("line"), r.get("container"))
                  for r in f.get("related_locations", ()) if "image" not in r))
           for f in doc["findings"]}
    both = (("pod.yaml", 6, "a"), ("pod.yaml", 8, "b"))
    assert got == {
        ("KNS050", "pod.yaml", "Pod/x/p", ()),  # once per container (lines 6 and 8)
        ("IMG010", "/bin/busybox", None, both),
        ("IMG011", "/root/.ssh/id_rsa", None, both),
        # the image has no HEALTHCHECK: a fact of the image (Kubernetes ignores it; its
        # probes are the K8S rules' concern), not folded into a container finding
        ("IMG002", None, None, both),
    }
    assert sorted(f["location"]["line"] for f in doc["findings"] if f["rule"] == "KNS050") \
        == [6, 8]


def test_registry_credentials_as_verify_signatures_finds_them(
        auth_registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry that wants a login: without credentials a skip saying so, with the Docker
    client config ($DOCKER_CONFIG, as scan --verify-signatures reads it) the image decides."""
    push_image(auth_registry, "layers-private", "1")
    ref = f"{auth_registry.host}/layers-private:1"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compose.yaml").write_text(f"services:\n  app:\n    image: {ref}\n")
    args = ("scan", ".", "--fail-on", "never", "--resolve-images",
            "--insecure-registry", auth_registry.host)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    _, doc, _ = run_json(capsys, *args)
    assert doc["skipped"] == [{"rule": "resolve-images", "reason": (
        f"{ref} (compose.yaml:2): not in the Docker Engine; {auth_registry.host}: "
        "authentication required (basic) and no credentials for it in the Docker config; what "
        "its config would decide stays unknown")}]
    conf = tmp_path / "conf"
    conf.mkdir()
    docker_config(conf, auth_registry.host, "tester", "s3cret")
    monkeypatch.setenv("DOCKER_CONFIG", str(conf))
    _, doc, _ = run_json(capsys, *args)
    assert doc["errors"] == [] and doc["skipped"] == []
    [ct015] = [f for f in doc["findings"] if f["rule"] == "CT015"]
    assert ct015["severity"] == "high"
