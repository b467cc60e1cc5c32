"""Kubernetes manifests: every document of every file, ``List`` kinds, ``kubectl get -o yaml``
dumps, rendered Helm/kustomize output on stdin.

A document is a Kubernetes object when it has ``apiVersion`` and ``kind``; other YAML is skipped,
not an error. All objects of one scan are analysed together so that cross-resource rules see the
whole graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError
from hullcheck.inputs import Loaded
from hullcheck.inputs.k8s_objects import MAX_LISTED, last_wins, served_problem
from hullcheck.models.kubernetes import CLUSTER_SCOPED, KubeObject
from hullcheck.models.manifests import Manifests, Workload
from hullcheck.models.pod import (
    LATEST_VERSION,
    Pod,
    PssPolicy,
    controlled_in_scan,
    parse_version,
    pod_of,
)
from hullcheck.suppress import Suppression
from hullcheck.yamlutil import Document, LineDict, YamlError

if TYPE_CHECKING:
    from hullcheck.inputs.k8s_render import Rendered
    from hullcheck.inputs.k8s_units import Units
    from hullcheck.models.container import ContainerSpec
    from hullcheck.models.limit_range import ContainerDefaults
    from hullcheck.models.location import SourceRef
    from hullcheck.options import RunOptions
    from hullcheck.sources import Source


def _documents(source: Source) -> list[Document] | YamlError:
    return source.yaml_documents()


def _is_object(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
    )


def sniff(source: Source) -> bool:
    """Any document with apiVersion and kind (JSON manifests included)."""
    docs = _documents(source)
    if isinstance(docs, YamlError):
        # Broken YAML that looks like a manifest is still ours, so the error is reported.
        return "apiVersion:" in source.text and "kind:" in source.text
    return any(_is_object(d.data) for d in docs)


def load_objects(
    source: Source, default_namespace: str, errors: list[InputError]
) -> list[KubeObject]:
    docs = _documents(source)
    if isinstance(docs, YamlError):
        errors.append(InputError(source.path, f"invalid YAML: {docs}"))
        return []
    objects: list[KubeObject] = []
    for doc in docs:
        for line, key in doc.duplicate_keys:
            errors.append(InputError(source.path, f"line {line}: duplicate key {key!r}"))
        data = doc.data
        if not _is_object(data):
            continue
        items: list[Any] = [data]
        if str(data["kind"]).endswith("List") and isinstance(data.get("items"), list):
            items = [i for i in data["items"] if _is_object(i)]
        for item in items:
            obj = _object(item, source.path, default_namespace)
            if obj is not None:
                objects.append(obj)
    return objects


def _object(data: LineDict, path: str, default_namespace: str) -> KubeObject | None:
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    kind = str(data["kind"])
    namespace: str | None
    defaulted = False
    if kind in CLUSTER_SCOPED:
        namespace = None
    elif meta.get("namespace"):
        namespace = str(meta["namespace"])
    else:
        namespace = default_namespace
        defaulted = True
    return KubeObject(
        api_version=str(data["apiVersion"]),
        kind=kind,
        name=str(name),
        namespace=namespace,
        data=data,
        path=path,
        line=getattr(data, "line", 1),
        namespace_defaulted=defaulted,
    )


def _apply_crd_scopes(objects: list[KubeObject]) -> None:
    """Custom resources of a kind a CustomResourceDefinition in the scan declares
    ``scope: Cluster`` have no namespace (the loader can only know the built-in kinds)."""
    cluster_kinds: set[tuple[str, str]] = set()
    for obj in objects:
        if obj.kind != "CustomResourceDefinition":
            continue
        spec = obj.data.get("spec")
        if not isinstance(spec, dict) or spec.get("scope") != "Cluster":
            continue
        names = spec.get("names")
        if isinstance(names, dict) and names.get("kind"):
            cluster_kinds.add((str(spec.get("group") or ""), str(names["kind"])))
    if not cluster_kinds:
        return
    for obj in objects:
        group = obj.api_version.rsplit("/", 1)[0] if "/" in obj.api_version else ""
        if obj.namespace_defaulted and (group, obj.kind) in cluster_kinds:
            obj.namespace = None
            obj.namespace_defaulted = False


PSS_LEVELS = ("privileged", "baseline", "restricted")
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"
IGNORE_ANNOTATION = "hullcheck.dev/ignore"


def namespace_policies(objects: list[KubeObject], default: PssPolicy, warnings: list[str]
                       ) -> dict[str, PssPolicy]:
    """The enforce level/version each Namespace in the scan sets, resolved the way
    pod-security-admission's ``PolicyToEvaluate`` does: the flags are the defaults, a label
    overrides its half, and an unparsable label means ``restricted`` / ``latest``."""
    out: dict[str, PssPolicy] = {}
    for obj in objects:
        if obj.kind != "Namespace" or obj.api_version != "v1":
            continue
        labels = obj.labels
        if ENFORCE_LABEL not in labels and ENFORCE_VERSION_LABEL not in labels:
            continue
        level, version = default.level, default.version
        if ENFORCE_LABEL in labels:
            level = labels[ENFORCE_LABEL]
            if level not in PSS_LEVELS:
                warnings.append(f"{obj.path}: {obj.ref}: invalid {ENFORCE_LABEL} {level!r}; "
                                "the API server uses restricted")
                level = "restricted"
        if ENFORCE_VERSION_LABEL in labels:
            text = labels[ENFORCE_VERSION_LABEL]
            if not _VERSION_LABEL.match(text):
                warnings.append(f"{obj.path}: {obj.ref}: invalid {ENFORCE_VERSION_LABEL} "
                                f"{text!r}; the API server uses latest")
                version = LATEST_VERSION
            else:
                version = parse_version(text)
        out[obj.name] = PssPolicy(level, version, f"{obj.ref} labels")
    return out


_VERSION_LABEL = re.compile(r"^(latest|v1\.(0|[1-9][0-9]*))$")


def annotation_suppressions(pod: Pod) -> list[Suppression]:
    """``hullcheck.dev/ignore: "ID[,ID] [reason]"`` on the workload or its pod template covers
    every finding of the object; ``hullcheck.dev/ignore.<container>`` one container's."""
    out: list[Suppression] = []
    owner = pod.owner
    sources: list[Any] = [owner.metadata]
    if pod.metadata is not owner.metadata:
        sources.append(pod.metadata)
    for meta in sources:
        ann = meta.get("annotations") if isinstance(meta, dict) else None
        if not isinstance(ann, LineDict):
            continue
        for key, value in ann.items():
            key = str(key)
            if key != IGNORE_ANNOTATION and not key.startswith(IGNORE_ANNOTATION + "."):
                continue
            container = key[len(IGNORE_ANNOTATION) + 1 :] or None
            ids, _, reason = str(value or "").strip().partition(" ")
            selectors = [i.strip() for i in ids.split(",") if i.strip()]
            if not selectors:
                continue
            out.append(Suppression(selectors, "annotation", owner.path, object=owner.ref,
                                   container=container, reason=reason.strip() or None,
                                   line=ann.line_of(key)))
    return out


