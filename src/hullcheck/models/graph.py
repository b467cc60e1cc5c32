"""Every object of one scan as a graph: what selects, binds, exposes and grants what.

Built once per scan (``graph_for(objects)`` memoises it on the list the input hands to
``check_objects``) and shared by every cluster rule. All lookups are indexed so that the cost stays
linear in the number of objects: pods are indexed per namespace by label, so a selector looks at
the pods carrying one of its labels rather than at every pod (no pods x policies blow-up).

Semantics follow Kubernetes exactly:
- a ``LabelSelector`` ANDs ``matchLabels`` and ``matchExpressions`` (``In``, ``NotIn``, ``Exists``,
  ``DoesNotExist``); an empty selector ``{}`` selects everything, an unknown operator makes the
  object invalid (the API server would reject it), so it selects nothing here;
- a Service's ``selector`` is a plain map; an empty or absent one selects no pod (its endpoints are
  managed by hand);
- a NetworkPolicy's ``policyTypes`` defaults to ``[Ingress]``, plus ``Egress`` when it has egress
  rules;
- RBAC: ``*`` matches every verb, resource (subresources included), API group; ``*/<sub>`` every
  resource's subresource; an aggregated ClusterRole holds the rules of every ClusterRole its
  ``clusterRoleSelectors`` match (chains followed: view -> edit -> admin), the built-in ones
  included; a built-in ClusterRole (cluster-admin, admin, edit, view) is what the API server
  reconciles at start-up: a same-named role of the scan adds to its defaults, never removes
  them, unless annotated ``rbac.authorization.kubernetes.io/autoupdate: "false"``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from hullcheck.models.kubernetes import KubeObject
from hullcheck.models.lines import LineDict, LineList
from hullcheck.models.pod import WORKLOAD_KINDS, PodContainer, controlled_in_scan, pod_of

# --------------------------------------------------------------------------------------------
# Pod templates

# One notion of "workload" for the whole tool: models.pod decides which kinds (and API groups)
# carry a pod template and where it is.
@dataclass
class PodTemplate:
    """A workload's pod: the object that defines it, the pod's metadata and spec."""

    obj: KubeObject
    meta: dict[str, Any]
    spec: dict[str, Any]
    labels: dict[str, str]
    index: int = -1  # position in ObjectGraph.pods

    @property
    def namespace(self) -> str:
        return self.obj.namespace or "default"

    @property
    def ref(self) -> str:
        return self.obj.ref

    def containers(self, init: bool = True, ephemeral: bool = True) -> list[PodContainer]:
        """The pod's containers, as ``models.pod`` sees them: init containers, containers,
        ephemeral containers (``init=False``: the containers alone; ``ephemeral=False``:
        without the ephemeral ones, which can have neither resources nor ports)."""
        if not init:
            keys: tuple[str, ...] = ("containers",)
        else:
            keys = ("initContainers", "containers", "ephemeralContainers") if ephemeral else \
                ("initContainers", "containers")
        pod = pod_of(self.obj)  # cached on the object: the one Pod every rule shares
        return pod.containers_in(*keys) if pod is not None else []

    def line_of(self, key: str) -> int:
        if isinstance(self.spec, LineDict) and self.spec.has_line(key):
            return self.spec.line_of(key)
        return self.obj.name_line

    @property
    def service_account(self) -> str:
        name = self.spec.get("serviceAccountName") or self.spec.get("serviceAccount")
        return str(name) if name else "default"


def pod_template(obj: KubeObject) -> PodTemplate | None:
    """``(object, pod metadata, pod spec)`` for every kind that runs pods, else None."""
    pod = pod_of(obj)
    if pod is None:
        return None
    raw = pod.metadata.get("labels")
    labels = {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    return PodTemplate(obj=obj, meta=pod.metadata, spec=pod.spec, labels=labels)


# --------------------------------------------------------------------------------------------
# Label selectors

_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


def _label_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@dataclass(frozen=True)
class Selector:
    """A compiled ``LabelSelector`` (or a Service's plain selector map)."""

    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, str, frozenset[str]], ...] = ()
    valid: bool = True

    @property
    def is_empty(self) -> bool:
        """``{}``: selects everything (in its scope)."""
        return self.valid and not self.match_labels and not self.expressions

    def matches(self, labels: dict[str, str]) -> bool:
        if not self.valid:
            return False
        for k, v in self.match_labels:
            if labels.get(k) != v:
                return False
        for key, op, values in self.expressions:
            present = key in labels
            if op == "In":
                if not present or labels[key] not in values:
                    return False
            elif op == "NotIn":
                if present and labels[key] in values:
                    return False
            elif op == "Exists":
                if not present:
                    return False
            elif op == "DoesNotExist" and present:
                return False
        return True

    def describe(self) -> str:
        if not self.valid:
            return "an invalid selector"
        if self.is_empty:
            return "{} (every pod)"
        parts = [f"{k}={v}" for k, v in self.match_labels]
        for key, op, values in self.expressions:
            if op in ("In", "NotIn"):
                parts.append(f"{key} {op.lower()} ({','.join(sorted(values))})")
            else:
                parts.append(key if op == "Exists" else f"!{key}")
        return ",".join(parts)


