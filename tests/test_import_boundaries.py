"""The layers import only downwards (issue 13): an AST walk of every module of src/hullcheck.

Forbidden: rules -> inputs, inputs -> engine, reporters -> rules, and models -> anything but
models and the standard library. Every import counts: at module level, inside functions (the
lazy imports that keep start-up light) and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "hullcheck"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every import in the file, relative ones resolved; ``from p import
    name`` also counts as ``p.name`` (it may be a module)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            out.append((node.lineno, base))
            out.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return out


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


# name -> (importing package, imported package)
LINES: dict[str, tuple[str, str]] = {
    "rules -> inputs": ("hullcheck.rules", "hullcheck.inputs"),
    "inputs -> engine": ("hullcheck.inputs", "hullcheck.engine"),
    "reporters -> rules": ("hullcheck.reporters", "hullcheck.rules"),
}


def crossings(line: str) -> list[str]:
    """Every import across ``line``, as ``module:lineno -> imported``."""
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for lineno, name in imports_of(path):
            if name == "__future__":
                continue
            if line == "models -> anything but models and the standard library":
                bad = _within(module, "hullcheck.models") and not (
                    _within(name, "hullcheck.models") or _stdlib(name))
            else:
                source, target = LINES[line]
                bad = _within(module, source) and _within(name, target)
            if bad:
                found.append(f"{module}:{lineno} -> {name}")
    return sorted(set(found))


@pytest.mark.parametrize("line", [
    "rules -> inputs",
    "inputs -> engine",
    "reporters -> rules",
    "models -> anything but models and the standard library",
])
def test_no_import_across(line: str) -> None:
    assert crossings(line) == []


def test_the_walk_sees_every_kind_of_import(tmp_path: Path) -> None:
    """Imports at module level, relative ones, inside functions and under TYPE_CHECKING."""
    pkg = tmp_path / "hullcheck" / "rules" / "fam"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    mod = pkg / "r.py"
    mod.write_text(
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import hullcheck.inputs.a\n"
        "from ...inputs import b\n"
        "from ..base import Rule\n"
        "if TYPE_CHECKING:\n"
        "    from hullcheck.inputs.c import C\n"
        "def f():\n"
        "    from hullcheck.inputs import d\n"
    )
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        got = imports_of(mod)
    finally:
        SRC = saved
    assert got == [(1, "__future__"), (1, "__future__.annotations"), (2, "typing"),
                   (2, "typing.TYPE_CHECKING"), (3, "hullcheck.inputs.a"),
                   (4, "hullcheck.inputs"), (4, "hullcheck.inputs.b"),
                   (5, "hullcheck.rules.base"), (5, "hullcheck.rules.base.Rule"),
                   (7, "hullcheck.inputs.c"), (7, "hullcheck.inputs.c.C"),
                   (9, "hullcheck.inputs"), (9, "hullcheck.inputs.d")]