def object_suppressions(obj: KubeObject) -> list[Suppression]:
    """The ignore annotation on any non-workload object (a Namespace, a Role...)."""
    ann = obj.metadata.get("annotations")
    if not isinstance(ann, LineDict) or IGNORE_ANNOTATION not in ann:
        return []
    ids, _, reason = str(ann[IGNORE_ANNOTATION] or "").strip().partition(" ")
    selectors = [i.strip() for i in ids.split(",") if i.strip()]
    if not selectors:
        return []
    return [Suppression(selectors, "annotation", obj.path, object=obj.ref,
                        reason=reason.strip() or None, line=ann.line_of(IGNORE_ANNOTATION))]


def _served(objects: list[KubeObject], minor: int, errors: list[InputError],
            rendered: set[int] | None = None, warnings: list[str] | None = None
            ) -> list[KubeObject]:
    """The objects the API server at 1.<minor> accepts; each other one an input error (a
    warning for an object a renderer produced: a chart or kustomization never fails a scan)."""
    out: list[KubeObject] = []
    refused: list[KubeObject] = []
    for obj in objects:
        problem = served_problem(obj, minor)
        if problem is None:
            out.append(obj)
            continue
        if rendered and warnings is not None and id(obj) in rendered:
            warnings.append(f"{obj.path}: {obj.kind}/{obj.name} as rendered: {problem}")
            continue
        refused.append(obj)
        if len(refused) <= MAX_LISTED:
            errors.append(InputError(obj.path, f"line {obj.line}: {obj.kind}/{obj.name}: "
                                               f"{problem}"))
    if len(refused) > MAX_LISTED:
        errors.append(InputError(refused[MAX_LISTED].path,
                                 f"{len(refused) - MAX_LISTED} more objects the API server "
                                 "would refuse (not listed)"))
    return out