EMPTY_SELECTOR = Selector()
NOTHING = Selector(valid=False)


def label_selector(raw: Any) -> Selector:
    """A ``metav1.LabelSelector``; None/absent is the empty selector (as in NetworkPolicy)."""
    if raw is None:
        return EMPTY_SELECTOR
    if not isinstance(raw, dict):
        return NOTHING
    labels: list[tuple[str, str]] = []
    ml = raw.get("matchLabels")
    if isinstance(ml, dict):
        labels = sorted((str(k), _label_value(v)) for k, v in ml.items())
    elif ml is not None:
        return NOTHING
    exprs: list[tuple[str, str, frozenset[str]]] = []
    me = raw.get("matchExpressions")
    if isinstance(me, list):
        for e in me:
            if not isinstance(e, dict) or str(e.get("operator")) not in _OPERATORS \
                    or not e.get("key"):
                return NOTHING
            op = str(e["operator"])
            vals = e.get("values") or []
            values = frozenset(_label_value(v) for v in vals) if isinstance(vals, list) else None
            if values is None:
                return NOTHING
            # The API server rejects In/NotIn without values and Exists/DoesNotExist with them.
            if (op in ("In", "NotIn")) != bool(values):
                return NOTHING
            exprs.append((str(e["key"]), op, values))
    elif me is not None:
        return NOTHING
    return Selector(tuple(labels), tuple(exprs))


def map_selector(raw: Any) -> Selector:
    """A Service/ReplicationController selector map; empty or absent selects nothing."""
    if not isinstance(raw, dict) or not raw:
        return NOTHING
    return Selector(tuple(sorted((str(k), _label_value(v)) for k, v in raw.items())))


class PodIndex:
    """Pods of one namespace, indexed by label key and value."""

    def __init__(self) -> None:
        self.pods: list[PodTemplate] = []
        self.by_label: dict[tuple[str, str], list[PodTemplate]] = defaultdict(list)
        self.by_key: dict[str, list[PodTemplate]] = defaultdict(list)

    def add(self, pod: PodTemplate) -> None:
        self.pods.append(pod)
        for kv in pod.labels.items():
            self.by_label[kv].append(pod)
            self.by_key[kv[0]].append(pod)

    def select(self, selector: Selector) -> list[PodTemplate]:
        if not selector.valid:
            return []
        if selector.is_empty:
            return list(self.pods)
        # The smallest candidate set any one term allows; then the full test on those only.
        candidates: list[PodTemplate] | None = None
        for kv in selector.match_labels:
            labelled = self.by_label.get(kv, [])
            if candidates is None or len(labelled) < len(candidates):
                candidates = labelled
        for key, op, values in selector.expressions:
            bucket: list[PodTemplate] | None = None
            if op == "In":
                bucket = [p for v in sorted(values) for p in self.by_label.get((key, v), [])]
            elif op == "Exists":
                bucket = self.by_key.get(key, [])
            if bucket is not None and (candidates is None or len(bucket) < len(candidates)):
                candidates = bucket
        if candidates is None:
            candidates = self.pods
        seen: set[int] = set()
        out = []
        for p in candidates:
            if p.index not in seen and selector.matches(p.labels):
                seen.add(p.index)
                out.append(p)
        return out


