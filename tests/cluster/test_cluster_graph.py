"""The object graph: Kubernetes selector, policy and RBAC semantics, and linear cost."""

from __future__ import annotations

from typing import Any

import pytest

from hullcheck.inputs.kubernetes import load_objects
from hullcheck.models.graph import (
    ObjectGraph,
    graph_for,
    label_selector,
    map_selector,
    network_policy,
)
from hullcheck.sources import Source


def objects(text: str) -> list[Any]:
    return load_objects(Source("t.yaml", text), "default", [])


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ({}, {}, True),
    ({}, {"a": "1"}, True),
    (None, {"a": "1"}, True),
    ({"matchLabels": {}}, {"a": "1"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
    ({"matchLabels": {"on": True}}, {"on": "true"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]},
     {"a": "2"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]},
     {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "x"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"b": "x"}, True),
    # ANDed
    ({"matchLabels": {"a": "1"},
      "matchExpressions": [{"key": "b", "operator": "Exists"}]}, {"a": "1"}, False),
    # invalid: the API server rejects these, so they select nothing
    ({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["1"]}]},
     {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["1"]}]},
     {"a": "1"}, False),
])
def test_label_selector(selector: Any, labels: dict[str, str], expected: bool) -> None:
    assert label_selector(selector).matches(labels) is expected


def test_service_selector_empty_selects_nothing() -> None:
    assert not map_selector({}).matches({"a": "1"})
    assert not map_selector(None).matches({})
    assert map_selector({"a": "1"}).matches({"a": "1", "b": "2"})


@pytest.mark.parametrize(("spec", "types"), [
    ("podSelector: {}", {"Ingress"}),
    ("podSelector: {}\n  egress: [{}]", {"Ingress", "Egress"}),
    ("podSelector: {}\n  egress: []", {"Ingress"}),
    ("podSelector: {}\n  policyTypes: [Egress]", {"Egress"}),
])
def test_policy_types_default(spec: str, types: set[str]) -> None:
    (obj,) = objects(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                     f"metadata: {{name: p}}\nspec:\n  {spec}\n")
    assert network_policy(obj).types == types


POD = """apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: {ns}, labels: {labels}}}
spec: {{containers: [{{name: c, image: x}}]}}
---
"""


def test_empty_pod_selector_selects_every_pod_of_its_namespace_only() -> None:
    text = POD.format(name="a", ns="one", labels="{x: '1'}") + \
        POD.format(name="b", ns="one", labels="{}") + \
        POD.format(name="c", ns="two", labels="{x: '1'}") + \
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n" \
        "metadata: {name: deny, namespace: one}\nspec: {podSelector: {}}\n"
    graph = ObjectGraph(objects(text))
    (pol,) = graph.policies("one")
    assert sorted(p.obj.name for p in graph.policy_pods(pol)) == ["a", "b"]
    covered = graph.pods_covered_by_policy()
    assert {graph.pods[i].obj.name for i in covered} == {"a", "b"}


def test_aggregated_cluster_role_resolved_from_labels() -> None:
    text = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agg}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: part, labels: {agg: "yes"}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: other, labels: {agg: "no"}}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
"""
    graph = ObjectGraph(objects(text))
    role = graph.role("ClusterRole", None, "agg")
    assert role is not None
    assert role.aggregated_from == ["ClusterRole/part"]
    assert any(r.allows("get", "secrets") for r in role.rules)
    assert not any(r.allows("create", "pods") for r in role.rules)


def test_rbac_wildcards_and_subresources() -> None:
    text = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: n}
rules:
- {apiGroups: ["*"], resources: ["*/exec"], verbs: [create]}
"""
    graph = ObjectGraph(objects(text))
    (rule,) = graph.role("Role", "n", "r").rules  # type: ignore[union-attr]
    assert rule.allows("create", "pods/exec")
    assert not rule.allows("create", "pods")
    assert not rule.allows("get", "pods/exec")


