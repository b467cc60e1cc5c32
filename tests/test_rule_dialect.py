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
