"""The DaemonSet's audit container, as far as it can run here: hullcheck's image with the init
container's command, user, capabilities and read-only root filesystem from
deploy/kubernetes/fleet/daemonset.yaml, and its hostPath volumes taken from a node laid out as
kubeadm lays it out (tests/node). Its report equals the committed expectation of
``hullcheck node`` on that layout."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from live.dockertest import LABELS, RUN_ID, TEST_OWNER

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parents[3]
NODE_TESTS = ROOT / "tests" / "node"


@pytest.mark.skipif(os.geteuid() != 0, reason="the kubeadm layout's owners need root")
def test_daemonset_audit_container_on_a_kubeadm_node(docker_client: Any, own_image: str,
                                                     tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(NODE_TESTS))
    try:
        from test_node_audit import EXPECTED, essential, kubeadm_root
    finally:
        sys.path.remove(str(NODE_TESTS))
    node = kubeadm_root(tmp_path)
    ds = yaml.safe_load((ROOT / "deploy/kubernetes/fleet/daemonset.yaml").read_text())
    pod = ds["spec"]["template"]["spec"]
    audit = pod["initContainers"][0]
    host_paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"]}
    volumes = []
    for mount in audit["volumeMounts"]:
        source = node / host_paths[mount["name"]].lstrip("/")
        if not source.exists():
            source.mkdir(parents=True)  # DirectoryOrCreate
        volumes.append(f"{source}:{mount['mountPath']}:{'ro' if mount['readOnly'] else 'rw'}")
    security = audit["securityContext"]
    assert security["capabilities"]["drop"] == ["ALL"]
    container = docker_client.containers.run(
        own_image, audit["command"][1:], entrypoint=audit["command"][:1], detach=True,
        name=f"hullcheck-{TEST_OWNER}-{RUN_ID}-pod-{uuid.uuid4().hex[:6]}", labels=dict(LABELS),
        user=f"{security['runAsUser']}:{security['runAsGroup']}", cap_drop=["ALL"],
        read_only=security["readOnlyRootFilesystem"], pid_mode="host" if pod["hostPID"] else "",
        network_mode="none", security_opt=["no-new-privileges"], volumes=volumes)
    try:
        status = container.wait(timeout=300)
        out = container.logs(stdout=True, stderr=False).decode()
        err = container.logs(stdout=False, stderr=True).decode()
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
    assert (status["StatusCode"], err) == (0, "")
    assert essential(json.loads(out)) == json.loads(EXPECTED.read_text())
