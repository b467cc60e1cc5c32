"""One compose project, as compose rules read it (the ``check_compose`` hook).

Loaded by ``hullcheck.inputs.compose``: its ``ComposeProject`` subclasses this one and keeps,
beside what is declared here, what loading needs (which file each merged value came from, the
interpolation environment, every text read). A rule reads only what this class declares: the files
merged in order, each service as merged (``extends`` resolved, values still raw: ``text``
interpolates one the way ``docker compose config`` would, ``key_where`` says which file and line a
key came from), the top-level named volumes, and every service already normalised into a
``ContainerSpec`` (what the container rules judge).

The engine finds the walk of a model by its class (``hullcheck.engine.WALKS``), so this is a base
class rather than a structural protocol: a compose model is an instance of a subclass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from hullcheck.models.container import ContainerSpec

Where = tuple[str, int]  # (path, line)


class ComposeService(Protocol):
    """One service of a project: read-only to rules."""

    @property
    def name(self) -> str: ...

    @property
    def data(self) -> Mapping[str, Any]:
        """The service's mapping, merged across files, values not yet interpolated."""
        ...

    @property
    def where(self) -> Where:
        """The service key (where a fix for a missing field goes)."""
        ...


class ComposeProject(ABC):
    """One compose project: its files merged in order (``-f base -f override``)."""

    files: list[str]
    services: Sequence[ComposeService]
    # top-level named volumes (``driver_opts`` may bind host paths); None when there are none
    volumes: Mapping[str, Any] | None
    # every service as a normalised container, made once by the loader
    containers: list[ContainerSpec]

    @property
    def path(self) -> str:
        """The first file: where findings about the whole project point."""
        return self.files[0]

    @abstractmethod
    def text(self, value: Any, where: Where) -> str | None:
        """A scalar as compose sees it after interpolation; None for null, mappings and lists.
        A bad ``${...}`` at ``where`` becomes one input error of the scan (and the raw text)."""

    @abstractmethod
    def key_where(self, mapping: Mapping[str, Any], key: str, default: Where) -> Where:
        """The file and line ``key`` of ``mapping`` came from (merged files keep their own),
        ``default`` when unknown."""