def load(sources: list[Source], options: RunOptions) -> Loaded:
    """Every object of the batch as one ``Manifests`` model: the workloads to judge (a pod
    template whose controller is in the scan is judged there, once) with their Pod Security
    policy and containers, and the suppressions the files and annotations carry."""
    from hullcheck.inputs.helm import is_chart
    from hullcheck.inputs.k8s_render import (
        Rendered,
        convert_suppressions,
        render_charts,
        render_kustomizations,
        stream_origins,
    )
    from hullcheck.inputs.k8s_units import assign, is_kustomization
    from hullcheck.inputs.render import Budget
    from hullcheck.inputs.yaml_suppressions import yaml_suppressions
    from hullcheck.models.limit_range import defaults_by_namespace

    loaded = Loaded()
    default_namespace = options.get("namespace") or "default"
    objects: list[KubeObject] = []
    kustomizations = [s for s in sources if is_kustomization(s)]
    charts = [s for s in sources if is_chart(s)]
    if kustomizations or charts:
        sources = [s for s in sources if not is_kustomization(s) and not is_chart(s)]
    by_source: dict[int, list[KubeObject]] = {}
    origins: dict[int, SourceRef] = {}  # an object of a rendered stream on stdin -> template
    sups: dict[int, list[Suppression]] = {}  # inline ignores, by source
    for source in sources:
        found = load_objects(source, default_namespace, loaded.errors)
        by_source[id(source)] = found
        objects.extend(found)
        if found:
            sups[id(source)] = yaml_suppressions(source.path, source.text, loaded.warnings)
            if source.fs_path is None:
                origins.update(stream_origins(source, found))
    units = assign(sources, kustomizations, str(options.get("unit") or "dir"), loaded.errors,
                   loaded.warnings)
    # Charts and kustomizations rendered: their objects replace what the files say.
    budget = Budget()
    rendered = Rendered(render_charts(charts, options, default_namespace, loaded, budget))
    if str(options.get("unit") or "dir") == "dir":
        rendered.kustomize = render_kustomizations(units, by_source, default_namespace, loaded,
                                                   rendered.made_from, budget)
    # A file only rendered kustomizations hold: its inline ignores cover what was made from it.
    only_rendered = _only_rendered(units, rendered)
    for source in sources:
        found_sups = sups.get(id(source), [])
        if id(source) in only_rendered:
            found_sups = convert_suppressions(found_sups, by_source[id(source)],
                                              rendered.made_from)
        loaded.suppressions.extend(found_sups)
    if only_rendered:  # what the files say is not what is deployed: judged as rendered only
        dropped = {id(o) for key in only_rendered for o in by_source[key]}
        objects = [o for o in objects if id(o) not in dropped]
    objects.extend(rendered.objects())
    _apply_crd_scopes(objects)

    level = str(options.get("pss_level") or "restricted")
    try:
        version = parse_version(str(options.get("kubernetes_version") or "latest"))
    except ValueError as exc:
        loaded.errors.append(InputError("--kubernetes-version", str(exc)))
        version = LATEST_VERSION
    objects = _served(objects, version[1], loaded.errors,
                      {id(o) for o in rendered.objects()}, loaded.warnings)
    default = PssPolicy(level, version, "--pss-level")

    manifests = Manifests(objects)
    served = {id(o) for o in objects}  # what the API server would take (not refused above)
    for key, found in by_source.items():
        by_source[key] = [o for o in found if id(o) in served]
    _deployable_units(manifests, units, by_source, rendered, origins, served)
    # Each unit's objects as `kubectl apply` leaves them: the last of a kind/namespace/name,
    # within the unit and never across units (the same name in two units is two objects). An
    # object replaced in every unit that holds it is judged nowhere.
    objects = _last_wins_per_unit(manifests, loaded.warnings)
    # A pod is judged with what its own unit says of its namespace (Pod Security labels,
    # LimitRange defaults) and of its controller, never with another unit's objects: the unit
    # its file reports in (the first that holds it), or the whole batch without units.
    contexts: dict[int, _UnitContext] = {}
    said: list[str] = []
    for obj in objects:
        unit_objects = manifests.objects_of_unit(obj)
        ctx = contexts.get(id(unit_objects))
        if ctx is None:
            ctx = contexts[id(unit_objects)] = _UnitContext(
                namespace_policies(unit_objects, default, said),
                defaults_by_namespace(unit_objects), controlled_in_scan(unit_objects))
        pod = pod_of(obj)
        if pod is None or id(obj) in ctx.controlled:
            # A pod template whose controller is in the scan is judged there, once.
            loaded.suppressions.extend(object_suppressions(obj))
            continue
        pod.pss = ctx.policies.get(obj.namespace or "", default)
        loaded.suppressions.extend(annotation_suppressions(pod))
        defaults = ctx.limit_ranges.get(obj.namespace or "default")
        manifests.workloads.append(Workload(pod, partial(_containers, pod, defaults)))
    loaded.warnings.extend(dict.fromkeys(said))  # a namespace two units share: said once
    if options.get("resolve_images"):  # else no image is read, and the image models not loaded
        from hullcheck.inputs.image.resolve import attach_images

        attach_images((c for w in manifests.workloads for c in w.containers), options, loaded)
    loaded.models.append(manifests)
    return loaded


