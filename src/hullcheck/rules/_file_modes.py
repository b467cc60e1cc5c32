"""What NODE001 (kubelet files) and HOST006 (Docker files) say of a file more open than its
benchmark allows: one finding, worded once. Their ownership rules differ (root:root on a node,
the daemon's owner and groups on a Docker host) and stay in each rule."""

from __future__ import annotations

from hullcheck.findings import Finding, Location
from hullcheck.models.host import HostFile
from hullcheck.rules.base import Rule


def mode_finding(rule: Rule, info: HostFile, what: str, max_mode: int,
                 references: tuple[str, ...]) -> Finding | None:
    """The finding for ``info`` when its mode has bits beyond ``max_mode``, else None."""
    if not info.mode or not info.mode & ~max_mode:
        return None
    return rule.finding(
        Location(path=info.path),
        f"{what} {info.path} has mode {info.mode_text}, more open than {max_mode:o}",
        references=references,
        evidence=f"mode {info.path} {info.mode_text}",
        remediation=f"chmod {max_mode:o} {info.path}",
    )
