"""The rule dialect: rules trust what the engine already filtered on.

A Dockerfile rule that declares ``instructions`` is called only for those instruction kinds (for
``ONBUILD X``, the kind of ``X``), so its ``check_instruction`` must not test the kind again: a
comparison of the judged instruction's ``cmd`` whose outcome the filter already decides is dead
code that hides what the rule really tests.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

from hullcheck.rules.base import Rule
from hullcheck.rules.dockerfile import RULES as DOCKERFILE_RULES

INSTRUCTION_RULES = [r for r in DOCKERFILE_RULES if r.instructions is not None]


def _judged_names(func: ast.FunctionDef) -> set[str]:
    """Names bound to ``judged(<instruction>)``: the instruction whose kind the engine chose."""
    names = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "judged":
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _kind_test(node: ast.AST, judged: set[str], declared: frozenset[str]
               ) -> tuple[bool, frozenset[str]] | None:
    """``(positive, kinds)`` for ``ins.cmd == "X"`` / ``in (...)`` (positive) or ``!=`` /
    ``not in`` (negative) on a judged instruction; None for anything else."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1
            and isinstance(node.left, ast.Attribute) and node.left.attr == "cmd"
            and isinstance(node.left.value, ast.Name) and node.left.value.id in judged):
        return None
    op, right = node.ops[0], node.comparators[0]
    kinds: frozenset[str] | None = None
    if isinstance(right, ast.Constant) and isinstance(right.value, str):
        kinds = frozenset({right.value})
    elif isinstance(right, (ast.Tuple, ast.Set, ast.List)) and all(
            isinstance(e, ast.Constant) for e in right.elts):
        kinds = frozenset(str(e.value) for e in right.elts)  # type: ignore[attr-defined]
    elif isinstance(right, ast.Attribute) and right.attr == "instructions":
        kinds = declared
    if kinds is None:
        return None
    if isinstance(op, (ast.Eq, ast.In)):
        return True, kinds
    if isinstance(op, (ast.NotEq, ast.NotIn)):
        return False, kinds
    return None


def redundant_kind_tests(source: str, declared: frozenset[str]) -> list[str]:
    """Every test of the judged kind in ``check_instruction`` whose outcome the engine's filter
    (``declared``, narrowed by the enclosing branches) already decides."""
    tree = ast.parse(textwrap.dedent(source))
    func = next(n for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef) and n.name == "check_instruction")
    judged = _judged_names(func)
    found: list[str] = []

    def judge(node: ast.AST, remaining: frozenset[str]) -> frozenset[str] | None:
        """Report a constant kind test; the kinds for which it holds, when it is one."""
        test = _kind_test(node, judged, declared)
        if test is None:
            return None
        positive, kinds = test
        holds = remaining & kinds if positive else remaining - kinds
        if holds == remaining or not holds:
            found.append(f"line {node.lineno}: {ast.unparse(node)} (kinds here: "
                         f"{', '.join(sorted(remaining))})")
        return holds

    def expressions(node: ast.AST, remaining: frozenset[str]) -> None:
        for sub in ast.walk(node):
            judge(sub, remaining)

    def block(stmts: list[ast.stmt], remaining: frozenset[str]) -> None:
        for stmt in stmts:
            if isinstance(stmt, ast.If):
                first = stmt.test.values[0] if isinstance(stmt.test, ast.BoolOp) and \
                    isinstance(stmt.test.op, ast.And) else stmt.test
                holds = judge(first, remaining)
                for sub in ast.walk(stmt.test):
                    if sub is not first:
                        judge(sub, remaining)
                pure = holds is not None and first is stmt.test
                block(stmt.body, holds if holds is not None else remaining)
                rest = remaining - holds if pure and holds is not None else remaining
                block(stmt.orelse, rest)
                if pure and stmt.body and isinstance(stmt.body[-1], ast.Return):
                    remaining = rest  # an early return: what follows sees the other kinds
            elif isinstance(stmt, (ast.For, ast.While, ast.With, ast.Try)):
                for field in ("iter", "test", "items"):
                    if hasattr(stmt, field):
                        expressions(getattr(stmt, field) if field != "items" else
                                    ast.Tuple(elts=[i.context_expr for i in stmt.items]),
                                    remaining)
                for field in ("body", "orelse", "finalbody"):
                    block(getattr(stmt, field, []), remaining)
                for handler in getattr(stmt, "handlers", []):
                    block(handler.body, remaining)
            else:
                expressions(stmt, remaining)

    block(func.body, declared)
    return found


