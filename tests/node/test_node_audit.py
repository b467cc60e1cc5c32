"""``hullcheck node`` on real files with real owners and modes: a temporary root laid out as
kubeadm lays out a worker node (results equal a committed expectation), variants of it, fake
kubelet and kube-proxy processes, and this machine's own root (not a node: all not applicable)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli, run_json

DATA = Path(__file__).resolve().parent / "data"
EXPECTED = DATA / "kubeadm-expected.json"

# Owner and mode of each file as kubeadm (v1.30) and the pkgs.k8s.io kubelet package leave them.
KUBEADM_MODES: dict[str, tuple[int, int, int]] = {
    "usr/lib/systemd/system/kubelet.service": (0, 0, 0o644),
    "usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf": (0, 0, 0o644),
    "var/lib/kubelet/kubeadm-flags.env": (0, 0, 0o644),
    "var/lib/kubelet/config.yaml": (0, 0, 0o644),
    "etc/kubernetes/kubelet.conf": (0, 0, 0o600),
    "etc/kubernetes/pki/ca.crt": (0, 0, 0o644),
    "etc/passwd": (0, 0, 0o644),
    "etc/group": (0, 0, 0o644),
}

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root (CI runs as root)")


def kubeadm_root(tmp_path: Path) -> Path:
    root = tmp_path / "node"
    shutil.copytree(DATA / "kubeadm-root", root)
    (root / "etc/kubernetes/manifests/.keep").unlink()
    for path, (uid, gid, mode) in KUBEADM_MODES.items():
        os.chown(root / path, uid, gid)
        os.chmod(root / path, mode)
    return root


def empty_proc(tmp_path: Path) -> Path:
    proc = tmp_path / "proc"
    proc.mkdir(exist_ok=True)
    return proc


def essential(doc: dict[str, Any]) -> dict[str, Any]:
    """What the expectation pins: every check, every finding without its fingerprint."""
    findings = [{k: v for k, v in f.items() if k not in ("fingerprint",)} for f in doc["findings"]]
    return {"checks": doc["checks"], "findings": findings, "score": doc["summary"]["score"]}


@needs_root
def test_kubeadm_node_matches_expectation(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    root = kubeadm_root(tmp_path)
    code, doc, err = run_json(capsys, "node", "--root", str(root), "--proc",
                              str(empty_proc(tmp_path)), "--fail-on", "never")
    assert (code, err) == (0, "")
    got = essential(doc)
    if os.environ.get("HULLCHECK_UPDATE_SNAPSHOTS"):
        EXPECTED.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert got == json.loads(EXPECTED.read_text())
    results = {c["id"].split(":")[1]: c["result"] for c in doc["checks"]}
    assert len(results) == 24
    # kubeadm leaves the unit, its config file and the CA readable by all (as kube-bench reports)
    assert [k for k, v in results.items() if v == "fail"] == [
        "4.1.1", "4.1.7", "4.1.9", "4.2.9", "4.2.12", "4.2.13"]
    assert [k for k, v in results.items() if v == "not-applicable"] == ["4.1.3", "4.1.4", "4.3.1"]
    # `streamingConnectionIdleTimeout: 0s` in kubeadm's file means the kubelet's 4h default
    assert results["4.2.5"] == "pass"


@needs_root
def test_wrong_owner_and_open_kubeconfig(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    root = kubeadm_root(tmp_path)
    os.chown(root / "etc/kubernetes/kubelet.conf", 1000, 1000)
    os.chmod(root / "etc/kubernetes/kubelet.conf", 0o640)
    code, doc, _ = run_json(capsys, "node", "--root", str(root), "--proc",
                            str(empty_proc(tmp_path)), "--select", "NODE001")
    assert code == 0  # medium findings, threshold high
    mine = sorted((f["references"], f["message"]) for f in doc["findings"]
                  if f["location"]["path"] == "/etc/kubernetes/kubelet.conf")
    assert mine == [
        (["cis-k8s-1.10:4.1.5"], "kubelet kubeconfig /etc/kubernetes/kubelet.conf has mode 640, "
                                 "more open than 600"),
        (["cis-k8s-1.10:4.1.6"], "kubelet kubeconfig /etc/kubernetes/kubelet.conf is owned by "
                                 "1000:1000, expected root:root"),
    ]
    # --select NODE001: the 4.2/4.3 checks only NODE002/NODE003 carry are not listed
    assert {c["id"].split(":")[1].rsplit(".", 1)[0] for c in doc["checks"]} == {"4.1"}


@needs_root
def test_flags_in_etc_default_override_the_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = kubeadm_root(tmp_path)
    (root / "etc/default").mkdir()
    (root / "etc/default/kubelet").write_text(
        'KUBELET_EXTRA_ARGS="--anonymous-auth --read-only-port=10255 '
        '--hostname-override=node-a"\n')
    code, doc, _ = run_json(capsys, "node", "--root", str(root), "--proc",
                            str(empty_proc(tmp_path)), "--select", "NODE002")
    assert code == 1
    by_check = {f["references"][0].split(":")[1]: f for f in doc["findings"]}
    assert by_check["4.2.1"]["severity"] == "high"
    assert by_check["4.2.1"]["message"] == (
        "kubelet: authentication.anonymous.enabled is true: the kubelet API serves anonymous "
        "requests. (from --anonymous-auth on the systemd units (no kubelet process runs))")
    assert by_check["4.2.4"]["location"] == {"setting": "kubelet readOnlyPort"}
    assert by_check["4.2.7"]["rule"] == "NODE002"
    assert by_check["4.2.7"]["severity"] == "low"


def fake_process(proc: Path, pid: int, args: list[str], root: Path | None = None) -> None:
    entry = proc / str(pid)
    entry.mkdir(parents=True)
    name = os.path.basename(args[0])
    (entry / "comm").write_text(name + "\n")
    (entry / "cmdline").write_bytes(b"\0".join(a.encode() for a in args) + b"\0")
    if root is not None:
        (entry / "root").symlink_to(root)


@needs_root
def test_running_kubelet_and_kube_proxy_in_a_pod(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The process's flags win over the units; kube-proxy's config is read through
    /proc/<pid>/root, as kubeadm runs it (a ConfigMap in a pod)."""
    root = kubeadm_root(tmp_path)
    proc = empty_proc(tmp_path)
    fake_process(proc, 700, ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml",
                             "--kubeconfig", "/etc/kubernetes/kubelet.conf",
                             "--authorization-mode=AlwaysAllow"])
    pod = tmp_path / "proxy-pod"
    (pod / "var/lib/kube-proxy").mkdir(parents=True)
    (pod / "var/lib/kube-proxy/config.conf").write_text(
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
        "clientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\n"
        "metricsBindAddress: 0.0.0.0:10249\n")
    (pod / "var/lib/kube-proxy/kubeconfig.conf").write_text("apiVersion: v1\nkind: Config\n")
    os.chmod(pod / "var/lib/kube-proxy/kubeconfig.conf", 0o644)
    fake_process(proc, 900, ["/usr/local/bin/kube-proxy",
                             "--config=/var/lib/kube-proxy/config.conf",
                             "--hostname-override=$(NODE_NAME)"], root=pod)
    code, doc, err = run_json(capsys, "node", "--root", str(root), "--proc", str(proc))
    assert err == ""
    assert code == 1  # AlwaysAllow is critical
    results = {c["id"].split(":")[1]: c for c in doc["checks"]}
    assert results["4.2.2"]["result"] == "fail"
    assert "(from --authorization-mode on the kubelet process (pid 700))" in \
        results["4.2.2"]["evidence"]
    assert results["4.3.1"]["result"] == "fail"
    assert results["4.3.1"]["evidence"] == (
        "kube-proxy serves metrics on 0.0.0.0:10249 (metricsBindAddress in "
        "/var/lib/kube-proxy/config.conf)")
    assert results["4.1.3"]["result"] == "fail"  # the ConfigMap's file, 644
    assert results["4.1.4"]["result"] == "pass"
    # kube-proxy's --hostname-override is not the kubelet's (4.2.7)
    assert results["4.2.7"]["result"] == "pass"


