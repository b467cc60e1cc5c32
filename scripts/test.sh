#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine and runs the whole suite.
# Used by .ci/run. Safe to run again: it reuses .venv and a Docker Engine that already answers.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

.venv/bin/ruff check src tests bench scripts
.venv/bin/mypy

# The live tests need a real Docker Engine, a registry, skopeo and busybox. docker-engine.sh uses
# an engine that already answers, else installs/starts one and stops only what it started.
sh scripts/live-packages.sh
exec sh scripts/docker-engine.sh .venv/bin/python -m pytest -ra "$@"
