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


# A history step that ran a shell: ``/bin/sh -c SCRIPT`` (the classic builder, after
# ``|N ARG=value...`` when build arguments were set), ``RUN /bin/sh -c SCRIPT # buildkit``.
_SHELL_STEP = re.compile(
    r"^(?:RUN\s+)?(?:\|\d+\s+(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)?"
    r"(?:/usr)?(?:/bin/)?(?:ba|da|a)?sh\s+-c\s+(?P<script>.*?)(?:\s+# buildkit)?\s*$",
    re.DOTALL,
)


_OTHER_INSTRUCTION = re.compile(
    r"^(?:ADD|ARG|CMD|COPY|ENTRYPOINT|ENV|EXPOSE|HEALTHCHECK|LABEL|MAINTAINER|ONBUILD|SHELL|"
    r"STOPSIGNAL|USER|VOLUME|WORKDIR)\b")


def history_script(created_by: str) -> str | None:
    """The shell script a history step ran, or None for a metadata step (``#(nop) ENV ...``,
    BuildKit's ``ENV ... # buildkit``). A step in another form (``RUN curl ...`` as some
    builders record it, a committed command) is taken as it is."""
    m = _SHELL_STEP.match(created_by)
    text = m.group("script") if m is not None else created_by.strip()
    if "#(nop)" in text[:12] or _OTHER_INSTRUCTION.match(text):
        return None
    if m is None:
        text = text.removeprefix("RUN ").removesuffix("# buildkit")
    return text


def shorten(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
