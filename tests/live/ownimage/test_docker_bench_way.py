"""The Docker Bench way: ``docker run`` of hullcheck's image with read-only mounts of the host's
files, the Docker socket and the host's PID and network namespaces runs ``hullcheck host``
against the engine it runs on; its checks are compared with ``hullcheck host`` run on the host
(docs/host.md, "In a container").

Both runs audit one container and one image made for the test (``--container``, ``--image``):
the engine is shared, and other containers and images come and go between the two runs."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import run_json
from live.dockertest import LABELS, RUN_ID, TEST_OWNER

pytestmark = pytest.mark.live

# Host paths mounted read-only at the same place, where they exist (docs/host.md): the engine's
# and containerd's binaries and runtime directories (1.1.x, 3.23/3.24), /etc, the systemd units,
# /var/lib, and the socket.
MOUNTS = ("/etc", "/lib/systemd/system", "/usr/lib/systemd", "/var/lib", "/var/run/docker.sock",
          "/usr/bin/dockerd", "/usr/sbin/dockerd", "/usr/bin/containerd",
          "/usr/bin/containerd-shim", "/usr/bin/containerd-shim-runc-v1",
          "/usr/bin/containerd-shim-runc-v2", "/usr/bin/runc", "/usr/sbin/runc",
          "/run/containerd", "/run/docker/containerd")
# As a user without privileges (only the socket's group), containerd's root-only files cannot
# be read: these checks differ, and only these (docs/host.md).
NON_ROOT_DIFFERENCES = {"1.1.8", "3.23", "3.24"}


def volumes() -> list[str]:
    """``source:target:ro`` (a list: one host file may be mounted at two places, as
    ``/usr/sbin/runc`` is at ``/usr/bin/runc`` when that is a link to it)."""
    return [f"{Path(path).resolve()}:{path}:ro" for path in MOUNTS if os.path.lexists(path)]


def in_container(docker_client: Any, image: str, args: list[str], **kwargs: Any) -> dict[str, Any]:
    name = f"hullcheck-{TEST_OWNER}-{RUN_ID}-bench-{uuid.uuid4().hex[:6]}"
    container = docker_client.containers.run(
        image, args, name=name, detach=True, labels=dict(LABELS), pid_mode="host",
        network_mode="host", userns_mode="host", volumes=volumes(), **kwargs)
    try:
        status = container.wait(timeout=300)
        out = container.logs(stdout=True, stderr=False).decode()
        err = container.logs(stdout=False, stderr=True).decode()
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
    assert status["StatusCode"] in (0, 1), err
    return json.loads(out)


def checks(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["id"].split(":", 1)[1]: (c["result"], c["reason"]) for c in doc["checks"]}


def test_host_audit_in_a_container_equals_the_host_audit(
        docker_client: Any, own_image: str, busybox_image: str, make_container: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = make_container()
    scope = ["--container", target.name, "--image", busybox_image, "--fail-on", "never"]
    inside = in_container(docker_client, own_image, ["host", "--format", "json", *scope],
                          user="0")
    _code, outside, _err = run_json(capsys, "host", *scope)
    assert len(inside["checks"]) == 117
    assert checks(inside) == checks(outside)
    def found(doc: dict[str, Any]) -> set[tuple[str, str, str]]:
        return {(f["rule"], f["message"], json.dumps(f["location"], sort_keys=True))
                for f in doc["findings"]}

    assert found(inside) == found(outside)


def test_without_root_only_containerds_files_differ(
        docker_client: Any, own_image: str, busybox_image: str, make_container: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    target = make_container()
    scope = ["--container", target.name, "--image", busybox_image, "--fail-on", "never"]
    socket_group = os.stat("/var/run/docker.sock").st_gid
    inside = in_container(docker_client, own_image, ["host", "--format", "json", *scope],
                          group_add=[str(socket_group)])
    _code, outside, _err = run_json(capsys, "host", *scope)
    a, b = checks(inside), checks(outside)
    assert a.keys() == b.keys()
    assert {cid for cid in a if a[cid] != b[cid]} <= NON_ROOT_DIFFERENCES