def test_this_machine_is_not_a_node(capsys: pytest.CaptureFixture[str]) -> None:
    """This machine's own root: no kubelet, no kube-proxy; every check not applicable."""
    if Path("/var/lib/kubelet").exists() or Path("/etc/kubernetes").exists():
        pytest.skip("this machine is a Kubernetes node")
    code, doc, err = run_json(capsys, "node")
    assert (code, err) == (0, "")
    assert len(doc["checks"]) == 24
    assert {c["result"] for c in doc["checks"]} == {"not-applicable"}
    assert doc["findings"] == []


def test_bad_root_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(capsys, "node", "--root", str(tmp_path / "nope"))
    assert code == 2
    assert err.strip().splitlines()[-1].endswith(f"--root {tmp_path / 'nope'}: not a directory")


@needs_root
def test_unreadable_config_is_an_error_not_a_pass(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = kubeadm_root(tmp_path)
    (root / "var/lib/kubelet/config.yaml").write_text("authentication: [unclosed\n")
    code, doc, err = run_json(capsys, "node", "--root", str(root), "--proc",
                              str(empty_proc(tmp_path)))
    assert code == 2
    assert "/var/lib/kubelet/config.yaml" in err
    assert {c["result"] for c in doc["checks"] if ":4.2." in c["id"]} == {"error"}


def test_selector_names_know_node_checks() -> None:
    from hullcheck.cli import catalogue, selector_names

    names = selector_names(catalogue())
    assert names.unknown(["cis-k8s-1.10:4.1", "cis-k8s-1.10:4.3.1", "NODE"]) == []
    assert ROOT.exists()


@needs_root
def test_bounds_on_node_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A kubelet config over MAX_NODE_FILE_BYTES (1 MiB) is an error, not read; a FIFO where
    the config should be is refused without blocking."""
    from hullcheck.inputs import node as node_input

    assert node_input.MAX_NODE_FILE_BYTES == 1 << 20
    root = kubeadm_root(tmp_path)
    config = root / "var/lib/kubelet/config.yaml"
    config.write_text("kind: KubeletConfiguration\n" + "#" * (1 << 20) + "\n")
    code, _doc, err = run_json(capsys, "node", "--root", str(root), "--proc",
                               str(empty_proc(tmp_path)))
    assert code == 2
    assert "file too large" in err and "limit is 1048576" in err
    config.unlink()
    os.mkfifo(config)
    code, _doc, err = run_json(capsys, "node", "--root", str(root), "--proc",
                               str(empty_proc(tmp_path)))
    assert code == 2
    assert "/var/lib/kubelet/config.yaml: not a regular file" in err


def test_proc_entries_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At most MAX_PROC_ENTRIES entries of /proc are looked at."""
    from hullcheck.inputs import node as node_input

    proc = tmp_path / "proc"
    for pid in (10, 11, 12):
        fake_process(proc, pid, ["/usr/bin/kubelet"])
    assert len(node_input.find_processes(proc, ("kubelet",))) == 3
    monkeypatch.setattr(node_input, "MAX_PROC_ENTRIES", 2)
    assert len(node_input.find_processes(proc, ("kubelet",))) == 2


def test_unit_command_line_expands_like_systemd(tmp_path: Path) -> None:
    from hullcheck.inputs.host_system import HostFS
    from hullcheck.inputs.node import kubelet_units, unit_command_line

    root = tmp_path / "node"
    shutil.copytree(DATA / "kubeadm-root", root)
    fs = HostFS(root)
    units = kubelet_units(fs)
    assert units == ["/usr/lib/systemd/system/kubelet.service",
                     "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"]
    assert unit_command_line(fs, units) == [
        "/usr/bin/kubelet", "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
        "--kubeconfig=/etc/kubernetes/kubelet.conf", "--config=/var/lib/kubelet/config.yaml",
        "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
        "--pod-infra-container-image=registry.k8s.io/pause:3.9"]


def test_merged_usr_lists_each_unit_once(tmp_path: Path) -> None:
    """/lib -> usr/lib (a merged /usr): the kubelet's unit is one file, judged once."""
    from hullcheck.inputs.host_system import HostFS
    from hullcheck.inputs.node import kubelet_units

    root = tmp_path / "node"
    shutil.copytree(DATA / "kubeadm-root", root)
    (root / "lib").symlink_to("usr/lib")
    assert kubelet_units(HostFS(root)) == [
        "/lib/systemd/system/kubelet.service",
        "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf"]


@needs_root
def test_links_resolve_inside_the_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    """An absolute link on the node (/etc/kubernetes/kubelet.conf -> /srv/kubelet.conf) is
    followed under --root, not in the audit's own filesystem; a link loop stops after
    MAX_LINK_HOPS (40) and the file is then absent."""
    from hullcheck.inputs.node import MAX_LINK_HOPS, RootedFS

    assert MAX_LINK_HOPS == 40
    root = kubeadm_root(tmp_path)
    (root / "srv").mkdir()
    conf = root / "etc/kubernetes/kubelet.conf"
    conf.rename(root / "srv/kubelet.conf")
    os.chmod(root / "srv/kubelet.conf", 0o640)
    conf.symlink_to("/srv/kubelet.conf")
    fs = RootedFS(root)
    assert fs.real("/etc/kubernetes/kubelet.conf") == root / "srv/kubelet.conf"
    assert fs.real("/etc/../../../srv/kubelet.conf") == root / "srv/kubelet.conf"
    code, doc, _ = run_json(capsys, "node", "--root", str(root), "--proc",
                            str(empty_proc(tmp_path)), "--select", "NODE001")
    assert code == 0
    results = {c["id"].split(":")[1]: c for c in doc["checks"]}
    assert results["4.1.5"]["result"] == "fail"
    assert "mode 640" in results["4.1.5"]["evidence"]
    (root / "loop").symlink_to("/loop")
    assert not fs.stat("/loop/x").exists
