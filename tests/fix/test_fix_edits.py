"""``hullcheck fix``: exact edits on real files, what is never touched, and how it reports.

Every test runs the real command (``hullcheck.cli.main``) on files in a temporary directory and
compares the file's bytes after the fix with the exact text expected.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conftest import run_cli

K8S_CRLF = (
    "# the web tier\r\n"
    "apiVersion: apps/v1\r\n"
    "kind: Deployment\r\n"
    "metadata:\r\n"
    "  name: web   # keep this comment\r\n"
    "  namespace: shop\r\n"
    "spec:\r\n"
    "  selector: {matchLabels: {app: web}}\r\n"
    "  template:\r\n"
    "    metadata: {labels: {app: web}}\r\n"
    "    spec:\r\n"
    "      containers:\r\n"
    "        - name: web\r\n"
    "          image: 'registry.example.com/web:1.2'\r\n"
    "          securityContext:\r\n"
    "            allowPrivilegeEscalation: true  # was needed once\r\n"
    "\r\n"
    "        # the sidecar ships logs\r\n"
    "        - name: logs\r\n"
    '          image: "registry.example.com/logs:3"\r\n'
    "---\r\n"
    "apiVersion: v1\r\n"
    "kind: Service\r\n"
    "metadata: {name: web, namespace: shop}\r\n"
    "spec:\r\n"
    "  ports: [{port: 80}]\r\n"
)


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


def test_kubernetes_safe_fixes_keep_crlf_comments_quotes_and_other_documents(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "web.yaml", K8S_CRLF)
    code, out, err = run_cli(capsys, "fix", "--fail-on", "never", str(f))
    assert (code, err) == (0, "")
    # A comment keeps its column where the new value leaves room; the Service stays as written.
    assert f.read_bytes().decode() == (
        K8S_CRLF
        .replace("allowPrivilegeEscalation: true  # was needed once\r\n",
                 "allowPrivilegeEscalation: false # was needed once\r\n"
                 "            seccompProfile:\r\n"
                 "              type: RuntimeDefault\r\n")
        .replace('          image: "registry.example.com/logs:3"\r\n',
                 '          image: "registry.example.com/logs:3"\r\n'
                 "          securityContext:\r\n"
                 "            allowPrivilegeEscalation: false\r\n"
                 "            seccompProfile:\r\n"
                 "              type: RuntimeDefault\r\n"))
    p = str(f)
    lines = out.splitlines()
    assert [ln for ln in lines if ": fixed: " in ln] == [
        f"{p}:13: K8S017: fixed: set securityContext.seccompProfile.type: RuntimeDefault where it"
        " is unset or invalid",
        f"{p}:16: K8S014: fixed: set the container's securityContext.allowPrivilegeEscalation:"
        " false",
        f"{p}:19: K8S014: fixed: set the container's securityContext.allowPrivilegeEscalation:"
        " false",
        f"{p}:19: K8S017: fixed: set securityContext.seccompProfile.type: RuntimeDefault where it"
        " is unset or invalid",
    ]
    assert sorted(ln.split(": ", 2)[1] for ln in lines if "unsafe fix not applied" in ln) == [
        "CT016", "CT016", "K8S015", "K8S015", "K8S018", "K8S018", "KNS005"]
    assert lines[-1].startswith("4 finding(s) fixed in 1 file(s); ")
    assert "(7 with an unsafe fix: --unsafe-fixes)" in lines[-1]


def test_unsafe_fixes_apply_with_the_flag_and_say_what_to_verify(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
              "  containers:\n  - name: app\n    image: app:1\n")
    code, out, _ = run_cli(capsys, "fix", "--unsafe-fixes", "--fail-on", "never", str(f))
    assert code == 0
    assert f.read_text() == (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n"
        "    image: app:1\n    securityContext:\n      readOnlyRootFilesystem: true\n"
        "      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
        "      seccompProfile:\n        type: RuntimeDefault\n      capabilities:\n"
        "        drop: [ALL]\n")
    assert (f"{f}:7: K8S015:   verify: the image's USER is a numeric non-zero uid, or set "
            "runAsUser: the kubelet refuses to start a container it cannot prove non-root") in out
    assert f"{f}:7: K8S018:   verify: the process needs no capability" in out
    # The file now passes every rule fix touched, and a second fix changes nothing.
    code, out, err = run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--fail-on", "never",
                             str(f))
    assert (code, out) == (0, "")
    assert err.endswith("0 finding(s) would be fixed in 0 file(s); 5 left (hullcheck scan lists "
                        "them)\n")
    assert "KNS005: not fixed: a new file is written only into a directory named" in err


COMPOSE = """\
x-base: &base
  restart: unless-stopped   # shared by every service
  security_opt: ['label:disable']

