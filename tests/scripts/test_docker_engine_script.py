"""``scripts/docker-engine.sh`` on its install path, as on a fresh Debian machine without an
engine, exercised for real in a private mount namespace: a tmpfs over ``/run`` hides the
engine's socket, an empty directory over ``/usr/sbin`` hides ``dockerd``, and stand-ins for
``apt-get``/``dpkg``/``dockerd`` come first on PATH. The stand-in ``apt-get`` installs a
``dockerd`` that answers ``/_ping`` on ``/var/run/docker.sock`` and then fails the way
``docker.io``'s postinst does in a container (its service start). Nothing outside the
namespace is touched. Needs root and ``unshare``; skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "docker-engine.sh"

FAKE_DOCKERD = r"""#!/usr/bin/python3
import os, signal, socket, sys
log = open(os.environ["FAKE_LOG"], "a")
log.write("dockerd started %s\n" % " ".join(sys.argv[1:])); log.flush()
def stop(*_):
    log.write("dockerd stopped\n"); log.flush(); sys.exit(0)
signal.signal(signal.SIGTERM, stop)
os.makedirs("/var/run", exist_ok=True)
server = socket.socket(socket.AF_UNIX)
server.bind("/var/run/docker.sock"); server.listen(5)
while True:
    conn, _ = server.accept()
    conn.recv(1000); conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nOK"); conn.close()
"""

FAKE_APT_GET = r"""#!/bin/sh
echo "apt-get $*" >> "$FAKE_LOG"
case "$*" in *"install"*docker.io*) ;; *) exit 0 ;; esac
if [ -x /usr/sbin/policy-rc.d ]; then
    /usr/sbin/policy-rc.d docker start; echo "policy-rc.d says $?" >> "$FAKE_LOG"
else
    echo "no policy-rc.d" >> "$FAKE_LOG"
fi
cp "$FAKE_DIR/dockerd.real" /usr/sbin/dockerd && chmod 755 /usr/sbin/dockerd
echo "invoke-rc.d: initscript docker, action start failed." >&2
exit 100
"""

FAKE_DPKG = """#!/bin/sh
echo "dpkg $*" >> "$FAKE_LOG"
"""


def usable() -> str | None:
    if os.geteuid() != 0:
        return "needs root (a mount namespace)"
    if not shutil.which("unshare"):
        return "needs unshare (util-linux)"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True)
    if probe.returncode != 0:
        return "cannot create a mount namespace here"
    return None


def run_script(tmp: Path, policy: str | None) -> tuple[subprocess.CompletedProcess[str], str]:
    fake = tmp / "fake"
    sbin = tmp / "sbin"
    for d in (fake, sbin):
        d.mkdir()
    (fake / "dockerd.real").write_text(FAKE_DOCKERD)
    for name, text in (("apt-get", FAKE_APT_GET), ("dpkg", FAKE_DPKG)):
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    if policy is not None:
        (sbin / "policy-rc.d").write_text(policy)
        (sbin / "policy-rc.d").chmod(0o755)
    log = tmp / "log"
    log.touch()
    inner = (
        "mount -t tmpfs none /run && mount --bind \"$FAKE_SBIN\" /usr/sbin && "
        "exec sh \"$SCRIPT\" sh -c 'echo command ran; exit 7'"
    )
    env = dict(os.environ, FAKE_LOG=str(log), FAKE_DIR=str(fake), FAKE_SBIN=str(sbin),
               SCRIPT=str(SCRIPT), TMPDIR=str(tmp), PATH=f"{fake}:/usr/bin:/bin")
    env.pop("DOCKER_HOST", None)
    proc = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner],
        env=env, capture_output=True, text=True, timeout=120,
    )
    return proc, log.read_text()


@pytest.fixture
def namespace_ok() -> None:
    reason = usable()
    if reason:
        pytest.skip(reason)


def test_install_path_survives_the_postinst_failure_and_starts_dockerd(
    tmp_path: Path, namespace_ok: None
) -> None:
    proc, log = run_script(tmp_path, policy=None)
    assert proc.returncode == 7, proc.stderr  # the command's own status
    assert "command ran" in proc.stdout
    lines = log.splitlines()
    assert "apt-get install -y -q docker.io" in lines
    # the package could not start a service: policy-rc.d forbade it
    assert "policy-rc.d says 101" in lines
    assert "dpkg --configure -a" in lines
    assert "apt-get install docker.io failed" in proc.stderr
    assert "starting /usr/sbin/dockerd in the background" in proc.stderr
    # dockerd started by the script, and stopped by it at the end
    assert lines.index("dockerd stopped") > lines.index(
        next(line for line in lines if line.startswith("dockerd started")))
    # the policy-rc.d it created is gone again
    assert not (tmp_path / "sbin" / "policy-rc.d").exists()


def test_an_existing_policy_rc_d_is_left_alone(tmp_path: Path, namespace_ok: None) -> None:
    policy = "#!/bin/sh\nexit 101\n# the image's own\n"
    proc, log = run_script(tmp_path, policy=policy)
    assert proc.returncode == 7, proc.stderr
    assert (tmp_path / "sbin" / "policy-rc.d").read_text() == policy
    assert "dockerd stopped" in log
