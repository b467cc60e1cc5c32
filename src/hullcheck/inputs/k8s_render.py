"""Rendered deployable units: a Helm chart (``helm template``) and a kustomization
(``kustomize build`` / ``kubectl kustomize``), as the Kubernetes loader judges them.

Each rendered object reports the file it came from (``location.source``, and the finding's
path): the template helm's ``# Source:`` comment names, or the file kustomize's
``config.kubernetes.io/origin`` annotation names (``buildMetadata: [originAnnotations]``), else
the file of the unit holding an object of the same kind and name. What cannot be rendered is
said once per unit: a chart is skipped (a ``skipped`` entry; an input error when the chart was
named on the command line), a kustomization is judged from its natively resolved resources.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullcheck.findings import InputError, SkippedPath
from hullcheck.models.location import SourceRef, UnitRef
from hullcheck.models.manifests import Unit
from hullcheck.sources import Source

if TYPE_CHECKING:
    from hullcheck.inputs import Loaded
    from hullcheck.inputs.k8s_units import Units
    from hullcheck.models.kubernetes import KubeObject
    from hullcheck.options import RunOptions

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
NATIVE = "judged from its resources as written, patches and generators not applied"


@dataclass
class Rendered:
    """The rendered units of a batch: charts, and kustomize units by ref (replacing their
    natively resolved objects)."""

    charts: list[Unit] = field(default_factory=list)
    kustomize: dict[UnitRef, Unit] = field(default_factory=dict)

    def objects(self) -> list[KubeObject]:
        return [o for u in [*self.charts, *self.kustomize.values()] for o in u.objects]


def _dir_of(path: str) -> str:
    return posixpath.dirname(path) or "."


def _load(text: str, path: str, namespace: str, loaded: Loaded, what: str
          ) -> list[KubeObject]:
    """The objects of a rendered stream; what is wrong in it is a warning (the repository's
    problem as rendered, not an input the user can fix by name)."""
    from hullcheck.inputs.kubernetes import load_objects

    errors: list[InputError] = []
    objects = load_objects(Source(path=path, text=text), namespace, errors)
    loaded.warnings.extend(f"{e.path}: {what}: {e.message}" for e in errors)
    return objects


def render_charts(charts: list[Source], options: RunOptions, namespace: str,
                  loaded: Loaded) -> list[Unit]:
    """Each chart rendered into one unit; a chart that is not is skipped once, with why."""
    from hullcheck.inputs.helm import render, source_at, source_path

    out: list[Unit] = []
    for chart in charts:
        assert chart.fs_path is not None
        directory = str(chart.fs_path.parent)
        display = _dir_of(chart.path)
        named = chart.root is None or os.path.realpath(directory) == chart.root
        result = render(directory, chart.root, options)
        if result.missing is not None:
            loaded.skipped_paths.append(SkippedPath(display, f"Helm chart not rendered: "
                                                             f"{result.missing}"))
            loaded.warnings.append(f"{display}: Helm chart not rendered: {result.missing}")
            continue
        if result.failed is not None:
            if named:
                loaded.errors.append(InputError(display, f"Helm chart cannot be rendered: "
                                                         f"{result.failed}"))
            else:
                loaded.skipped_paths.append(SkippedPath(display, f"Helm chart not rendered: "
                                                                 f"{result.failed}"))
                loaded.warnings.append(f"{display}: Helm chart not rendered: {result.failed}")
            continue
        unit = Unit(UnitRef("helm", display), [], rendered=True)
        for obj in _load(result.text, display, namespace, loaded, "as rendered by helm"):
            template = source_at(result.sections, obj.line)
            path = source_path(display, template) if template else None
            obj.path = path or chart.path
            unit.origins[(obj.path, obj.ref)] = SourceRef(obj.path, None)
            unit.objects.append(obj)
        out.append(unit)
    return out


def render_kustomizations(units: Units, by_source: dict[int, list[KubeObject]],
                          namespace: str, loaded: Loaded) -> dict[UnitRef, Unit]:
    """Each kustomize unit rendered where a renderer can and may; the others are judged from
    their resources as resolved natively, said once per unit."""
    from hullcheck.inputs.kustomize import NO_RENDERER, find_renderer, render, unsafe
    from hullcheck.inputs.render import MAX_RENDER_DOCUMENTS, RenderFailed

    out: dict[UnitRef, Unit] = {}
    if not units.kustomizations:
        return out
    renderer = find_renderer()
    members = dict(units.judged)
    for ref, kustomizations in units.kustomizations.items():
        top = kustomizations[0]
        root = top.source.root
        if renderer is None:
            loaded.warnings.append(f"{ref.path}: kustomization not rendered: {NO_RENDERER}")
            continue
        assert root is not None
        why = next(((k, reason) for k in kustomizations
                    if (reason := unsafe(k.data, k.directory, root, renderer)) is not None),
                   None)
        if why is not None:
            loaded.warnings.append(f"{ref.path}: kustomization not rendered: {why[0].source.path}"
                                   f": {why[1]}; {NATIVE}")
            continue
        try:
            text = render(top.directory, renderer)
        except RenderFailed as exc:
            loaded.warnings.append(f"{ref.path}: kustomization not rendered: {renderer.name} "
                                   f"failed: {exc}; {NATIVE}")
            continue
        if text.count("\n---") >= MAX_RENDER_DOCUMENTS:
            loaded.warnings.append(f"{ref.path}: kustomization not rendered: more than "
                                   f"{MAX_RENDER_DOCUMENTS} documents; {NATIVE}")
            continue
        native = [o for s in members.get(ref, []) for o in by_source.get(id(s), [])]
        unit = Unit(ref, [], rendered=True)
        for obj in _load(text, top.source.path, namespace, loaded,
                         f"as rendered by {renderer.name}"):
            source = _origin(obj, ref.path, native) or SourceRef(top.source.path, None)
            obj.path = source.path
            unit.origins[(obj.path, obj.ref)] = source
            unit.objects.append(obj)
        out[ref] = unit
    return out


def _origin(obj: KubeObject, unit_dir: str, native: list[KubeObject]) -> SourceRef | None:
    """Where a rendered object came from: kustomize's origin annotation, else the object of
    the same kind whose name the rendered name is or holds (a name prefix or suffix), when
    exactly one does; its line when that object is found in the file."""
    from hullcheck.inputs.kustomize import origin_path

    annotations = obj.metadata.get("annotations")
    named = origin_path(annotations.get(ORIGIN_ANNOTATION)) if isinstance(
        annotations, dict) else None
    same_kind = [o for o in native if o.kind == obj.kind]
    if named is not None:
        path = posixpath.normpath(posixpath.join(unit_dir, named))
        if path.startswith("../") or path == "..":
            return None
        in_file = [o for o in same_kind if o.path == path]
        match = _by_name(obj, in_file)
        return SourceRef(path, match.name_line if match is not None else None)
    match = _by_name(obj, same_kind)
    return SourceRef(match.path, match.name_line) if match is not None else None


def _by_name(obj: KubeObject, candidates: list[KubeObject]) -> KubeObject | None:
    exact = [o for o in candidates if o.name == obj.name]
    if len(exact) == 1:
        return exact[0]
    held = [o for o in candidates if o.name in obj.name]
    return held[0] if len(held) == 1 else None


def stream_origins(source: Source, objects: list[KubeObject]) -> dict[int, SourceRef]:
    """A rendered stream piped in (``helm template ... | hullcheck scan -``): each object's
    template from the ``# Source:`` comments, or kustomize's origin annotation (the file as
    the stream names it; no line)."""
    from hullcheck.inputs.helm import source_at, split_stream
    from hullcheck.inputs.kustomize import origin_path

    out: dict[int, SourceRef] = {}
    sections = split_stream(source.text) if "# Source: " in source.text else []
    for obj in objects:
        template = source_at(sections, obj.line) if sections else None
        if template is None:
            annotations = obj.metadata.get("annotations")
            if isinstance(annotations, dict):
                template = origin_path(annotations.get(ORIGIN_ANNOTATION))
        if template is not None:
            out[id(obj)] = SourceRef(template, None)
    return out