# --------------------------------------------------------------------------------------------
# NetworkPolicies


@dataclass
class NetworkPolicyInfo:
    obj: KubeObject
    pod_selector: Selector
    types: frozenset[str]  # effective policyTypes
    ingress: list[Any]
    egress: list[Any]

    @property
    def selects_all(self) -> bool:
        return self.pod_selector.is_empty

    @property
    def default_deny_ingress(self) -> bool:
        return self.selects_all and "Ingress" in self.types and not self.ingress

    @property
    def default_deny_egress(self) -> bool:
        return self.selects_all and "Egress" in self.types and not self.egress


def network_policy(obj: KubeObject) -> NetworkPolicyInfo:
    spec = obj.data.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    ingress = spec.get("ingress") if isinstance(spec.get("ingress"), list) else []
    egress = spec.get("egress") if isinstance(spec.get("egress"), list) else []
    raw_types = spec.get("policyTypes")
    if isinstance(raw_types, list) and raw_types:
        types = frozenset(str(t) for t in raw_types)
    else:
        types = frozenset({"Ingress", "Egress"} if egress else {"Ingress"})
    # podSelector is required; absent it behaves as {} once defaulted by the API server.
    return NetworkPolicyInfo(obj, label_selector(spec.get("podSelector")), types,
                             list(ingress or []), list(egress or []))


# --------------------------------------------------------------------------------------------
# RBAC

