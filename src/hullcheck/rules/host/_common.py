"""Small helpers shared by the host rules."""

from __future__ import annotations

from hullcheck.findings import Location
from hullcheck.hostaudit.catalog import TAG_PREFIX
from hullcheck.models.host import DockerHost


def cis(*ids: str) -> tuple[str, ...]:
    return tuple(TAG_PREFIX + i for i in ids)


def setting_location(host: DockerHost, name: str) -> Location:
    """A daemon option: ``setting``, plus the daemon.json path when it was set there."""
    source = host.daemon.source(name)
    path = source if source and source.startswith("/") else None
    return Location(setting=name, path=path)


def engine_location(host: DockerHost) -> Location:
    return Location(setting=f"engine {host.endpoint}")
