"""The reason KNS030 gives for a hostPath names a runtime socket as such."""

from __future__ import annotations

import pytest

from hullcheck.rules.cluster.node_access import sensitive_host_path


@pytest.mark.parametrize("path", ["/var/run/docker.sock", "/run/containerd/containerd.sock",
                                  "/var/run/crio/crio.sock"])
def test_runtime_socket_named(path: str) -> None:
    assert sensitive_host_path(path) == f"{path}, a container runtime socket"


@pytest.mark.parametrize(("path", "why"), [
    ("/var/log", "/var/log"),
    ("/var", "/var, which holds /var/run"),
    ("/var/lib/kubelet/pki", "/var/lib/kubelet/pki, inside /var/lib/kubelet"),
    ("/srv/data", None),
])
def test_other_paths(path: str, why: str | None) -> None:
    assert sensitive_host_path(path) == why
