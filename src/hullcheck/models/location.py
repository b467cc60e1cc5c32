"""Where something is: a file and line, a Kubernetes object, a container, a path in an image.

Part of the public JSON contract (``location`` of every finding; see ARCHITECTURE.md): the models
carry it, findings report it. Here, in ``models``, so models import nothing of the rest of the
tool; ``hullcheck.findings`` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image a finding lives in (``location.image``)."""

    ref: str
    digest: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "digest": self.digest}


@dataclass(frozen=True, slots=True)
class UnitRef:
    """The deployable unit a Kubernetes finding was judged in (``location.unit``): ``kind`` is
    ``file``, ``dir``, ``tree``, ``stdin``, ``kustomize`` or ``helm``, ``path`` what names it. Part
    of the fingerprint only for a rendered unit (ARCHITECTURE.md; a finding with a ``source``)."""

    kind: str
    path: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path}


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The chart template or kustomize file a rendered object came from (``location.source``);
    ``line`` None when the rendered output does not say where in it."""

    path: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is. Only the fields that apply are set.

    - a file on disk: ``path`` (+ ``line``, 1-based; ``end_line``/``column`` when known)
    - a Kubernetes object: ``object`` is ``Kind/namespace/name`` or ``Kind/name``
    - a container: ``container`` (+ ``container_id`` on a live host)
    - inside an image: ``image`` set, ``path`` the path inside it, ``layer`` the layer digest
    - a daemon option: ``setting``
    - a Kubernetes finding: ``unit``, the deployable unit it was judged in; ``source``, the
      template or file a rendered object came from
    """

    path: str | None = None
    line: int | None = None
    end_line: int | None = None
    column: int | None = None
    object: str | None = None
    container: str | None = None
    container_id: str | None = None
    image: ImageRef | None = None
    layer: str | None = None
    setting: str | None = None
    unit: UnitRef | None = None
    source: SourceRef | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Findings cross a pipe from the processes of a parallel scan (hullcheck.parallel): a
        # tuple of the fields pickles about three times faster than the slots' state.
        return (Location, (self.path, self.line, self.end_line, self.column, self.object,
                           self.container, self.container_id, self.image, self.layer,
                           self.setting, self.unit, self.source))

    @property
    def is_file(self) -> bool:
        """True when ``path`` names a file on disk (not a path inside an image)."""
        return self.path is not None and self.image is None

    def with_line(self, line: int | None, end_line: int | None = None) -> Location:
        return Location(
            path=self.path,
            line=line,
            end_line=end_line,
            column=None,
            object=self.object,
            container=self.container,
            container_id=self.container_id,
            image=self.image,
            layer=self.layer,
            setting=self.setting,
            unit=self.unit,
            source=self.source,
        )

    def in_unit(self, unit: UnitRef) -> Location:
        """This location with ``unit`` set (``dataclasses.replace(self, unit=unit)``, written
        out: it runs for every Kubernetes finding)."""
        return Location(self.path, self.line, self.end_line, self.column, self.object,
                        self.container, self.container_id, self.image, self.layer,
                        self.setting, unit, self.source)

    def to_json(self) -> dict[str, Any]:
        # Once per finding written; the fields a Dockerfile finding has are tested first.
        out: dict[str, Any] = {}
        if self.path is not None:
            out["path"] = self.path
        if self.line is not None:
            out["line"] = self.line
        if self.object is not None:
            out["object"] = self.object
        if self.container is not None:
            out["container"] = self.container
        if self.container_id is not None:
            out["container_id"] = self.container_id
        if self.layer is not None:
            out["layer"] = self.layer
        if self.setting is not None:
            out["setting"] = self.setting
        if self.image is not None:
            out["image"] = self.image.to_json()
        if self.unit is not None:
            out["unit"] = self.unit.to_json()
        if self.source is not None:
            out["source"] = self.source.to_json()
        return out
