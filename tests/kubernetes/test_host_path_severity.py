"""K8S005 and K8S013 rate hostPath volumes by path and read-only-ness (issue 24): a read-only
CA bundle or an app's content directory is not a high finding; node access is."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_json


def _pod(name: str, path: str, read_only: bool, mounted: bool = True) -> str:
    ro = str(read_only).lower()
    mounts = (f"    volumeMounts: [{{name: v, mountPath: /m, readOnly: {ro}}}]\n"
              if mounted else "")
    return (f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n"
            f"  - name: c\n    image: c:1\n{mounts}"
            f"  volumes:\n  - name: v\n    hostPath: {{path: {path}}}\n---\n")


PODS = [
    ("ca-bundle", "/etc/ssl/certs", True, True),
    ("site", "/srv/www", True, True),
    ("modules-ro", "/lib/modules", True, True),
    ("unmounted", "/var/run/docker.sock", False, False),
    ("data-rw", "/srv/data", False, True),
    ("log-rw", "/var/log", False, True),
    ("etc-ro", "/etc", True, True),
    ("socket-ro", "/var/run/docker.sock", True, True),
]


@pytest.mark.parametrize(("level", "rule", "floor"),
                         [("baseline", "K8S005", "low"), ("restricted", "K8S013", "medium")])
def test_rated_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       level: str, rule: str, floor: str) -> None:
    (tmp_path / "pods.yaml").write_text("".join(_pod(*p) for p in PODS))
    _, doc, _ = run_json(capsys, "scan", str(tmp_path / "pods.yaml"), "--pss-level", level,
                         "--select", rule, "--fail-on", "never")
    got = {f["location"]["object"].split("/")[-1]: f["severity"] for f in doc["findings"]}
    assert got == {
        "ca-bundle": floor, "site": floor, "modules-ro": floor, "unmounted": floor,
        "data-rw": "medium", "log-rw": "high", "etc-ro": "high", "socket-ro": "high",
    }
