"""Small helpers shared by the node rules."""

from __future__ import annotations

TAG_PREFIX = "cis-k8s-1.10:"


def cis(*ids: str) -> tuple[str, ...]:
    return tuple(TAG_PREFIX + i for i in ids)