services:
  web:
    <<: *base
    image: "nginx:1.27"
    ports:
      - "8080:80"   # the site
      - '0.0.0.0:8443:443'
      - target: 9000
        published: 9000
      - 9229
    security_opt:
      - no-new-privileges:false

  # the worker has no ports
  worker:
    <<: *base
    image: worker:2
"""


def test_compose_fixes_keep_anchors_quotes_comments(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "compose.yaml", COMPOSE)
    code, out, err = run_cli(capsys, "fix", "--unsafe-fixes", "--fail-on", "never", str(f))
    assert code == 0, err
    # The worker's security_opt comes from the anchor (through <<): its fix would change every
    # service merging it, so it is refused; the anchor stays as it was.
    assert f.read_text() == """\
x-base: &base
  restart: unless-stopped   # shared by every service
  security_opt: ['label:disable']

services:
  web:
    <<: *base
    image: "nginx:1.27"
    ports:
      - "127.0.0.1:8080:80" # the site
      - '127.0.0.1:8443:443'
      - target: 9000
        published: 9000
        host_ip: 127.0.0.1
      - 127.0.0.1::9229
    security_opt:
      - no-new-privileges:true
    cap_drop: [ALL]
    read_only: true

  # the worker has no ports
  worker:
    <<: *base
    image: worker:2
    cap_drop: [ALL]
    read_only: true