def _containers(pod: Pod, defaults: ContainerDefaults | None) -> list[ContainerSpec]:
    """A pod's containers as the container rules judge them (``Workload.containers``)."""
    from hullcheck.inputs.k8s_container import container_spec

    return [container_spec(pod, c, defaults) for c in pod.containers]


@dataclass
class _UnitContext:
    """What one unit says of namespaces and controllers, for the pods judged in it."""

    policies: dict[str, PssPolicy]
    limit_ranges: dict[str, ContainerDefaults]
    controlled: set[int]


def _last_wins_per_unit(manifests: Manifests, warnings: list[str]) -> list[KubeObject]:
    """The objects that survive in at least one unit, each unit (or the whole batch, without
    units) reduced by ``last_wins``; a redefinition seen in several units is warned about once."""
    if not manifests.units:
        manifests.objects = last_wins(manifests.objects, warnings)
        return manifests.objects
    said: list[str] = []
    for unit in manifests.units:
        unit.objects = last_wins(unit.objects, said)
    warnings.extend(dict.fromkeys(said))
    kept = {id(o) for unit in manifests.units for o in unit.objects}
    manifests.objects = [o for o in manifests.objects if id(o) in kept]
    return manifests.objects


def _only_rendered(units: Units, rendered: Rendered) -> set[int]:
    """The sources (ids) every unit holding them rendered."""
    if not rendered.kustomize:
        return set()
    inside: set[int] = set()
    outside: set[int] = set()
    for ref, members in units.judged:
        (inside if ref in rendered.kustomize else outside).update(id(s) for s in members)
    return inside - outside


def _deployable_units(manifests: Manifests, units: Units, by_source: dict[int, list[KubeObject]],
                      rendered: Rendered, origins: dict[int, SourceRef], served: set[int]
                      ) -> None:
    """The units cross-resource rules judge one at a time (``hullcheck.inputs.k8s_units``): a
    rendered kustomization's objects replace its files', and each chart is a unit of its own."""
    from hullcheck.models.manifests import Unit

    for ref, members in units.judged:
        unit = rendered.kustomize.get(ref)
        if unit is None:
            unit = Unit(ref, [o for s in members for o in by_source[id(s)]])
        manifests.units.append(unit)
    manifests.units.extend(rendered.charts)
    for unit in manifests.units:
        unit.objects = [o for o in unit.objects if id(o) in served]
        if unit.rendered:
            for obj in unit.objects:
                manifests.unit_by_object[id(obj)] = unit
        elif origins:
            for obj in unit.objects:
                if id(obj) in origins:
                    unit.origins[(obj.path, obj.ref)] = origins[id(obj)]
    manifests.unit_of = units.home
