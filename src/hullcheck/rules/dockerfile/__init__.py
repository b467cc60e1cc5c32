"""Rules of the Dockerfile family (DF)."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.dockerfile.base_image_tag import BaseImageLatest, BaseImageUntagged
from hullcheck.rules.dockerfile.last_user_root import LastUserRoot

RULES: list[type[Rule]] = [
    LastUserRoot,
    BaseImageUntagged,
    BaseImageLatest,
]