@pytest.mark.parametrize("rule", INSTRUCTION_RULES, ids=lambda r: r.id)
def test_instruction_rules_trust_the_engine_filter(rule: type[Rule]) -> None:
    assert rule.instructions is not None
    source = inspect.getsource(rule.check_instruction)
    assert redundant_kind_tests(source, rule.instructions) == []


# What the check catches (the forms the 13 rules used before they trusted the filter) and what it
# leaves alone (telling declared kinds apart, the raw instruction's ONBUILD).
_BEFORE = {
    "early return": ('ins = judged(instruction)\nif ins.cmd != "ADD":\n    return\n', {"ADD"}),
    "guard in a condition": ('ins = judged(instruction)\n'
                             'if ins.cmd != "RUN" or "sudo" not in x:\n    return\n', {"RUN"}),
    "own set": ('ins = judged(instruction)\nif ins.cmd not in self.instructions:\n    return\n',
                {"RUN", "COPY"}),
    "last branch": ('ins = judged(instruction)\nif ins.cmd in ("ENV", "ARG"):\n    pass\n'
                    'elif ins.cmd == "RUN":\n    pass\n', {"ENV", "ARG", "RUN"}),
    "after an early return": ('ins = judged(instruction)\nif ins.cmd == "EXPOSE":\n    return\n'
                              'if ins.cmd == "RUN" and x:\n    pass\n', {"EXPOSE", "RUN"}),
}
_FINE = {
    "dispatch": ('ins = judged(instruction)\nif ins.cmd in ("ENV", "ARG"):\n    pass\n'
                 'else:\n    pass\n', {"ENV", "ARG", "RUN"}),
    "dispatch with more": ('ins = judged(instruction)\nif ins.cmd == "ARG" and stage is None:\n'
                           '    return\nx = ins.cmd == "ARG"\n', {"ENV", "ARG"}),
    "raw ONBUILD": ('ins = judged(instruction)\nif instruction.cmd != "ONBUILD":\n    pass\n',
                    {"RUN"}),
}


def _method(body: str) -> str:
    return "def check_instruction(self, ctx, dockerfile, stage, instruction):\n" + \
        textwrap.indent(body, "    ")


@pytest.mark.parametrize("name", sorted(_BEFORE))
def test_redundant_kind_tests_are_caught(name: str) -> None:
    body, kinds = _BEFORE[name]
    assert len(redundant_kind_tests(_method(body), frozenset(kinds))) == 1


@pytest.mark.parametrize("name", sorted(_FINE))
def test_kind_dispatch_is_not_flagged(name: str) -> None:
    body, kinds = _FINE[name]
    assert redundant_kind_tests(_method(body), frozenset(kinds)) == []


# --- one view of a Kubernetes container ------------------------------------------------------

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      initContainers:
        - name: init
          image: busybox
      containers:
        - name: app
          image: nginx
          ports:
            - containerPort: 22
              name: ssh
            - 42
          volumeMounts:
            - {name: data, mountPath: /data}
          env:
            - {name: MODE, value: x}
          resources: {limits: {cpu: "1"}}
          lifecycle: {preStop: {httpGet: {host: example.com, port: 80}}}
          securityContext:
            privileged: true
            capabilities: {add: [SYS_ADMIN]}
        - 42
        - image: sidecar
      ephemeralContainers:
        - name: debug
          image: busybox
