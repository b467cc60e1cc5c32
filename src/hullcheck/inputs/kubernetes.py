"""Kubernetes manifests: every document of every file, ``List`` kinds, ``kubectl get -o yaml``
dumps, rendered Helm/kustomize output on stdin.

A document is a Kubernetes object when it has ``apiVersion`` and ``kind``; other YAML is skipped,
not an error. All objects of one scan are analysed together so that cross-resource rules see the
whole graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hullcheck.findings import InputError, Report
from hullcheck.models.kubernetes import CLUSTER_SCOPED, KubeObject
from hullcheck.yamlutil import Document, LineDict, YamlError, load_documents

if TYPE_CHECKING:
    from hullcheck.engine import Engine
    from hullcheck.sources import Source


def _documents(source: Source) -> list[Document] | YamlError:
    def load() -> list[Document] | YamlError:
        try:
            return load_documents(source.text)
        except YamlError as exc:
            return exc

    result: list[Document] | YamlError = source.cached("yaml", load)
    return result


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


def analyze(sources: list[Source], engine: Engine) -> Report:
    report = Report()
    default_namespace = engine.ctx.options.get("namespace") or "default"
    objects: list[KubeObject] = []
    for source in sources:
        objects.extend(load_objects(source, default_namespace, report.errors))
    # Workload-level hooks (pods, containers) and the cross-resource graph are added by the
    # Kubernetes issues; with the objects loaded, rules that need the whole set get it here.
    if engine.has("check_objects"):
        report.findings.extend(engine.run("check_objects", objects, where="kubernetes"))
    return report
