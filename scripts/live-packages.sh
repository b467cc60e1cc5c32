#!/bin/sh
# Debian packages the live tests need besides the engine (docker-engine.sh installs docker.io
# when no engine answers): a registry, skopeo, busybox for the test images' base, git for the
# packaging test (pipx installs from a git+file:// URL), mmdebstrap for the Debian base
# hullcheck's own image is built on (tests/live/ownimage), and chromium for the HTML report's
# browser tests (driven headless by Playwright, tests/browser.py).
set -eu
missing=""
command -v docker-registry >/dev/null 2>&1 || missing="$missing docker-registry"
command -v skopeo >/dev/null 2>&1 || missing="$missing skopeo"
[ -x /bin/busybox ] || missing="$missing busybox-static"
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v mmdebstrap >/dev/null 2>&1 || missing="$missing mmdebstrap"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "live-packages.sh: not root, cannot install:$missing (the live tests will say so)" >&2
    exit 0
  fi
  echo "live-packages.sh: installing$missing" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