def test_graph_is_built_once_per_scan_and_handed_to_every_cluster_rule() -> None:
    """The Kubernetes input's model builds the graph once; the engine gives that one graph to
    every cross-resource rule (no cache keyed on a list's identity)."""
    from collections.abc import Iterator

    from hullcheck.config import Config
    from hullcheck.engine import Engine
    from hullcheck.findings import Finding, Severity
    from hullcheck.inputs.kubernetes import load
    from hullcheck.models.manifests import Manifests
    from hullcheck.rules.base import Context, Rule
    from hullcheck.sources import Source

    seen: list[object] = []

    class Looks(Rule):
        id, name, title, severity = "TST001", "looks", "Looks", Severity.LOW
        inputs = frozenset({"kubernetes"})

        def check_objects(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
            seen.append(graph_for(graph))
            return iter(())

    class LooksToo(Looks):
        id = "TST002"

    loaded = load([Source("pod.yaml", POD.format(name="a", ns="one", labels="{}"))], {})
    (manifests,) = loaded.models
    assert isinstance(manifests, Manifests)
    (unit,) = manifests.units  # one source: one unit, whose graph every rule gets
    assert unit.graph is unit.graph
    engine = Engine([Looks, LooksToo], Context(config=Config()))
    out: list[Finding] = []
    built = unit.graph
    engine.judge(loaded.models, out)
    assert len(seen) == 2 and seen[0] is seen[1] is built
    # Judged, the unit keeps what the report's overview needs and lets the graph go.
    assert unit._graph is None and unit.exposure == []
    objs = objects(POD.format(name="a", ns="one", labels="{}"))
    assert graph_for(objs) is not graph_for(objs)  # a list: a graph of its own each time


def _corpus(namespaces: int) -> str:
    parts = []
    for n in range(namespaces):
        for p in range(20):
            parts.append(POD.format(name=f"p{p}", ns=f"ns{n}",
                                    labels=f"{{app: a{p}, tier: t{p % 3}}}"))
        for p in range(20):
            parts.append(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                f"metadata: {{name: pol{p}, namespace: ns{n}}}\n"
                f"spec: {{podSelector: {{matchLabels: {{app: a{p}}}}}}}\n---\n")
    return "".join(parts)


def test_selection_cost_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """4x the namespaces must cost 4x the label comparisons, not 16x: selectors look only at
    the pods carrying one of their labels (no pods x policies blow-up). Counted, not timed, so
    the test holds on a busy machine."""
    from hullcheck.models import graph as graph_mod

    calls = [0]
    original = graph_mod.Selector.matches

    def counting(self: Any, labels: dict[str, str]) -> bool:
        calls[0] += 1
        return original(self, labels)

    monkeypatch.setattr(graph_mod.Selector, "matches", counting)

    def cost(objs: list[Any]) -> int:
        calls[0] = 0
        graph = ObjectGraph(objs)
        graph.pods_covered_by_policy()
        for ns in graph.workload_namespaces():
            for pol in graph.policies(ns):
                graph.policy_pods(pol)
        return calls[0]

    small, large = cost(objects(_corpus(5))), cost(objects(_corpus(20)))
    assert small > 0
    assert large <= 4 * small, f"4x input: {large / small:.1f}x label comparisons"


def test_aggregation_follows_chains_and_cuts_cycles() -> None:
    """a aggregates b, b aggregates a and c: each gets the other's written rules and c's, once;
    the cycle ends."""
    text = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: {to-b: "1"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-a: "1"}}]}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b, labels: {to-a: "1"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-b: "1"}}]}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c, labels: {to-b: "1"}}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
"""
    graph = ObjectGraph(objects(text))
    a = graph.role("ClusterRole", None, "a")
    b = graph.role("ClusterRole", None, "b")
    assert a is not None and b is not None
    assert sorted((r.role, r.index) for r in a.rules) == [
        ("ClusterRole/a", 1), ("ClusterRole/b", 1), ("ClusterRole/c", 1)]
    assert sorted(b.aggregated_from) == ["ClusterRole/a", "ClusterRole/c"]


def test_builtin_roles_reconciled_unless_autoupdate_false() -> None:
    text = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: admin
  annotations: {rbac.authorization.kubernetes.io/autoupdate: "false"}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [get]}]
"""
    graph = ObjectGraph(objects(text))
    ca = graph.role("ClusterRole", None, "cluster-admin")
    admin = graph.role("ClusterRole", None, "admin")
    assert ca is not None and admin is not None and ca.obj is not None
    assert [r.role for r in ca.rules] == ["ClusterRole/cluster-admin",
                                          "ClusterRole/cluster-admin (built-in)",
                                          "ClusterRole/cluster-admin (built-in)"]
    assert any(r.is_everything for r in ca.rules)
    assert [(r.role, sorted(r.verbs)) for r in admin.rules] == [("ClusterRole/admin", ["get"])]
    # A built-in role no object names is still known to bindings, with its aggregation.
    edit = graph.role("ClusterRole", None, "edit")
    assert edit is not None and edit.obj is None
    assert edit.aggregated_from == ["ClusterRole/view"]


def test_reachable_handles_chains_cycles_and_large_cliques() -> None:
    from hullcheck.models.graph import reachable

    assert reachable({"a": ["b"], "b": ["c"], "c": ["a", "d"]}) == {
        "a": {"b", "c", "d"}, "b": {"a", "c", "d"}, "c": {"a", "b", "d"}}
    assert reachable({"admin": ["edit"], "edit": ["view", "x"], "view": ["y"]}) == {
        "admin": {"edit", "view", "x", "y"}, "edit": {"view", "x", "y"}, "view": {"y"}}
    # 1,000 aggregating roles that all select each other (`clusterRoleSelectors: [{}]`): one
    # component, solved once (a search per role would be cubic), and a 3,000-long chain
    # needs no recursion.
    names = [f"r{i}" for i in range(1000)]
    clique = reachable({n: [m for m in names if m != n] for n in names})
    assert len(clique) == 1000 and all(len(r) == 999 for r in clique.values())
    chain = reachable({f"c{i}": [f"c{i + 1}"] for i in range(3000)})
    assert len(chain["c0"]) == 3000 and chain["c2999"] == {"c3000"}


