#!/bin/sh
# Run a command with a Docker Engine answering on the socket.
#
#   scripts/docker-engine.sh /work/venv/bin/pytest -m live tests/live
#
# - An engine that already answers (DOCKER_HOST, else /var/run/docker.sock) is used as it is and
#   left alone.
# - Only when none answers: install Debian's docker.io if dockerd is missing (needs root and
#   apt), start dockerd in the background, wait for /var/run/docker.sock, run the command, and
#   stop that dockerd (only the one this script started) at the end.
# - busybox-static is installed if /bin/busybox is missing: the live tests build their base image
#   from it with `docker import` (nothing is ever pulled).
# The command's exit status is returned.
set -eu

SOCK=/var/run/docker.sock
STARTED_PID=""
DOCKERD=""
LOG="${TMPDIR:-/tmp}/hullcheck-dockerd.$$.log"

say() { echo "docker-engine.sh: $*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        say "need root to run: $*"; return 1; fi
}

apt_install() {
    as_root sh -c "DEBIAN_FRONTEND=noninteractive apt-get update -q && \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $*"
}

find_dockerd() {
    # /usr/sbin is not on a normal user's PATH, and Debian puts dockerd there.
    for candidate in "$(command -v dockerd 2>/dev/null)" /usr/sbin/dockerd /usr/bin/dockerd \
        /usr/local/bin/dockerd; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
    done
    return 1
}

POLICY_RC_D=/usr/sbin/policy-rc.d
OUR_POLICY=""

install_docker_io() {
    # docker.io's postinst starts the service (invoke-rc.d, deb-systemd-invoke); in a container
    # that fails, dpkg then reports the package half-configured and apt-get exits non-zero.
    # A policy-rc.d answering 101 ("action forbidden") keeps it from starting anything; this
    # script starts dockerd itself. Only a policy-rc.d created here is removed again.
    if [ ! -e "$POLICY_RC_D" ]; then
        as_root sh -c "printf '#!/bin/sh\nexit 101\n' > '$POLICY_RC_D' && chmod 755 '$POLICY_RC_D'" \
            && OUR_POLICY=1
    fi
    if ! apt_install docker.io; then
        say "apt-get install docker.io failed (often the service start in a container);" \
            "finishing the configuration and carrying on if dockerd is there"
        as_root sh -c "DEBIAN_FRONTEND=noninteractive dpkg --configure -a" || true
    fi
    drop_policy
}

drop_policy() {
    if [ -n "$OUR_POLICY" ]; then
        as_root rm -f "$POLICY_RC_D" || true
        OUR_POLICY=""
    fi
}

engine_answers() {
    # The ping endpoint, without the docker CLI (it may not be installed): Python's stdlib speaks
    # HTTP over a unix socket well enough.
    python3 - "$@" <<'PY' >/dev/null 2>&1
import os, socket, sys
host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
if host.startswith("unix://"):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(3)
    s.connect(host[len("unix://"):])
elif host.startswith("tcp://") and not os.environ.get("DOCKER_TLS_VERIFY"):
    h, _, p = host[len("tcp://"):].rstrip("/").partition(":")
    s = socket.create_connection((h, int(p or 2375)), timeout=3)
else:
    sys.exit(0)  # TLS or ssh: trust the user's setup, the tests will say if it does not answer
s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
sys.exit(0 if b" 200 " in s.recv(200) else 1)
PY
}

cleanup() {
    drop_policy
    if [ -n "$STARTED_PID" ]; then
        say "stopping the dockerd this script started (pid $STARTED_PID)"
        as_root kill "$STARTED_PID" 2>/dev/null || true
        i=0
        while as_root kill -0 "$STARTED_PID" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
    fi
}
trap cleanup EXIT INT TERM

if [ ! -x /bin/busybox ] && [ ! -x /usr/bin/busybox ]; then
    say "installing busybox-static (base image of the live tests)"
    apt_install busybox-static
fi

if engine_answers; then
    say "using the engine that already answers"
else
    if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST#unix:///var/run/docker.sock}" = "$DOCKER_HOST" ]; then
        say "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine for it"
        exit 2
    fi
    DOCKERD=$(find_dockerd || true)
    if [ -z "$DOCKERD" ]; then
        say "no engine answers and dockerd is missing: installing Debian's docker.io"
        install_docker_io
        DOCKERD=$(find_dockerd || true)
        if [ -z "$DOCKERD" ]; then say "docker.io did not install dockerd"; exit 2; fi
    fi
fi
# The package's own service may answer now (a host with systemd ignoring policy-rc.d).
if [ -n "$DOCKERD" ] && ! engine_answers; then
    say "starting $DOCKERD in the background (log: $LOG)"
    as_root sh -c "'$DOCKERD' >'$LOG' 2>&1 & echo \$! > '$LOG.pid'"
    STARTED_PID=$(cat "$LOG.pid")
    i=0
    until [ -S "$SOCK" ] && engine_answers; do
        if ! as_root kill -0 "$STARTED_PID" 2>/dev/null; then
            say "dockerd exited; last lines of its log:"; tail -n 20 "$LOG" >&2; exit 2
        fi
        i=$((i + 1))
        if [ $i -gt 60 ]; then say "dockerd did not answer within 60 s"; tail -n 20 "$LOG" >&2; exit 2; fi
        sleep 1
    done
    say "dockerd answers on $SOCK"
fi

if [ $# -eq 0 ]; then exit 0; fi
set +e
"$@"
status=$?
set -e
exit $status