"""


def test_pod_template_containers_are_the_pods_typed_containers() -> None:
    """Cluster (KNS) rules reach containers through ``PodTemplate.containers()``, Kubernetes
    (K8S) rules through ``Pod.containers``: the same ``PodContainer`` objects, in the lists'
    order each asks for, with no raw mapping in between."""
    from hullcheck.inputs.kubernetes import load_objects
    from hullcheck.models.graph import ObjectGraph
    from hullcheck.models.pod import PodContainer, pod_of
    from hullcheck.sources import Source

    objects = load_objects(Source("t.yaml", _DEPLOYMENT), "default", [])
    template = ObjectGraph(objects).pods[0]
    pod = pod_of(objects[0])
    assert pod is not None
    every = template.containers()
    assert [c.name for c in every] == ["init", "app", "containers[2]", "debug"]
    assert all(isinstance(c, PodContainer) for c in every)
    assert all(any(c is same for same in pod.containers) for c in every)
    assert [c.name for c in template.containers(ephemeral=False)] == \
        ["init", "app", "containers[2]"]
    assert [c.name for c in template.containers(init=False)] == ["app", "containers[2]"]
    assert [c.name for c in pod.containers] == ["app", "containers[2]", "init", "debug"]

    app = every[1]
    assert app.line == 13 and every[2].line == 29  # the name: line, else the list item's
    assert [(line, dict(p)) for line, p in app.ports] == [(16, {"containerPort": 22,
                                                                "name": "ssh"})]
    assert [(line, dict(m)) for line, m in app.volume_mounts] == [
        (20, {"name": "data", "mountPath": "/data"})]
    assert [(line, dict(e)) for line, e in app.entries("env")] == [(22, {"name": "MODE",
                                                                         "value": "x"})]
    assert app.entries("image") == []  # not a list
    assert app.resources == {"limits": {"cpu": "1"}}
    assert app.field("lifecycle", "preStop", "httpGet", "host") == "example.com"
    assert app.field("lifecycle", "postStart") is None
    assert app.sc("capabilities", "add") == ["SYS_ADMIN"]
    assert app.sc_line("capabilities", "add") == 27


def test_cluster_rules_name_containers_as_the_kubernetes_rules_do(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A container without a name is ``<list>[<index>]`` in every Kubernetes-specific finding
    (KNS003 said ``?`` when it read the raw mapping), at the line of its list item."""
    from conftest import run_json

    manifest = tmp_path / "deploy.yaml"
    manifest.write_text(_DEPLOYMENT)
    _code, report, _err = run_json(capsys, "scan", str(manifest), "--select",
                                   "KNS003,KNS030,KNS044,K8S006,K8S012")
    got = sorted((f["rule"], f["location"]["line"], f["location"].get("container"),
                  f["message"]) for f in report["findings"])
    workload = "Deployment/prod/web"
    nothing_set = "limits.cpu, limits.memory, requests.cpu, requests.memory (no LimitRange in its "
    assert got == [
        ("K8S012", 24, "app", 'Container "app" uses probe or lifecycle hosts example.com. '
         "(PSS restricted v1.37)"),
        ("KNS003", 10, "init", f"Container init of {workload} sets no {nothing_set}"
         "namespace gives a default)."),
        ("KNS003", 13, "app", f"Container app of {workload} sets no limits.memory, "
         "requests.memory (no LimitRange in its namespace gives a default)."),
        ("KNS003", 29, "containers[2]", f"Container containers[2] of {workload} sets no "
         f"{nothing_set}namespace gives a default)."),
        ("KNS030", 8, None, f"{workload} is root on its node: hostNetwork: true (the node's "
         "network, kubelet and cloud metadata included); container app is privileged; "
         "container app adds SYS_ADMIN."),
        ("KNS044", 16, None, f"{workload} container app: SSH listens on the node's own address "
         "(port 22 on the host network)."),
    ]
