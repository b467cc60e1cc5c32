#!/usr/bin/env bash
# Installs hullcheck into .venv and audits the bundled, deliberately insecure examples/.
# Exits 1 because the demo stack has findings: that is the point.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q .
exec .venv/bin/hullcheck scan examples/ "$@"
