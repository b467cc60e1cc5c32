"""Reading this machine: /proc, daemon.json, sockets, audit rules, groups (on a fake root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hullcheck.inputs.docker_host import HostOptions, collect
from hullcheck.inputs.host_system import (
    HostFS,
    containerd_sockets,
    find_dockerd,
    parse_dockerd_args,
    read_audit_rules,
    read_daemon_config,
)


def write(root: Path, path: str, text: str = "", mode: int = 0o644) -> Path:
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    p.chmod(mode)
    return p


def fake_process(root: Path, pid: int, comm: str, args: list[str]) -> None:
    d = root / "proc" / str(pid)
    d.mkdir(parents=True)
    (d / "comm").write_text(comm + "\n")
    (d / "cmdline").write_bytes(b"\0".join(a.encode() for a in args) + b"\0")


def test_parse_dockerd_args() -> None:
    args = [
        "/usr/bin/dockerd", "-H", "fd://", "--host=tcp://0.0.0.0:2375", "--icc=false",
        "--live-restore", "--log-level", "debug", "--insecure-registry", "r:5000",
        "--insecure-registry=q:5000", "--containerd=/run/containerd/containerd.sock",
        "--tlsverify", "--storage-opt", "dm.basesize=20G", "--unknown=1",
    ]
    got = parse_dockerd_args(args)
    assert got["hosts"] == ["fd://", "tcp://0.0.0.0:2375"]
    assert got["icc"] is False and got["live-restore"] is True and got["tlsverify"] is True
    assert got["log-level"] == "debug"
    assert got["insecure-registries"] == ["r:5000", "q:5000"]
    assert got["containerd"] == "/run/containerd/containerd.sock"
    assert got["storage-opts"] == ["dm.basesize=20G"]
    assert got["unknown"] == "1"


def test_daemon_config_merges_file_and_command_line(tmp_path: Path) -> None:
    write(tmp_path, "/etc/docker/custom.json", '{"icc": true, "log-level": "warn",'
          ' "insecure-registries": ["a:1"]}')
    fake_process(tmp_path, 10, "dockerd", ["dockerd", "--config-file", "/etc/docker/custom.json",
                                            "--insecure-registry", "b:2", "--icc=false"])
    fs = HostFS(tmp_path)
    cfg = read_daemon_config(fs, find_dockerd(fs, None))
    assert cfg.daemon_json_path == "/etc/docker/custom.json"
    assert cfg.get("log-level") == "warn"
    assert cfg.source("log-level") == "/etc/docker/custom.json"
    assert cfg.get("icc") is False and cfg.source("icc") == "dockerd command line"
    assert cfg.get("insecure-registries") == ["a:1", "b:2"]


def test_invalid_daemon_json_is_one_clear_error(tmp_path: Path) -> None:
    write(tmp_path, "/etc/docker/daemon.json", "{nope")
    cfg = read_daemon_config(HostFS(tmp_path), None)
    assert cfg.daemon_json_error and cfg.daemon_json_error.startswith("/etc/docker/daemon.json")


def test_containerd_socket_of_dockerd_managed_containerd(tmp_path: Path) -> None:
    write(tmp_path, "/var/run/docker/containerd/containerd.toml",
          '[grpc]\n  address = "/var/run/docker/containerd/containerd.sock"\n')
    fake_process(tmp_path, 20, "containerd", [
        "containerd", "--config", "/var/run/docker/containerd/containerd.toml"])
    fs = HostFS(tmp_path)
    cfg = read_daemon_config(fs, None)
    assert containerd_sockets(fs, cfg) == ["/var/run/docker/containerd/containerd.sock"]


def test_containerd_socket_from_dockerd_flag_wins(tmp_path: Path) -> None:
    fake_process(tmp_path, 10, "dockerd", ["dockerd", "--containerd=/run/x/c.sock"])
    fs = HostFS(tmp_path)
    cfg = read_daemon_config(fs, find_dockerd(fs, None))
    assert containerd_sockets(fs, cfg) == ["/run/x/c.sock"]


def test_audit_rules_from_files(tmp_path: Path) -> None:
    write(tmp_path, "/etc/audit/rules.d/docker.rules",
          "-w /usr/bin/dockerd -k docker\n-a always,exit -F path=/usr/bin/runc -k docker\n")
    rules = read_audit_rules(HostFS(tmp_path))
    assert rules.available and rules.source == "/etc/audit/rules.d/docker.rules"
    assert rules.watches("/usr/bin/dockerd") and rules.watches("/usr/bin/runc")
    assert not rules.watches("/etc/docker")
    assert not read_audit_rules(HostFS(tmp_path / "empty")).available


def test_group_members_explicit_and_primary(tmp_path: Path) -> None:
    write(tmp_path, "/etc/group", "root:x:0:\ndocker:x:998:alice,bob\n")
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/sh\ncarol:x:1003:998::/h:/bin/sh\n")
    fs = HostFS(tmp_path)
    assert fs.group_members("docker") == ["alice", "bob", "carol"]
    assert fs.group_members("nope") is None


def test_listening_sockets(tmp_path: Path) -> None:
    write(tmp_path, "/proc/net/tcp",
          "  sl  local_address rem_address   st\n"
          "   0: 00000000:0016 00000000:0000 0A 0\n"
          "   1: 0100007F:0CEA 00000000:0000 0A 0\n"
          "   2: 0100007F:1F90 0100007F:1234 01 0\n")
    assert HostFS(tmp_path).listening_tcp() == [("0.0.0.0", 22), ("127.0.0.1", 3306)]


def test_collect_without_engine_still_reads_files(tmp_path: Path) -> None:
    """Engine down: engine_error set, host files still judged."""
    write(tmp_path, "/etc/docker/daemon.json", '{"icc": false}', 0o666)
    sock = tmp_path / "nothing-here.sock"
    host = collect(HostOptions(docker_host=f"unix://{sock}"), fs=HostFS(tmp_path))
    assert host.engine_error and "no Docker socket" in host.engine_error
    assert host.files["daemon.json"].mode == 0o666
    assert host.daemon.get("icc") is False


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_stat_reports_owner_and_mode(tmp_path: Path) -> None:
    p = write(tmp_path, "/etc/docker/daemon.json", "{}", 0o640)
    os.chown(p, 1234, 1234)
    info = HostFS(tmp_path).stat("/etc/docker/daemon.json")
    assert (info.uid, info.gid, info.mode, info.exists) == (1234, 1234, 0o640, True)
    assert not HostFS(tmp_path).stat("/nope").exists


def test_rootless_docker_paths_from_docker_host(tmp_path: Path) -> None:
    """DOCKER_HOST=unix:///run/user/1000/docker.sock: the user's daemon.json, units and owner."""
    write(tmp_path, "/etc/passwd",
          "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n")
    write(tmp_path, "/home/alice/.config/docker/daemon.json", '{"log-level": "debug"}')
    write(tmp_path, "/home/alice/.config/systemd/user/docker.service", "[Service]\n")
    host = collect(HostOptions(docker_host="unix:///run/user/1000/docker.sock"),
                   fs=HostFS(tmp_path))
    assert host.engine_error
    assert host.daemon.daemon_json_path == "/home/alice/.config/docker/daemon.json"
    assert host.daemon.get("log-level") == "debug"
    assert host.files["docker.service"].path == "/home/alice/.config/systemd/user/docker.service"
    assert host.owner_uid == 1000
    assert host.files["docker.sock"].path == "/run/user/1000/docker.sock"


def test_host_files_are_read_bounded_and_never_block(tmp_path: Path) -> None:
    """A FIFO where daemon.json is expected would hang the audit; a huge file would be read
    whole. Both read as 'cannot be read' (None), ordinary files as before."""
    from hullcheck.inputs.host_system import MAX_HOST_FILE_BYTES, HostFS

    etc = tmp_path / "etc" / "docker"
    etc.mkdir(parents=True)
    os.mkfifo(etc / "daemon.json")
    (etc / "big").write_bytes(b"x" * (MAX_HOST_FILE_BYTES + 1))
    (etc / "edge").write_bytes(b"y" * MAX_HOST_FILE_BYTES)
    (etc / "ok.json").write_text('{"icc": false}')
    fs = HostFS(tmp_path)
    assert fs.read_text("/etc/docker/daemon.json") is None
    assert fs.read_text("/etc/docker/big") is None
    assert fs.read_text("/etc/docker/edge") == "y" * MAX_HOST_FILE_BYTES
    assert fs.read_text("/etc/docker/ok.json") == '{"icc": false}'
    assert fs.read_text("/etc/docker/missing") is None
    assert HostFS("/").read_text("/proc/self/status")  # /proc reports size 0: still read
