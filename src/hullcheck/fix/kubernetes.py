"""The Kubernetes edits of ``hullcheck fix``: a finding's object (``Kind/namespace/name``) and
container are found again in the round-trip documents, and the field the rule asks for is set.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap

from hullcheck.findings import Finding
from hullcheck.fix.yamledit import EditRefused, Node, YamlFile, documents, flow_seq
from hullcheck.models.pod import _WORKLOADS, CONTAINER_LISTS

LIST_KIND_SUFFIX = "List"


def _objects(f: YamlFile) -> list[Node]:
    """Every object of the file, ``items`` of List kinds included."""
    found: list[Node] = []
    for doc in documents(f):
        if not isinstance(doc.value, CommentedMap):
            continue
        kind = doc.value.get("kind")
        items = doc.child("items")
        if isinstance(kind, str) and kind.endswith(LIST_KIND_SUFFIX) and items is not None:
            found += [n for i in range(len(items.value) if isinstance(items.value, list) else 0)
                      if (n := items.child(i)) is not None]
        else:
            found.append(doc)
    return found


def _by_kind_and_name(f: YamlFile) -> dict[tuple[Any, Any], list[Node]]:
    """The file's objects by (kind, name), built once per file (a stream of thousands of
    objects is looked up once per finding)."""
    index: dict[tuple[Any, Any], list[Node]] | None = f.memo.get("objects")
    if index is None:
        index = {}
        for obj in _objects(f):
            v = obj.value
            meta = v.get("metadata") if isinstance(v, CommentedMap) else None
            if isinstance(meta, CommentedMap):
                key = (str(v.get("kind")), str(meta.get("name")))
                index.setdefault(key, []).append(obj)
        f.memo["objects"] = index
    return index


def find_object(f: YamlFile, finding: Finding) -> Node:
    ref = finding.location.object or ""
    parts = ref.split("/")
    if len(parts) not in (2, 3):
        raise EditRefused(f"no object named {ref!r}")
    kind, name, namespace = parts[0], parts[-1], parts[1] if len(parts) == 3 else None
    matches = []
    for obj in _by_kind_and_name(f).get((kind, name), []):
        meta = obj.value["metadata"]
        ns = meta.get("namespace")
        if namespace is not None and ns is not None and ns != namespace:
            continue
        matches.append(obj)
    if not matches:
        raise EditRefused(f"{ref} is not in this file as written (rendered or generated?)")
    # The same object twice in one stream: the one the finding's line falls in.
    line = finding.location.line or 0
    before = [m for m in matches if (m.line() or 0) <= line]
    return (before or matches)[-1]


def pod_spec(obj: Node) -> Node:
    kind = obj.value.get("kind")
    if kind not in _WORKLOADS:
        raise EditRefused(f"{kind} is not a workload hullcheck knows the pod template of")
    template = obj.path(*_WORKLOADS[kind][1])
    spec = template.child("spec") if template is not None else None
    if spec is None or not isinstance(spec.value, CommentedMap):
        raise EditRefused("the object has no pod spec")
    return spec


def find_container(spec: Node, name: str | None) -> Node:
    for lst in CONTAINER_LISTS:
        seq = spec.child(lst)
        if seq is None or not isinstance(seq.value, list):
            continue
        for i, c in enumerate(seq.value):
            if isinstance(c, CommentedMap) and c.get("name") == name:
                node = seq.child(i)
                assert node is not None
                return node
    raise EditRefused(f"no container named {name!r} in the pod spec")


def _target(f: Any, finding: Finding) -> tuple[Node, Node]:
    """(pod spec, container) of the finding."""
    spec = pod_spec(find_object(f, finding))
    return spec, find_container(spec, finding.location.container)


def _sc(node: Node) -> Node:
    return node.mapping("securityContext")


def allow_privilege_escalation(f: Any, finding: Finding) -> None:
    _spec, c = _target(f, finding)
    sc = c.value.get("securityContext")
    caps = sc.get("capabilities") if isinstance(sc, CommentedMap) else None
    added = caps.get("add") if isinstance(caps, CommentedMap) else None
    # The API server refuses allowPrivilegeEscalation: false beside either of these.
    if isinstance(sc, CommentedMap) and sc.get("privileged") is True:
        raise EditRefused("the container is privileged (the API server refuses "
                          "allowPrivilegeEscalation: false with privileged: true)")
    # Only the verbatim string: validation compares "CAP_SYS_ADMIN" as written, as K8S014 does
    # (a container adding "SYS_ADMIN" may set allowPrivilegeEscalation: false).
    if isinstance(added, list) and "CAP_SYS_ADMIN" in {str(a) for a in added}:
        raise EditRefused("the container adds CAP_SYS_ADMIN (the API server refuses "
                          "allowPrivilegeEscalation: false with it)")
    _sc(c).set("allowPrivilegeEscalation", False)


def run_as_non_root(f: Any, finding: Finding) -> None:
    spec = pod_spec(find_object(f, finding))
    c = find_container(spec, finding.location.container) if finding.evidence != "pod" else None
    # A user known to be non-root but in root's group is CT031's finding: making it known here
    # would trade this finding for that one.
    for holder in (spec, c):
        sc = holder.value.get("securityContext") if holder is not None else None
        if isinstance(sc, CommentedMap) and (
                sc.get("runAsGroup") == 0 or 0 in (sc.get("supplementalGroups") or ())):
            raise EditRefused("the pod runs in root's group (runAsGroup or supplementalGroups "
                              "0): fix that first (CT031)")
    _sc(c if c is not None else spec).set("runAsNonRoot", True)


def seccomp_runtime_default(f: Any, finding: Finding) -> None:
    spec, c = _target(f, finding) if finding.location.container else (
        pod_spec(find_object(f, finding)), None)
    holder = spec if finding.evidence.startswith("pod=") or c is None else c
    profile = _sc(holder).mapping("seccompProfile")
    profile.set("type", "RuntimeDefault")
    # a Localhost profile's file name means nothing to RuntimeDefault
    if "localhostProfile" in profile.value:
        del profile.writable()["localhostProfile"]


def drop_all_capabilities(f: Any, finding: Finding) -> None:
    if "adds" in finding.evidence:
        raise EditRefused("the container also adds capabilities; decide which it needs by hand")
    _spec, c = _target(f, finding)
    caps = _sc(c).mapping("capabilities")
    drop = caps.child("drop")
    if drop is None:
        caps.set("drop", flow_seq("ALL"))
    elif isinstance(drop.value, list):
        if "ALL" not in drop.value:
            drop.writable().append("ALL")
    else:
        raise EditRefused("securityContext.capabilities.drop is not a list")


def read_only_root(f: Any, finding: Finding) -> None:
    _spec, c = _target(f, finding)
    _sc(c).set("readOnlyRootFilesystem", True)


def no_token_automount(f: Any, finding: Finding) -> None:
    spec = pod_spec(find_object(f, finding))
    spec.set("automountServiceAccountToken", False)


# A namespace name as the API server takes it (an RFC 1123 label): it becomes part of a file name.
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
POLICY_NAME = "default-deny"


def default_deny_policy(_f: Any, finding: Finding) -> tuple[str, str]:
    """KNS005: a new file holding a NetworkPolicy that selects every pod of the namespace and
    allows nothing, in and out (the rule's own "How to fix")."""
    ns = finding.evidence.removeprefix("ns=")
    if not _NAMESPACE.match(ns):
        raise EditRefused("the namespace name is not a valid Kubernetes name")
    text = (f"# Written by hullcheck fix (KNS005): no connection reaches or leaves a pod of\n"
            f"# namespace {ns} unless another NetworkPolicy allows it.\n"
            "apiVersion: networking.k8s.io/v1\n"
            "kind: NetworkPolicy\n"
            "metadata:\n"
            f"  name: {POLICY_NAME}\n"
            f"  namespace: {ns}\n"
            "spec:\n"
            "  podSelector: {}\n"
            "  policyTypes: [Ingress, Egress]\n")
    return f"networkpolicy-{POLICY_NAME}-{ns}.yaml", text


def pin_image(f: Any, finding: Finding) -> None:
    """CT028: the container's image with the engine's digest appended, quoted as it was."""
    from hullcheck.fix.digests import pinned
    from hullcheck.fix.yamledit import like

    _spec, c = _target(f, finding)
    current = c.value.get("image")
    if not isinstance(current, str):
        raise EditRefused("the container names no image")
    c.set("image", like(current, pinned(str(current))))
