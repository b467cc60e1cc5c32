#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine and runs the whole suite.
# Used by .ci/run. Safe to run again: it reuses .venv and a Docker engine that already answers.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

# System components for the live tests (Docker Engine, registry, busybox for test images).
# Starts only what is not already running, and stops only that on exit.
source scripts/live-env.sh
live_env_up
trap live_env_down EXIT

.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy
.venv/bin/python -m pytest -ra "$@"
