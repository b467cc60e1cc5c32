"""Image history entries (``CreatedBy``) as instructions, whatever builder wrote them.

- classic builder: ``/bin/sh -c #(nop)  CMD ["sh"]``, ``/bin/sh -c apt-get update``, with build
  arguments ``|1 VERSION=1 /bin/sh -c ...``
- BuildKit: ``RUN /bin/sh -c apt-get update # buildkit``, ``ADD x /y # buildkit``
- ``docker import``: empty
"""

from __future__ import annotations

import re

_SHELL = "/bin/sh -c "
_BUILDKIT = re.compile(r"\s+# buildkit\s*$")
_SEGMENT_SPLIT = re.compile(r"&&|\|\||;|\n|\|")

INDEX_UPDATE = re.compile(
    r"^(?:sudo\s+)?(?:(?:apt-get|apt|aptitude)\s+(?:-\S+\s+)*update"
    r"|apk\s+(?:-\S+\s+)*update|(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*makecache"
    r"|zypper\s+(?:-\S+\s+)*(?:refresh|ref)|pacman\s+-Sy)\b"
)
USES_INDEX = re.compile(
    r"^(?:sudo\s+)?(?:(?:apt-get|apt|aptitude)\s+(?:-\S+\s+)*(?:install|upgrade|dist-upgrade"
    r"|full-upgrade|build-dep|source)|apk\s+(?:-\S+\s+)*(?:add|upgrade)"
    r"|(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*(?:install|update|upgrade)"
    r"|zypper\s+(?:-\S+\s+)*(?:install|in|update|up|dup)|pacman\s+-S\S*\s+\S)\b"
)


def instruction(created_by: str) -> str:
    """The Dockerfile-like instruction of a history entry: ``RUN apt-get update``, ``ADD ...``."""
    text = _BUILDKIT.sub("", created_by.strip())
    if text.startswith("|"):  # classic builder with build args: "|2 A=1 B=2 /bin/sh -c ..."
        at = text.find(_SHELL)
        text = text[at:] if at >= 0 else text
    if text.startswith(_SHELL):
        rest = text[len(_SHELL) :].strip()
        if rest.startswith("#(nop)"):
            return rest[len("#(nop)") :].strip()
        return "RUN " + rest
    if text.startswith("RUN "):  # BuildKit: "RUN /bin/sh -c cmd", "RUN |1 A=b /bin/sh -c cmd"
        rest = text[4:].lstrip()
        at = rest.find(_SHELL)
        if rest.startswith(_SHELL) or (rest.startswith("|") and at >= 0):
            return "RUN " + rest[at + len(_SHELL) :].strip()
    return text


def run_command(inst: str) -> str | None:
    if not inst.startswith("RUN "):
        return None
    return inst[4:].strip()


def update_alone(inst: str) -> bool:
    """A RUN that refreshes a package index without installing or upgrading in the same layer."""
    cmd = run_command(inst)
    if cmd is None:
        return False
    segments = [s.strip() for s in _SEGMENT_SPLIT.split(cmd.replace("\\\n", " "))]
    updates = any(INDEX_UPDATE.search(s) for s in segments)
    uses = any(USES_INDEX.search(s) for s in segments)
    return updates and not uses


def is_add(inst: str) -> bool:
    return inst.startswith("ADD ") or inst == "ADD"
