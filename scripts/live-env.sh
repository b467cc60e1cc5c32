#!/usr/bin/env bash
# Bring up (and later down) what the live tests need: a Docker Engine answering on the socket.
# Sourced by scripts/test.sh. Uses an engine that already answers; otherwise installs Debian's
# docker.io when missing, starts dockerd in the background and stops it again at the end.

HULLCHECK_STARTED_DOCKERD=""

_apt_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "live-env: not root, cannot install $*" >&2
    return 1
  fi
  if [ -z "${_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

live_env_up() {
  local need=()
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  [ -x /bin/busybox ] || need+=(busybox-static)
  command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
  command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
  if [ ${#need[@]} -gt 0 ]; then
    echo "live-env: installing ${need[*]}" >&2
    _apt_install "${need[@]}" || echo "live-env: could not install ${need[*]}" >&2
  fi
  if docker_answers; then
    return 0
  fi
  if command -v dockerd >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    echo "live-env: starting dockerd" >&2
    nohup dockerd >/tmp/hullcheck-dockerd.log 2>&1 &
    HULLCHECK_STARTED_DOCKERD=$!
    for _ in $(seq 1 60); do
      docker_answers && return 0
      sleep 1
    done
    echo "live-env: dockerd did not answer within 60 s (see /tmp/hullcheck-dockerd.log)" >&2
  fi
  return 0
}

docker_answers() {
  [ -S /var/run/docker.sock ] || [ -n "${DOCKER_HOST:-}" ] || return 1
  python3 - <<'PY' >/dev/null 2>&1
import http.client, os, socket
class C(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(3)
        self.sock.connect("/var/run/docker.sock")
c = C("localhost"); c.request("GET", "/_ping"); assert c.getresponse().status == 200
PY
}

live_env_down() {
  if [ -n "$HULLCHECK_STARTED_DOCKERD" ]; then
    echo "live-env: stopping the dockerd it started" >&2
    kill "$HULLCHECK_STARTED_DOCKERD" 2>/dev/null || true
    wait "$HULLCHECK_STARTED_DOCKERD" 2>/dev/null || true
  fi
}
