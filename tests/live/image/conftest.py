"""Fixtures for the live image tests (defined in image_live.py, shared with bench/)."""

from __future__ import annotations

import sys
from pathlib import Path

# the helpers beside this file and the image builders in tests/image
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "image"))

from image_live import auth_registry, docker_api, registry

__all__ = ["auth_registry", "docker_api", "registry"]