# Roles every cluster has (rbac-defaults). Used when a binding names one the scan does not hold.
# Summarised to what the cluster rules judge; see `kubectl get clusterrole admin -o yaml`.
_EDIT_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["pods/attach", "pods/exec", "pods/portforward",
                                      "pods/proxy", "secrets", "services/proxy"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    {"apiGroups": [""], "resources": ["pods", "pods/attach", "pods/exec", "pods/portforward",
                                      "pods/proxy"],
     "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
    {"apiGroups": [""], "resources": ["configmaps", "persistentvolumeclaims",
                                      "replicationcontrollers", "secrets", "serviceaccounts",
                                      "services"],
     "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
    {"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
    {"apiGroups": ["apps"], "resources": ["daemonsets", "deployments", "replicasets",
                                          "statefulsets"],
     "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
    {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"],
     "verbs": ["create", "delete", "deletecollection", "patch", "update"]},
]
BUILTIN_CLUSTER_ROLES: dict[str, list[dict[str, Any]]] = {
    "cluster-admin": [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ],
    "admin": [*_EDIT_RULES,
              {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings", "roles"],
               "verbs": ["create", "delete", "deletecollection", "get", "list", "patch",
                         "update", "watch"]}],
    "edit": _EDIT_RULES,
    "view": [{"apiGroups": [""], "resources": ["pods", "services", "configmaps"],
              "verbs": ["get", "list", "watch"]}],
}


# How the API server's RBAC bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy)
# wires the built-in roles together: admin aggregates every ClusterRole labelled
# aggregate-to-admin, and the built-in edit carries that label; edit aggregates aggregate-to-edit,
# which view carries; view aggregates aggregate-to-view. So a scanned role labelled
# aggregate-to-edit widens edit, and through edit, admin.
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"
BUILTIN_AGGREGATION: dict[str, tuple[str, dict[str, str]]] = {
    "admin": (f"{AGGREGATE_TO}admin", {}),
    "edit": (f"{AGGREGATE_TO}edit", {f"{AGGREGATE_TO}admin": "true"}),
    "view": (f"{AGGREGATE_TO}view", {f"{AGGREGATE_TO}edit": "true"}),
}
# A built-in ClusterRole carrying this annotation set to "false" is left as written: the API
# server's start-up reconciliation no longer restores it.
AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"


def is_kubernetes_own(obj: KubeObject) -> bool:
    """Roles and bindings Kubernetes itself creates (``system:`` names, rbac-defaults label)."""
    return obj.name.startswith("system:") or \
        obj.labels.get("kubernetes.io/bootstrapping") == "rbac-defaults"


@dataclass(frozen=True)
class PolicyRule:
    """One rule of a Role/ClusterRole (after aggregation), with where it was written."""

    role: str  # ref of the role that wrote it
    index: int  # 1-based position in that role's rules
    line: int
    api_groups: frozenset[str]
    resources: frozenset[str]
    verbs: frozenset[str]
    resource_names: tuple[str, ...]
    non_resource_urls: tuple[str, ...]

    @property
    def is_everything(self) -> bool:
        return "*" in self.verbs and "*" in self.resources and "*" in self.api_groups

    def allows(self, verb: str, resource: str, group: str = "") -> bool:
        if not ("*" in self.verbs or verb in self.verbs):
            return False
        if not ("*" in self.api_groups or group in self.api_groups):
            return False
        if "*" in self.resources or resource in self.resources:
            return True
        if "/" in resource:
            return "*/" + resource.split("/", 1)[1] in self.resources
        return False

    def describe(self, with_role: bool = True) -> str:
        groups = ",".join(sorted(g or '""' for g in self.api_groups))
        what = (f"{','.join(sorted(self.verbs))} on {','.join(sorted(self.resources))}"
                f" (apiGroups {groups})")
        if self.non_resource_urls:
            what = f"{','.join(sorted(self.verbs))} on {','.join(self.non_resource_urls)}"
        if self.resource_names:
            what += f" limited to {','.join(self.resource_names)}"
        return f"{self.role + ' ' if with_role else ''}rule {self.index}: {what}"


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def role_rules(ref: str, raw: Any) -> list[PolicyRule]:
    out: list[PolicyRule] = []
    if not isinstance(raw, list):
        return out
    # Roles repeat the same apiGroups, resources and verbs (every namespace's Role, the
    # built-in ones in every unit): equal sets are shared, as each role holds them for good.
    shared = _SHARED_SETS
    for i, r in enumerate(raw):
        if not isinstance(r, dict):
            continue
        if len(shared) >= MAX_SHARED_SETS:
            shared.clear()
        line = raw.line_of(i) if isinstance(raw, LineList) else 0
        groups = frozenset(_strings(r.get("apiGroups")))
        resources = frozenset(s.lower() for s in _strings(r.get("resources")))
        verbs = frozenset(s.lower() for s in _strings(r.get("verbs")))
        out.append(PolicyRule(
            role=ref, index=i + 1, line=line,
            api_groups=shared.setdefault(groups, groups),
            resources=shared.setdefault(resources, resources),
            verbs=shared.setdefault(verbs, verbs),
            resource_names=tuple(_strings(r.get("resourceNames"))),
            non_resource_urls=tuple(_strings(r.get("nonResourceURLs"))),
        ))
    return out


# The sets ``role_rules`` shares, bounded (docs/security.md): past the bound the table starts
# again, so hostile input with ever-new sets costs at most this many kept entries.
MAX_SHARED_SETS = 4_096
_SHARED_SETS: dict[frozenset[str], frozenset[str]] = {}


@functools.cache
def builtin_rules(ref: str, name: str) -> tuple[PolicyRule, ...]:
    """The rules of the built-in ClusterRole ``name`` written as ``ref``: the same in every
    graph (PolicyRule is immutable), so built once per process, not once per unit."""
    return tuple(role_rules(ref, BUILTIN_CLUSTER_ROLES[name]))


def reachable(edges: dict[str, list[str]]) -> dict[str, set[str]]:
    """For each node of ``edges`` (node -> the nodes it points at; a target that is not a key
    points nowhere), every node reachable from it but itself. Strongly connected components
    (Tarjan, iterative: no recursion limit) are solved sinks first, so the cost is the edges
    plus one set union per component edge, however the cycles and chains are laid out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    comps: list[list[str]] = []
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in edges:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            v, targets = work[-1]
            descended = False
            for w in targets:
                if w not in edges:
                    continue
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges[w])))
                    descended = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                members: list[str] = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = len(comps)
                    members.append(w)
                    if w == v:
                        break
                comps.append(members)
    reach: list[set[str]] = []
    for i, members in enumerate(comps):  # sinks first: a component's successors are done
        found: set[str] = set()
        for m in members:
            for t in edges[m]:
                found.add(t)
                if t in edges and comp[t] != i:
                    found |= reach[comp[t]]
        reach.append(found)
    return {n: reach[comp[n]] - {n} for n in edges}


@dataclass
class RoleInfo:
    ref: str  # Role/ns/name, ClusterRole/name, or ClusterRole/name (built-in) when not scanned
    obj: KubeObject | None  # None for a built-in role the scan does not hold
    rules: list[PolicyRule]
    aggregated_from: list[str] = field(default_factory=list)

    @property
    def own(self) -> bool:
        return self.obj is not None and is_kubernetes_own(self.obj)


@dataclass(frozen=True)
class Subject:
    kind: str  # User | Group | ServiceAccount
    name: str
    namespace: str | None
    line: int

    def describe(self) -> str:
        if self.kind == "ServiceAccount":
            return f"ServiceAccount {self.namespace or '?'}/{self.name}"
        return f"{self.kind} {self.name}"


@dataclass
class Grant:
    """A binding giving a role to its subjects, with the scope it applies in."""

    binding: KubeObject
    role: RoleInfo | None  # None when the role is neither in the scan nor built in
    role_ref: str
    subjects: list[Subject]
    scope: str | None  # the namespace of a RoleBinding, None for cluster-wide

    @property
    def where(self) -> str:
        return f"in namespace {self.scope}" if self.scope else "cluster-wide"

    def chain(self, subject: Subject, rule: PolicyRule | None = None) -> str:
        role = self.role.ref if self.role else self.role_ref
        if self.role and self.role.obj is None:
            role += " (built-in)"
        text = f"{subject.describe()} <- {self.binding.ref} -> {role}"
        if rule is not None:
            own = rule.role == (self.role.ref if self.role else "")
            text += f" -> {rule.describe(with_role=not own)}"
        return text


@dataclass(frozen=True)
class TokenMount:
    """Whether a pod gets its service account token, and which setting decided it."""

    mounted: bool
    decided_by: str  # "the pod", "ServiceAccount ns/name", "the default"
    line: int  # the deciding setting's line in the pod's file (else the workload's name line)


def _subjects(binding: KubeObject) -> list[Subject]:
    raw = binding.data.get("subjects")
    out: list[Subject] = []
    if not isinstance(raw, list):
        return out
    for i, s in enumerate(raw):
        if not isinstance(s, dict) or not s.get("name"):
            continue
        kind = str(s.get("kind") or "")
        ns = s.get("namespace") or (binding.namespace if kind == "ServiceAccount" else None)
        line = raw.line_of(i) if isinstance(raw, LineList) else binding.name_line
        out.append(Subject(kind, str(s["name"]), str(ns) if ns else None, line))
    return out


# --------------------------------------------------------------------------------------------
# The graph


class ObjectGraph:
    """Indexes over one scan's objects. Build with ``graph_for``."""

    def __init__(self, objects: list[KubeObject]) -> None:
        self.objects = objects
        self.by_kind: dict[str, list[KubeObject]] = defaultdict(list)
        self.by_key: dict[tuple[str, str | None, str], KubeObject] = {}
        self.namespaces: dict[str, KubeObject] = {}  # declared Namespace objects
        self.pods: list[PodTemplate] = []
        self.pod_index: dict[str, PodIndex] = defaultdict(PodIndex)
        self.kinds_in_ns: dict[str, dict[str, list[KubeObject]]] = defaultdict(
            lambda: defaultdict(list))
        # A Pod owned by a ReplicaSet owned by a Deployment of the scan counts once, as the
        # Deployment.
        controlled = controlled_in_scan(objects)
        for obj in objects:
            self.by_kind[obj.kind].append(obj)
            self.by_key.setdefault((obj.kind, obj.namespace, obj.name), obj)
            if obj.kind == "Namespace":
                self.namespaces.setdefault(obj.name, obj)
            if obj.namespace is not None:
                self.kinds_in_ns[obj.namespace][obj.kind].append(obj)
            pod = pod_template(obj) if obj.kind in WORKLOAD_KINDS else None
            if pod is not None and id(obj) in controlled:
                continue  # judged once, on its controller (a `kubectl get -A` dump has both)
            if pod is not None:
                pod.index = len(self.pods)
                self.pods.append(pod)
                self.pod_index[pod.namespace].add(pod)
        self._policies: dict[str, list[NetworkPolicyInfo]] | None = None
        self._roles: dict[tuple[str, str | None, str], RoleInfo] | None = None
        self._builtin_roles: dict[str, RoleInfo] = {}
        self._grants: list[Grant] | None = None
        self._covered: set[int] | None = None
        self._sa_grants: dict[tuple[str, str], list[Grant]] | None = None
        self._bound: set[str] | None = None

    # -- lookups -------------------------------------------------------------------------
    def get(self, kind: str, namespace: str | None, name: str) -> KubeObject | None:
        return self.by_key.get((kind, namespace, name))

    def in_namespace(self, namespace: str, kind: str) -> list[KubeObject]:
        ns = self.kinds_in_ns.get(namespace)
        return ns.get(kind, []) if ns else []

    def workload_namespaces(self) -> list[str]:
        """Namespaces holding workloads, in order of first appearance."""
        return [ns for ns, idx in self.pod_index.items() if idx.pods]

    def namespace_anchor(self, namespace: str) -> KubeObject:
        """Where a namespace-wide finding goes: the Namespace object, else its first workload."""
        return self.namespaces.get(namespace) or self.pod_index[namespace].pods[0].obj

    def select_pods(self, namespace: str, selector: Selector) -> list[PodTemplate]:
        idx = self.pod_index.get(namespace)
        return idx.select(selector) if idx else []

    def service_pods(self, service: KubeObject) -> list[PodTemplate]:
        spec = service.data.get("spec")
        raw = spec.get("selector") if isinstance(spec, dict) else None
        return self.select_pods(service.namespace or "default", map_selector(raw))

    # -- network policies ----------------------------------------------------------------
    def policies(self, namespace: str) -> list[NetworkPolicyInfo]:
        if self._policies is None:
            self._policies = defaultdict(list)
            for obj in self.by_kind.get("NetworkPolicy", []):
                self._policies[obj.namespace or "default"].append(network_policy(obj))
        return self._policies.get(namespace, [])

    def policy_pods(self, policy: NetworkPolicyInfo) -> list[PodTemplate]:
        return self.select_pods(policy.obj.namespace or "default", policy.pod_selector)

    def pods_covered_by_policy(self) -> set[int]:
        """Indexes of pods some NetworkPolicy selects."""
        if self._covered is None:
            covered: set[int] = set()
            for ns in list(self.pod_index):
                for pol in self.policies(ns):
                    if pol.selects_all:
                        covered.update(p.index for p in self.pod_index[ns].pods)
                        break
                    covered.update(p.index for p in self.policy_pods(pol))
            self._covered = covered
        return self._covered

    # -- RBAC ----------------------------------------------------------------------------
    def roles(self) -> dict[tuple[str, str | None, str], RoleInfo]:
        """(kind, namespace, name) -> role with its rules, as the API server holds it: a
        built-in ClusterRole reconciled (its defaults restored, unless annotated
        autoupdate "false") and aggregation resolved. Only roles of the scan are keys; the
        built-in ones no object names are in ``role()``."""
        if self._roles is None:
            roles: dict[tuple[str, str | None, str], RoleInfo] = {}
            for obj in self.by_kind.get("Role", []):
                roles.setdefault(("Role", obj.namespace, obj.name),
                                 RoleInfo(obj.ref, obj, role_rules(obj.ref, obj.data.get("rules"))))
            clusters = self._cluster_roles()
            for name, info in clusters.items():
                if info.obj is not None:
                    roles[("ClusterRole", None, name)] = info
            self._roles = roles
            self._builtin_roles = {n: i for n, i in clusters.items() if i.obj is None}
        return self._roles

    def _cluster_roles(self) -> dict[str, RoleInfo]:
        """Every ClusterRole of the scan plus the built-in ones, reconciled and aggregated.
        Aggregation follows chains (view -> edit -> admin) and cycles, each role once."""
        nodes: dict[str, tuple[RoleInfo, dict[str, str], list[Selector]]] = {}
        for obj in self.by_kind.get("ClusterRole", []):
            if obj.name in nodes:
                continue
            agg = obj.data.get("aggregationRule")
            sels = agg.get("clusterRoleSelectors") if isinstance(agg, dict) else None
            selectors = [label_selector(s) for s in sels] if isinstance(sels, list) else []
            info = RoleInfo(obj.ref, obj, role_rules(obj.ref, obj.data.get("rules")))
            nodes[obj.name] = (info, obj.labels, selectors)
        for name in BUILTIN_CLUSTER_ROLES:
            ref = f"ClusterRole/{name}"
            agg_label, builtin_labels = BUILTIN_AGGREGATION.get(name, ("", {}))
            builtin_selectors = [Selector(((agg_label, "true"),))] if agg_label else []
            if name not in nodes:
                nodes[name] = (RoleInfo(ref, None, list(builtin_rules(ref, name))),
                               dict(builtin_labels), builtin_selectors)
                continue
            info, labels, selectors = nodes[name]
            if info.obj is not None and info.obj.annotations.get(AUTOUPDATE) == "false":
                continue  # taken as written: reconciliation leaves it alone
            # Reconciled at start-up: the defaults are added back (nothing written is removed).
            info.rules.extend(builtin_rules(f"{ref} (built-in)", name))
            nodes[name] = (info, {**labels, **builtin_labels}, [*selectors, *builtin_selectors])

        # The aggregation controller copies the rules of the matched roles, aggregated ones
        # included, until nothing changes: the result is the written rules of every role
        # reachable through the selectors (cycles included, each role once).
        written = {name: list(info.rules) for name, (info, _l, _s) in nodes.items()}
        edges: dict[str, list[str]] = {
            name: [other for other, (_i, labels, _s) in nodes.items()
                   if other != name and any(sel.matches(labels) for sel in selectors)]
            for name, (_info, _labels, selectors) in nodes.items() if selectors}
        order = {name: i for i, name in enumerate(nodes)}
        for name, reach in reachable(edges).items():
            info = nodes[name][0]
            direct = edges[name]
            rest = sorted(reach.difference(direct), key=order.__getitem__)
            for other in [*direct, *rest]:
                info.aggregated_from.append(nodes[other][0].ref)
                info.rules.extend(written[other])
        return {name: info for name, (info, _l, _s) in nodes.items()}

    def role(self, kind: str, namespace: str | None, name: str) -> RoleInfo | None:
        roles = self.roles()
        found = roles.get((kind, namespace if kind == "Role" else None, name))
        if found is None and kind == "ClusterRole":
            found = self._builtin_roles.get(name)
        return found

    def grants(self) -> list[Grant]:
        if self._grants is None:
            grants: list[Grant] = []
            for kind in ("RoleBinding", "ClusterRoleBinding"):
                for b in self.by_kind.get(kind, []):
                    ref = b.data.get("roleRef")
                    ref = ref if isinstance(ref, dict) else {}
                    rkind, rname = str(ref.get("kind") or "ClusterRole"), str(ref.get("name"))
                    scope = b.namespace if kind == "RoleBinding" else None
                    role = self.role(rkind, scope, rname)
                    role_ref = f"{rkind}/{scope}/{rname}" if rkind == "Role" else \
                        f"ClusterRole/{rname}"
                    grants.append(Grant(b, role, role_ref, _subjects(b), scope))
            self._grants = grants
        return self._grants

    def bound_roles(self) -> set[str]:
        """Refs of roles some binding in the scan uses, aggregated ones included."""
        if self._bound is not None:
            return self._bound
        out: set[str] = set()
        # Roles aggregated into the built-in admin/edit/view are held by whoever holds those,
        # which every cluster grants.
        for obj in self.by_kind.get("ClusterRole", []):
            if any(obj.labels.get(f"rbac.authorization.k8s.io/aggregate-to-{n}") == "true"
                   for n in ("admin", "edit", "view")):
                out.add(obj.ref)
        for g in self.grants():
            if g.role is not None:
                out.add(g.role.ref)
                out.update(g.role.aggregated_from)
        self._bound = out
        return out

    def token_mount(self, pod: PodTemplate) -> TokenMount:
        """The pod's ``automountServiceAccountToken`` wins over its ServiceAccount's."""
        own = pod.spec.get("automountServiceAccountToken")
        if isinstance(own, bool):
            return TokenMount(own, "the pod", pod.line_of("automountServiceAccountToken"))
        sa = self.get("ServiceAccount", pod.namespace, pod.service_account)
        if sa is not None:
            value = sa.data.get("automountServiceAccountToken")
            if isinstance(value, bool):
                return TokenMount(value, sa.ref, pod.obj.name_line)
        return TokenMount(True, "the default", pod.obj.name_line)

    def grants_to_service_account(self, namespace: str, name: str) -> list[Grant]:
        """Bindings naming the account, or every account (of its namespace) by group."""
        if self._sa_grants is None:
            index: dict[tuple[str, str], list[Grant]] = defaultdict(list)
            for g in self.grants():
                seen: set[tuple[str, str]] = set()
                for s in g.subjects:
                    if s.kind == "ServiceAccount" and s.namespace:
                        key = (s.namespace, s.name)
                    elif s.kind == "Group" and s.name == "system:serviceaccounts":
                        key = ("*", "*")
                    elif s.kind == "Group" and s.name.startswith("system:serviceaccounts:"):
                        key = (s.name.split(":", 2)[2], "*")
                    else:
                        continue
                    if key not in seen:
                        seen.add(key)
                        index[key].append(g)
            self._sa_grants = index
        out = [*self._sa_grants.get((namespace, name), []),
               *self._sa_grants.get((namespace, "*"), []), *self._sa_grants.get(("*", "*"), [])]
        unique: dict[int, Grant] = {}  # a binding may name both the account and its group
        for g in out:
            unique.setdefault(id(g), g)
        return list(unique.values())


def graph_for(objects: ObjectGraph | list[KubeObject]) -> ObjectGraph:
    """The graph of a scan's objects. The engine hands cross-resource rules the graph the
    Kubernetes input built once (``Manifests.graph``), which comes back as it is; a list of
    objects (a test, a caller of its own) gets a graph of its own."""
    if isinstance(objects, ObjectGraph):
        return objects
    return ObjectGraph(list(objects))