"""
    assert (f"{f}:3: CT014: not fixed: services.worker.security_opt is shared through a YAML "
            "anchor or merge key; fix it by hand") in out
    code, out, _ = run_cli(capsys, "fix", "--diff", "--unsafe-fixes", "--fail-on", "never",
                           str(f))
    assert (code, out) == (0, "")


def test_diff_prints_a_unified_diff_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "compose.yaml", "services:\n  app:\n    image: app:1\n")
    before = os.stat(f)
    code, out, err = run_cli(capsys, "fix", "--diff", "--fail-on", "never", str(f))
    assert code == 1  # a pending change fails a --diff check (ruff's convention)
    assert out == (f"--- a/{f}\n+++ b/{f}\n@@ -1,3 +1,4 @@\n services:\n   app:\n"
                   "     image: app:1\n+    security_opt: [\"no-new-privileges:true\"]\n")
    assert f"{f}:2: CT014: would be fixed: add \"no-new-privileges:true\" to security_opt" in err
    assert err.endswith("1 finding(s) would be fixed in 1 file(s); 7 left (2 with an unsafe fix:"
                        " --unsafe-fixes) (hullcheck scan lists them)\n")
    assert f.read_text() == "services:\n  app:\n    image: app:1\n"
    assert os.stat(f).st_mtime_ns == before.st_mtime_ns


def test_suppressed_and_baselined_findings_are_not_fixed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("services:\n  app:  # hullcheck: ignore=CT014 setuid ping is needed\n"
            "    image: app:1\n  db:\n    image: db:1\n")
    f = write(tmp_path / "compose.yaml", text)
    base = tmp_path / "baseline.json"
    code, _, _ = run_cli(capsys, "scan", str(f), "--select", "CT014", "--write-baseline",
                         str(base))
    assert code == 0
    code, out, _ = run_cli(capsys, "fix", "--baseline", str(base), "--fail-on", "never", str(f))
    assert f.read_text() == text  # app: inline suppression; db: baseline
    assert ": fixed: " not in out
    assert out.endswith("0 finding(s) fixed in 0 file(s); 14 left (4 with an unsafe fix:"
                        " --unsafe-fixes) (hullcheck scan lists them)\n")
    # Without the baseline, db is fixed; app keeps its accepted finding.
    run_cli(capsys, "fix", "--fail-on", "never", str(f))
    assert f.read_text() == text + '    security_opt: ["no-new-privileges:true"]\n'


def test_select_and_ignore_choose_the_rules(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
           "  - name: app\n    image: app:1\n")
    f = write(tmp_path / "pod.yaml", pod)
    run_cli(capsys, "fix", "--select", "K8S017", "--fail-on", "never", str(f))
    assert f.read_text() == pod + "    securityContext:\n      seccompProfile:\n" \
                                  "        type: RuntimeDefault\n"
    g = write(tmp_path / "pod2.yaml", pod)
    run_cli(capsys, "fix", "--ignore", "K8S017", "--fail-on", "never", str(g))
    assert g.read_text() == pod + "    securityContext:\n      allowPrivilegeEscalation: false\n"
    code, _, err = run_cli(capsys, "fix", "--select", "NOPE999", str(g))
    assert code == 2 and "--select" in err


def test_writes_are_atomic_keep_the_mode_and_never_follow_links(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "deploy"
    d.mkdir()
    outside = write(tmp_path / "outside.yaml", "services:\n  app:\n    image: app:1\n")
    (d / "linked.yaml").symlink_to(outside)
    f = write(d / "compose.yaml", "services:\n  web:\n    image: web:1\n")
    f.chmod(0o640)
    inode = os.stat(f).st_ino
    code, out, _ = run_cli(capsys, "fix", "--fail-on", "never", str(d))
    assert code == 0
    assert f.read_text().endswith('    security_opt: ["no-new-privileges:true"]\n')
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o640
    assert os.stat(f).st_ino != inode  # renamed over, not rewritten in place
    assert sorted(p.name for p in d.iterdir()) == ["compose.yaml", "linked.yaml"]  # no temp
    # The link's target is outside what was named, and a link is never written through.
    assert outside.read_text() == "services:\n  app:\n    image: app:1\n"
    assert (d / "linked.yaml").is_symlink()
    assert "linked.yaml" not in out  # the walk does not leave the directory named
    # A link inside the directory to a file inside it: the file is fixed once, by its own name.
    g = write(tmp_path / "real.yaml", "services:\n  db:\n    image: db:1\n")
    (d / "alias.yaml").symlink_to(g)
    code, out, _ = run_cli(capsys, "fix", "--fail-on", "never", str(d / "alias.yaml"))
    assert g.read_text() == "services:\n  db:\n    image: db:1\n"
    assert (d / "alias.yaml").is_symlink()
    assert "alias.yaml:2: CT014: not fixed: not a file given or walked" in out


def test_stdin_is_never_written(capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(
        b"services:\n  app:\n    image: app:1\n")))
    code, out, _ = run_cli(capsys, "fix", "--fail-on", "never", "-")
    assert code == 0
    assert "-:2: CT014: not fixed: not a file given or walked (stdin or rendered output)" in out


def test_a_file_that_cannot_be_edited_is_left_alone_with_a_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "app", "image": "app:1"}]}}
    f = tmp_path / "pod.json"
    f.write_text(json.dumps(pod, indent=2))
    before = f.read_bytes()
    code, out, err = run_cli(capsys, "fix", "--fail-on", "never", str(f))
    assert (code, err) == (0, "")  # a note, not an input error
    assert f.read_bytes() == before
    assert (f"{f}:10: K8S014: not fixed: JSON manifests are not edited (a YAML round trip would "
            "reformat them)") in out


def test_privileged_containers_keep_privilege_escalation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
           "  - name: app\n    image: app:1\n    securityContext:\n      privileged: true\n")
    f = write(tmp_path / "pod.yaml", pod)
    _, out, _ = run_cli(capsys, "fix", "--select", "K8S014", "--fail-on", "never", str(f))
    assert f.read_text() == pod  # the API server would refuse the pair
    # K8S014 asks nothing of a privileged container (issue 24), so there is nothing to fix; the
    # fix's own guard (fix/kubernetes.py) stays for a finding a baseline or older result names.
    assert out == "0 finding(s) fixed in 0 file(s); 0 left\n"


def test_cap_sys_admin_keeps_privilege_escalation_but_sys_admin_does_not(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The API server refuses allowPrivilegeEscalation: false beside the verbatim string
    CAP_SYS_ADMIN only (K8S014 does not fire there); "SYS_ADMIN" takes the fix."""
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
           "  - name: app\n    image: app:1\n    securityContext:\n"
           "      capabilities: {add: [%s]}\n")
    refused = write(tmp_path / "refused.yaml", pod % "CAP_SYS_ADMIN")
    fixed = write(tmp_path / "fixed.yaml", pod % "SYS_ADMIN")
    _, out, _ = run_cli(capsys, "fix", "--select", "K8S014", "--fail-on", "never",
                        str(refused), str(fixed))
    assert refused.read_text() == pod % "CAP_SYS_ADMIN"
    assert fixed.read_text() == pod % "SYS_ADMIN" + "      allowPrivilegeEscalation: false\n"
    assert out.endswith("1 finding(s) fixed in 1 file(s); 0 left\n"), out


def test_fix_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "Dockerfile", "FROM alpine:3.20\nCMD [\"sh\"]\n")
    # DF001 (high) is left without --unsafe-fixes: 1 at the default threshold.
    assert run_cli(capsys, "fix", str(f))[0] == 1
    assert run_cli(capsys, "fix", "--unsafe-fixes", str(f))[0] == 0
    assert run_cli(capsys, "fix", str(tmp_path / "missing.yaml"))[0] == 2


def test_bounds_a_file_too_large_to_edit_is_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hullcheck.fix.yamledit import MAX_FIX_YAML_BYTES

    assert MAX_FIX_YAML_BYTES == 1024 * 1024
    body = "services:\n  app:\n    image: app:1\n"
    f = write(tmp_path / "compose.yaml", body + "#" * (MAX_FIX_YAML_BYTES - len(body) + 1) + "\n")
    before = f.read_bytes()
    code, out, err = run_cli(capsys, "fix", "--fail-on", "never", str(f))
    assert (code, err) == (0, "")  # scanned (64 MiB bound), but not edited
    assert f.read_bytes() == before
    assert f"{f}:2: CT014: not fixed: file too large ({len(before)} bytes; the limit is " \
           f"{MAX_FIX_YAML_BYTES})" in out


