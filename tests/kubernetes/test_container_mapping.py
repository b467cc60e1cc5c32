"""Kubernetes containers become ContainerSpecs faithfully (container-level wins, lines kept)."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

import pytest

from hullcheck.inputs.k8s_container import container_spec, parse_quantity
from hullcheck.inputs.kubernetes import load_objects
from hullcheck.models.container import Platform
from hullcheck.models.pod import pod_of
from hullcheck.sources import Source

MANIFEST = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/web: localhost/web
            seccomp.security.alpha.kubernetes.io/pod: docker/default
        spec:
          hostNetwork: true
          hostPID: false
          hostUsers: false
          securityContext:
            runAsUser: 1000
            runAsGroup: 3000
            runAsNonRoot: true
            seccompProfile:
              type: RuntimeDefault
            seLinuxOptions:
              level: s0:c1
          volumes:
            - name: sock
              hostPath:
                path: /var/run/docker.sock
            - name: shm
              emptyDir:
                medium: Memory
            - name: data
              persistentVolumeClaim:
                claimName: data
                readOnly: true
          containers:
            - name: web
              image: nginx:1.27
              securityContext:
                runAsUser: 0
                privileged: true
                allowPrivilegeEscalation: false
                readOnlyRootFilesystem: true
                capabilities:
                  add: [CAP_net_admin, SYS_TIME]
                  drop: [all]
                seccompProfile:
                  type: Localhost
                  localhostProfile: web.json
              volumeMounts:
                - name: sock
                  mountPath: /var/run/docker.sock
                  readOnly: true
                - name: shm
                  mountPath: /dev/shm
                - name: data
                  mountPath: /data
                  mountPropagation: Bidirectional
              ports:
                - containerPort: 80
                  hostPort: 8080
                  hostIP: 127.0.0.1
                - containerPort: 53
                  protocol: UDP
              resources:
                limits:
                  memory: 128Mi
                  cpu: 500m
                requests:
                  memory: 1G
                  cpu: "0.25"
              env:
                - name: PLAIN
                  value: hello
                - name: SECRET
                  valueFrom:
                    secretKeyRef: {name: s, key: k}
              livenessProbe:
                httpGet: {path: /, port: 80}
            - name: sidecar
              image: sidecar:1
              securityContext:
                allowPrivilegeEscalation: true
    """)


@pytest.fixture()
def specs() -> dict[str, object]:
    src = Source(path="deploy.yaml", text=MANIFEST, explicit=True)
    errors: list = []
    objects = load_objects(src, "default", errors)
    assert not errors
    pod = pod_of(objects[0])
    assert pod is not None
    return {c.name: container_spec(pod, c) for c in pod.containers}


def test_identity_and_privileges(specs: dict) -> None:
    web = specs["web"]
    assert web.platform is Platform.KUBERNETES
    assert web.location.object == "Deployment/shop/web"
    assert web.location.container == "web"
    assert web.location.line == 36  # the container's name: line
    assert web.image == "nginx:1.27" and web.image_line == 37
    assert web.run_as_user == 0 and web.user == "0:3000"  # container wins over the pod
    assert web.field_lines["run_as_user"] == 39
    assert web.run_as_non_root is True and web.field_lines["run_as_non_root"] == 19
    assert web.user_namespace is True
    assert web.privileged is True and web.field_lines["privileged"] == 40
    assert web.no_new_privileges is True
    assert specs["sidecar"].no_new_privileges is False
    assert web.read_only_rootfs is True
    assert web.cap_add == ["NET_ADMIN", "SYS_TIME"] and web.cap_drop == ["ALL"]


def test_profiles(specs: dict) -> None:
    web, sidecar = specs["web"], specs["sidecar"]
    assert web.seccomp == "localhost/web.json"
    assert sidecar.seccomp == "runtime/default"  # the pod-level field
    assert sidecar.field_lines["seccomp"] == 20
    assert web.apparmor == "localhost/web"
    assert sidecar.apparmor is None
    assert web.selinux_options == {"level": "s0:c1"}
    assert not web.effective_seccomp_unconfined()


def test_namespaces_mounts_ports(specs: dict) -> None:
    web = specs["web"]
    assert web.host_network is True and web.host_pid is False and web.host_ipc is None
    mounts = {m.target: m for m in web.mounts}
    sock = mounts["/var/run/docker.sock"]
    assert (sock.type, sock.source, sock.read_only) == ("hostPath", "/var/run/docker.sock", True)
    assert mounts["/dev/shm"].type == "tmpfs"
    data = mounts["/data"]
    assert data.read_only is True and data.propagation == "rshared" and data.type == "volume"
    assert [(p.container_port, p.host_port, p.host_ip, p.protocol) for p in web.ports] == [
        ("80", "8080", "127.0.0.1", "tcp"), ("53", None, None, "udp")]


def test_resources_env_probes(specs: dict) -> None:
    web, sidecar = specs["web"], specs["sidecar"]
    assert web.memory_limit == 128 * 2**20 and web.cpu_limit == 0.5
    assert web.memory_request == 10**9 and web.cpu_request == 0.25
    assert [(e.name, e.value) for e in web.env] == [("PLAIN", "hello"), ("SECRET", None)]
    assert web.healthcheck is True and sidecar.healthcheck is None
    assert sidecar.memory_limit is None


@pytest.mark.parametrize(("text", "value"), [
    ("128Mi", Decimal(128 * 2**20)), ("1Gi", Decimal(2**30)), ("500m", Decimal("0.5")),
    ("0.5", Decimal("0.5")), ("1G", Decimal(10**9)), ("1e3", Decimal(1000)), (2, Decimal(2)),
    ("100k", Decimal(100000)), ("1.5Gi", Decimal(3 * 2**29)),
    ("lots", None), ("", None), (None, None), (True, None),
])
def test_quantities(text: object, value: Decimal | None) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("value", ["128Mi", "1G", "500m", "0.5", "1e3", "  2Ki ", "", "x",
                                   "1" * 65, 3, 0.25, True, None, [1]])
def test_quantities_parsed_once_are_the_same_numbers(value: Any) -> None:
    """Resource quantities are remembered once parsed (a bounded table of short strings);
    what a container gets is what parsing it afresh gives, for any value a file may hold."""
    from hullcheck.inputs import k8s_container as kc

    fresh = kc.parse_quantity(value)
    expected_bytes = int(fresh.to_integral_value(rounding="ROUND_CEILING")) \
        if fresh is not None else None
    for _ in range(2):  # the second time from the table
        assert kc._bytes(value) == expected_bytes
        assert kc._cpus(value) == (float(fresh) if fresh is not None else None)
    assert kc._bytes_of_text.cache_info().maxsize == kc.MAX_QUANTITIES
    if isinstance(value, str) and len(value) > kc.MAX_QUANTITY_TEXT:
        kc._bytes_of_text.cache_clear()
        kc._bytes(value)
        assert kc._bytes_of_text.cache_info().currsize == 0  # too long to be remembered