SERVICE = """apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec: {{type: LoadBalancer, selector: {{app: a}}, ports: [{{port: 443}}]}}
---
"""


def _units(tmp_path: Any, count: int) -> list[Source]:
    """``count`` directories (one deployable unit each), each with a pod and two Services."""
    from pathlib import Path

    sources = []
    for n in range(count):
        path = Path(tmp_path) / f"u{n}" / "all.yaml"
        path.parent.mkdir()
        text = POD.format(name="p", ns=f"ns{n}", labels="{app: a}") + "".join(
            SERVICE.format(name=f"s{i}", ns=f"ns{n}") for i in range(2))
        path.write_text(text)
        sources.append(Source(str(path), text, fs_path=path, root=str(tmp_path)))
    return sources


def test_a_scan_holds_one_unit_graph_at_a_time(tmp_path: Any) -> None:
    """Each unit's graph goes once the cross-resource rules have judged it (a thousand-unit
    scan holds one graph, not a thousand); the overview's exposure map, kept from each graph
    before it goes, is what it was: every unit's Services, in unit order."""
    from collections.abc import Iterator

    from hullcheck.config import Config
    from hullcheck.engine import Engine
    from hullcheck.findings import Finding, Severity
    from hullcheck.inputs.kubernetes import load
    from hullcheck.kube_overview import overview
    from hullcheck.models.manifests import Manifests
    from hullcheck.rules.base import Context, Rule

    held: list[int] = []

    class Counts(Rule):
        id, name, title, severity = "TST003", "counts", "Counts", Severity.LOW
        inputs = frozenset({"kubernetes"})

        def check_objects(self, ctx: Context, graph: ObjectGraph) -> Iterator[Finding]:
            held.append(sum(u._graph is not None for u in manifests.units))
            return iter(())

    loaded = load(_units(tmp_path, 3), {})
    (manifests,) = loaded.models
    assert isinstance(manifests, Manifests) and len(manifests.units) == 3
    Engine([Counts], Context(config=Config())).judge(loaded.models, [])
    assert held == [1, 1, 1]
    assert all(u._graph is None for u in manifests.units)
    exposure = overview(manifests)["exposure"]
    assert [e["via"] for e in exposure] == [f"Service/ns{n}/s{i}" for n in range(3)
                                            for i in range(2)]
    assert all(e["workloads"] == [f"Pod/ns{n}/p"] for n in range(3) for e in exposure[2 * n:][:2])


def test_exposure_bound_holds_across_units(tmp_path: Any, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """``MAX_EXPOSURE_ENTRIES`` bounds the whole map, kept per unit or not: the first entries
    in unit order, and no unit keeps more than the bound."""
    from hullcheck import kube_overview
    from hullcheck.inputs.kubernetes import load

    monkeypatch.setattr(kube_overview, "MAX_EXPOSURE_ENTRIES", 3)
    (manifests,) = load(_units(tmp_path, 3), {}).models
    exposure = kube_overview.overview(manifests)["exposure"]
    assert [e["via"] for e in exposure] == ["Service/ns0/s0", "Service/ns0/s1",
                                            "Service/ns1/s0"]
    assert all(len(u.exposure or ()) <= 3 for u in manifests.units)


def test_builtin_role_rules_and_equal_sets_are_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-in roles' rules are built once per process, not once per unit's graph, and
    equal apiGroups/resources/verbs sets are one object; the table sharing them is bounded."""
    from hullcheck.models import graph as graph_module

    role = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: r{n}, namespace: ns{n}}}
rules: [{{apiGroups: [""], resources: [pods], verbs: [get, list]}}]
---
"""
    one = ObjectGraph(objects(role.format(n=1)))
    two = ObjectGraph(objects(role.format(n=2)))
    edit_one, edit_two = one.role("ClusterRole", None, "edit"), two.role("ClusterRole", None,
                                                                        "edit")
    assert edit_one is not None and edit_two is not None and edit_one is not edit_two
    assert all(a is b for a, b in zip(edit_one.rules, edit_two.rules, strict=True))
    r1, r2 = one.role("Role", "ns1", "r1"), two.role("Role", "ns2", "r2")
    assert r1 is not None and r2 is not None
    assert r1.rules[0].verbs is r2.rules[0].verbs == frozenset({"get", "list"})
    monkeypatch.setattr(graph_module, "MAX_SHARED_SETS", 4)
    many = "".join(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
        f"metadata: {{name: c{n}}}\nrules: [{{apiGroups: [g{n}], resources: [r{n}], "
        f"verbs: [v{n}]}}]\n---\n" for n in range(10))
    ObjectGraph(objects(many)).roles()
    assert len(graph_module._SHARED_SETS) <= 4 + 3
