"""Patterns shared by the image rules (history commands, secret names, caches)."""

from __future__ import annotations

import re

ADD = re.compile(r"(?:^|\s)ADD\s")
SSH_SERVERS = ("usr/sbin/sshd", "usr/sbin/dropbear", "usr/bin/dropbear")
CACHE_DIRS = (
    "var/lib/apt/lists",
    "var/cache/apt/archives",
    "var/cache/apk",
    "var/cache/yum",
    "var/cache/dnf",
    "root/.cache/pip",
)
CACHE_IGNORED = ("/lock", ".lock")
RETIREMENT_NOTE = (
    "Docker Content Trust (Notary v1) is being retired (Docker Hub's Notary service shuts down on"
    " 2026-12-08); hullcheck verifies cosign signatures instead (--key, trust.keys)"
)


def shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