def test_mixed_line_endings_are_not_normalised(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_bytes(b"services:\r\n  app:\n    image: app:1\r\n")
    _, out, _ = run_cli(capsys, "fix", "--fail-on", "never", str(f))
    assert f.read_bytes() == b"services:\r\n  app:\n    image: app:1\r\n"
    assert "CT014: not fixed: mixed line endings; fix would have to change them" in out


def test_a_file_changed_during_the_fix_is_not_overwritten(tmp_path: Path) -> None:
    from hullcheck.fix.command import write_atomic

    f = write(tmp_path / "compose.yaml", "services: {}\n")
    with pytest.raises(ValueError, match="changed while hullcheck was fixing it"):
        write_atomic(str(f), "services: {a: {}}\n", "edited\n")
    with pytest.raises(ValueError, match="changed while hullcheck was fixing it"):
        write_atomic(str(f), "", "edited\n")  # grown since it was read: not even read back
    assert f.read_text() == "services: {}\n"
    write_atomic(str(f), "services: {}\n", "edited\n")
    assert f.read_text() == "edited\n"


MIXED = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: p, tier: web, team: a}
  annotations: {a: b}
spec:
  volumes:
  - name: a
    emptyDir: {}
  - name: b
    emptyDir: {}
  - name: c
    emptyDir: {}
  - name: d
    emptyDir: {}
  - name: e
    emptyDir: {}
  containers:
    - name: app
      image: app:1
"""


def test_an_edit_where_the_layout_is_not_reproduced_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two sequence indentations in one file: the edit falls in the one ruamel.yaml does not
    # write back as it was, so the file is left alone rather than re-indented.
    f = write(tmp_path / "pod.yaml", MIXED)
    _, out, _ = run_cli(capsys, "fix", "--select", "K8S014", "--fail-on", "never", str(f))
    assert f.read_text() == MIXED
    assert (f"{f}:20: K8S014: not fixed: an edit falls where ruamel.yaml cannot reproduce the "
            "file's layout; fix it by hand") in out
    # Where the edit falls in the layout it reproduces, the other part stays as written.
    mixed = (MIXED.replace("  containers:\n    - name: app\n      image: app:1\n",
                           "  containers:\n  - name: app\n    image: app:1\n")
             .replace("  annotations: {a: b}\n",
                      "  annotations: {a: b}\n  finalizers:\n    - example.com/keep\n"))
    g = write(tmp_path / "pod2.yaml", mixed)
    run_cli(capsys, "fix", "--select", "K8S014", "--fail-on", "never", str(g))
    assert g.read_text() == mixed + "    securityContext:\n      allowPrivilegeEscalation: false\n"


def test_a_directory_link_inside_the_walk_is_not_written_through(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "deploy"
    (d / "real").mkdir(parents=True)
    f = write(d / "real" / "compose.yaml", "services:\n  web:\n    image: web:1\n")
    (d / "linked").symlink_to(d / "real")
    _, out, _ = run_cli(capsys, "fix", "--select", "CT014", "--fail-on", "never", str(d))
    # Fixed once, under its own path; the finding reached through the link is left alone.
    assert f.read_text() == 'services:\n  web:\n    image: web:1\n' \
                            '    security_opt: ["no-new-privileges:true"]\n'
    fixed = [line for line in out.splitlines() if ": fixed: " in line]
    assert fixed == [f"{d}/real/compose.yaml:2: CT014: fixed: add \"no-new-privileges:true\" "
                     "to security_opt"]


def test_a_large_stream_is_edited_in_linear_time(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """200 Deployments of identical lines (difflib's matcher is quadratic on them): every one
    is edited, and the diff and the file agree."""
    import time

    doc = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-{i}\nspec:\n"
           "  selector: {{matchLabels: {{app: web}}}}\n  template:\n"
           "    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n"
           "        - name: web\n          image: web:1\n")
    text = "---\n".join(doc.format(i=i) for i in range(200))
    f = write(tmp_path / "big.yaml", text)
    start = time.monotonic()
    code, out, _ = run_cli(capsys, "fix", "--select", "K8S014", "--fail-on", "never", str(f))
    assert time.monotonic() - start < 60  # (about 2 s here)
    assert code == 0 and out.endswith("200 finding(s) fixed in 1 file(s); 0 left\n")
    assert f.read_text() == text.replace(
        "          image: web:1\n", "          image: web:1\n          securityContext:\n"
        "            allowPrivilegeEscalation: false\n")
