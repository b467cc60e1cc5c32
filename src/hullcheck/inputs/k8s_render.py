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

import dataclasses
import os
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hullcheck.findings import Finding, InputError, SkippedPath
from hullcheck.models.location import SourceRef, UnitRef
from hullcheck.models.manifests import Unit
from hullcheck.sources import Source
from hullcheck.suppress import Suppression, finding_matches

if TYPE_CHECKING:
    from hullcheck.inputs import Loaded
    from hullcheck.inputs.k8s_units import Units
    from hullcheck.inputs.render import Budget
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
    # A native object (by id) -> the refs of the rendered objects made from it.
    made_from: dict[int, list[str]] = field(default_factory=dict)

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
                  loaded: Loaded, budget: Budget) -> list[Unit]:
    """Each chart rendered into one unit; a chart that is not is skipped once, with why."""
    from hullcheck.inputs.helm import render, source_at, source_path

    out: list[Unit] = []
    for chart in charts:
        assert chart.fs_path is not None
        directory = str(chart.fs_path.parent)
        display = _dir_of(chart.path)
        named = chart.root is None or os.path.realpath(directory) == chart.root
        result = render(directory, chart.root, options, budget)
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
        starts: list[tuple[int, KubeObject]] = []
        for obj in _load(result.text, display, namespace, loaded, "as rendered by helm"):
            template = source_at(result.sections, obj.line)
            path = source_path(display, template) if template else None
            starts.append((obj.line, obj))
            obj.path = path or chart.path
            unit.origins[(obj.path, obj.ref)] = SourceRef(obj.path, None)
            unit.objects.append(obj)
        loaded.suppressions.extend(_stream_suppressions(result.text, display, starts,
                                                        loaded.warnings))
        out.append(unit)
    return out


class ObjectSuppression(Suppression):
    """An inline ignore in a file whose objects were rendered: it covers the rendered objects
    made from the object it sits in (``objects``, refs), in that file; within the object, not
    just its block, since a rendered object's findings have no line of the file."""

    def __init__(self, base: Suppression, objects: list[str]) -> None:
        super().__init__(base.selectors, base.by, base.path, reason=base.reason,
                         line=base.line)
        self.objects = frozenset(objects)

    def covers(self, f: Finding) -> bool:
        loc = f.location
        return (loc.path == self.path and loc.object in self.objects
                and any(finding_matches(s, f) for s in self.selectors))


def _containing(starts: list[tuple[int, KubeObject]], line: int) -> KubeObject | None:
    """The object whose text holds ``line``: the last one starting at or before it."""
    found = None
    for start, obj in sorted(starts, key=lambda item: item[0]):
        if start > line:
            break
        found = obj
    return found


def _stream_suppressions(text: str, display: str, starts: list[tuple[int, KubeObject]],
                         warnings: list[str]) -> list[Suppression]:
    """Inline ignores in a rendered stream (helm keeps a template's comments): each covers the
    object it lands in, in that object's template; ``ignore-file`` covers the template."""
    from hullcheck.inputs.yaml_suppressions import yaml_suppressions

    out: list[Suppression] = []
    said: list[str] = []
    for sup in yaml_suppressions(display, text, said):
        obj = _containing(starts, sup.line or 0)
        if obj is None:
            continue
        if sup.start is None and sup.object is None:  # ignore-file: the template
            out.append(Suppression(sup.selectors, sup.by, obj.path, reason=sup.reason))
            continue
        target = _containing(starts, sup.start or 0) or obj
        sup.line = None  # a line of the stream is no line of the template
        out.append(ObjectSuppression(dataclasses.replace(sup, path=target.path),
                                     [target.ref]))
    warnings.extend(f"{display}: as rendered by helm: {w.split(': ', 1)[-1]}" for w in said)
    return out


def convert_suppressions(suppressions: list[Suppression], objects: list[KubeObject],
                         made_from: dict[int, list[str]]) -> list[Suppression]:
    """The inline ignores of a file only rendered units hold, made to cover the rendered
    objects made from the object each sits in (kustomize drops comments). One that reaches no
    rendered object is kept as it is (so it is reported unused)."""
    starts = [(o.line, o) for o in objects]
    out: list[Suppression] = []
    for sup in suppressions:
        native = _containing(starts, sup.start) if sup.start and sup.start > 0 else None
        refs = made_from.get(id(native), []) if native is not None else []
        out.append(ObjectSuppression(sup, refs) if refs else sup)
    return out


def render_kustomizations(units: Units, by_source: dict[int, list[KubeObject]],
                          namespace: str, loaded: Loaded, made_from: dict[int, list[str]],
                          budget: Budget) -> dict[UnitRef, Unit]:
    """Each kustomize unit rendered where a renderer can and may; the others are judged from
    their resources as resolved natively, said once per unit."""
    out: dict[UnitRef, Unit] = {}
    if not units.kustomizations:
        return out
    # Imported only now: a scan without a kustomization never loads the renderer.
    from hullcheck.inputs.kustomize import NO_RENDERER, find_renderer, render, unsafe
    from hullcheck.inputs.render import MAX_RENDER_DOCUMENTS, RenderFailed

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
            text = render(top.directory, renderer, budget)
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
            source, match = _origin(obj, ref.path, native)
            if source is None:
                source = SourceRef(top.source.path, None)
            if match is not None:
                made_from.setdefault(id(match), []).append(obj.ref)
            obj.path = source.path
            unit.origins[(obj.path, obj.ref)] = source
            unit.objects.append(obj)
        out[ref] = unit
    return out


def _origin(obj: KubeObject, unit_dir: str, native: list[KubeObject]
            ) -> tuple[SourceRef | None, KubeObject | None]:
    """Where a rendered object came from: kustomize's origin annotation, else the object of
    the same kind whose name the rendered name is or holds (a name prefix or suffix), when
    exactly one does; its line when that object is found in the file. With the object it was
    made from, when found."""
    from hullcheck.inputs.kustomize import origin_path

    annotations = obj.metadata.get("annotations")
    named = origin_path(annotations.get(ORIGIN_ANNOTATION)) if isinstance(
        annotations, dict) else None
    same_kind = [o for o in native if o.kind == obj.kind]
    if named is not None:
        path = posixpath.normpath(posixpath.join(unit_dir, named))
        if path.startswith("../") or path == "..":
            return None, None
        in_file = [o for o in same_kind if o.path == path]
        match = _by_name(obj, in_file)
        return SourceRef(path, match.name_line if match is not None else None), match
    match = _by_name(obj, same_kind)
    if match is None:
        return None, None
    return SourceRef(match.path, match.name_line), match


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
