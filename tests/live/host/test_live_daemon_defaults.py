"""Daemon-wide defaults reach the containers that leave them unset, on a real daemon of its own.

A second dockerd runs in a network namespace of its own (``unshare --net``: its bridge and
iptables rules stay there), on a socket, data root and exec root under a temporary directory,
with a config file setting ``no-new-privileges``, a seccomp profile, the default bind address
``ip`` and ``default-ulimits``. ``docker inspect`` shows none of them on a container (except the
ulimits, copied into ``HostConfig.Ulimits``); the audit must still judge with them. The daemon
and everything under the directory are removed at the end. Needs root, ``unshare`` and ``ip``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullcheck.config import Config
from hullcheck.findings import CheckResult
from hullcheck.hostaudit.audit import audit
from hullcheck.inputs.docker_host import HostOptions, collect
from hullcheck.rules.base import Context
from live.dockertest import LABELS, busybox_rootfs_tar, find_busybox, no_engine

pytestmark = pytest.mark.live

CONFIG = {
    "no-new-privileges": True,
    "ip": "127.0.0.1",
    "default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 2048}},
}


@pytest.fixture(scope="module")
def private_daemon() -> Iterator[tuple[str, Path]]:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip") \
            or not shutil.which("dockerd"):
        pytest.skip("a private dockerd needs root, unshare, ip and dockerd")
    root = Path(tempfile.mkdtemp(prefix="hc-dd-", dir="/tmp"))
    profile = root / "seccomp.json"
    profile.write_text(json.dumps({"defaultAction": "SCMP_ACT_ALLOW"}))
    config = root / "daemon.json"
    config.write_text(json.dumps({**CONFIG, "seccomp-profile": str(profile)}))
    sock = root / "d.sock"
    log = (root / "log").open("w")
    # ALWAYS in a network namespace of its own: a second dockerd in the host's namespace
    # fights the shared engine over docker0 and iptables (with "bridge": "none" it even
    # deletes docker0 at start-up).
    proc = subprocess.Popen(
        ["unshare", "--net", "sh", "-c",
         'ip link set lo up && exec dockerd -H "unix://$0" --data-root "$1/data" '
         '--exec-root "$1/exec" --pidfile "$1/d.pid" --config-file "$2"',
         str(sock), str(root), str(config)],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        import docker

        deadline = time.monotonic() + 60
        while True:
            try:
                docker.DockerClient(base_url=f"unix://{sock}", timeout=10).ping()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    no_engine("the private dockerd did not start: "
                              + (root / "log").read_text()[-500:])
                time.sleep(0.5)
        yield f"unix://{sock}", root
    finally:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
        if proc.poll() is None:
            proc.kill()
        log.close()
        mounted = any(str(root) in line for line in Path("/proc/mounts").read_text().splitlines())
        if not mounted:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def defaults_stack(private_daemon: tuple[str, Path]) -> Iterator[dict[str, Any]]:
    import docker

    url, _ = private_daemon
    client = docker.DockerClient(base_url=url, timeout=60)
    busybox = find_busybox()
    assert busybox is not None
    client.api.import_image_from_data(busybox_rootfs_tar(busybox), repository="hc-defaults",
                                      tag="1", changes=['CMD ["/bin/sh"]'])
    made = {}
    try:
        made["running"] = client.containers.create(
            "hc-defaults:1", ["sleep", "3600"], name="running", ports={"80/tcp": 18081},
            labels=LABELS)
        made["running"].start()
        made["created"] = client.containers.create(
            "hc-defaults:1", ["sleep", "3600"], name="created", ports={"80/tcp": 18082},
            labels=LABELS)
        made["own"] = client.containers.create(
            "hc-defaults:1", ["sleep", "3600"], name="own", labels=LABELS,
            security_opt=["no-new-privileges=false", "seccomp=unconfined"],
            ulimits=[docker.types.Ulimit(name="nproc", soft=64, hard=64)],
            ports={"80/tcp": ("0.0.0.0", 18083)})
        for c in made.values():
            c.reload()
        yield made
    finally:
        for c in made.values():
            with contextlib.suppress(Exception):
                c.remove(force=True)
        client.close()


def test_inspect_shows_no_defaults_but_the_audit_applies_them(
        private_daemon: tuple[str, Path], defaults_stack: dict[str, Any]) -> None:
    url, root = private_daemon
    running = defaults_stack["running"].attrs
    created = defaults_stack["created"].attrs
    # what the engine reports on the containers themselves
    assert running["HostConfig"]["SecurityOpt"] is None
    assert created["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "",
                                                                 "HostPort": "18082"}]}
    assert running["NetworkSettings"]["Ports"]["80/tcp"][0]["HostIp"] == "127.0.0.1"
    assert created["HostConfig"]["Ulimits"] == [{"Name": "nofile", "Hard": 2048, "Soft": 1024}]
    # ... and what the kernel says of the running one: no_new_privs and a seccomp filter
    status = Path(f"/proc/{running['State']['Pid']}/status").read_text()
    assert "NoNewPrivs:\t1" in status and "Seccomp:\t2" in status

    host = collect(HostOptions(docker_host=url, all_containers=True))
    assert host.engine_error is None
    assert host.daemon.daemon_json_path == str(root / "daemon.json")
    specs = {c.name: c.spec for c in host.containers}
    for name in ("running", "created"):
        assert specs[name].no_new_privileges is True, name
        assert specs[name].seccomp == str(root / "seccomp.json"), name
        assert [p.host_ip for p in specs[name].ports] == ["127.0.0.1"], name
    own = specs["own"]
    assert own.no_new_privileges is False and own.seccomp == "unconfined"
    assert [p.host_ip for p in own.ports] == ["0.0.0.0"]

    report = audit(host, Context(config=Config()))
    flagged: dict[str, set[str]] = {}
    for f in report.findings:
        for ref in f.references:
            flagged.setdefault(ref, set()).add(str(f.location.container))
    assert flagged["cis-docker-1.6:5.26"] == {"own"}
    assert flagged["cis-docker-1.6:5.22"] == {"own"}
    assert flagged["cis-docker-1.6:5.14"] == {"own"}
    got = {c.id.split(":", 1)[1]: c for c in report.checks}
    assert got["5.19"].result is CheckResult.MANUAL
    assert got["5.19"].evidence == "own: nproc=64:64\ndaemon default-ulimits: nofile=1024:2048"
    assert got["2.8"].evidence == "default-ulimits: nofile=1024:2048"
    assert got["2.14"].result is CheckResult.PASS
