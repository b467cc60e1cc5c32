"""Cluster rules never crash on objects of the wrong shape: every value of every fixture object
replaced, one at a time, by a value of another type."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullcheck.config import Config
from hullcheck.inputs.kubernetes import load_objects
from hullcheck.models.graph import ObjectGraph
from hullcheck.rules.base import Context
from hullcheck.rules.cluster import RULES
from hullcheck.sources import Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cluster"
REPLACEMENTS: tuple[Any, ...] = (None, "x", 7, True, [], ["*"], {}, {"a": {"b": 1}})


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*prefix, i)
            yield from paths(v, (*prefix, i))


def replaced(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return out


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.name)
def test_rules_survive_wrong_shapes(fixture: Path) -> None:
    objects = load_objects(Source(fixture.name, fixture.read_text()), "default", [])
    ctx = Context(config=Config(), options={"kubernetes_version": "1.30"})
    rules = [cls() for cls in RULES]
    for index, obj in enumerate(objects):
        for path in paths(obj.data):
            if path[0] in ("apiVersion", "kind"):
                continue
            for new in REPLACEMENTS:
                mutated = copy.copy(objects)
                twin = copy.copy(obj)
                twin.data = replaced(obj.data, path, new)
                mutated[index] = twin
                graph = ObjectGraph(mutated)
                for rule in rules:
                    list(rule.check_objects(ctx, graph))
