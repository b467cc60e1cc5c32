"""Safe YAML with lines: aliases shared, bombs refused the way kubectl and compose refuse them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import run_cli
from hullcheck.yamlutil import YamlError, load_documents, walk


def _laughs(levels: int, indent: str = "") -> list[str]:
    lines = [f'{indent}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for i in range(1, levels):
        refs = ",".join([f"*{names[i - 1]}"] * 9)
        lines.append(f"{indent}{names[i]}: &{names[i]} [{refs}]")
    return lines


def test_alias_bomb_is_refused_fast() -> None:
    start = time.monotonic()
    with pytest.raises(YamlError, match="excessive aliasing"):
        load_documents("\n".join(_laughs(16)) + "\n")
    assert time.monotonic() - start < 2


def test_moderate_aliasing_is_fine() -> None:
    # An anchor reused a hundred times (compose x- defaults, Helm output) is ordinary YAML.
    text = "base: &b {image: x, env: [A, B, C]}\n" + "".join(
        f"s{i}: *b\n" for i in range(100))
    [doc] = load_documents(text)
    assert doc.data["s99"]["image"] == "x"
    assert len(list(walk(doc.data))) == 3  # shared, walked once


def test_kubernetes_bomb_in_annotations_is_one_error(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # Annotation values were stringified: a bomb there used to take minutes.
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: p", "  annotations:",
             *_laughs(16, "    "), "spec:", "  containers:", "  - name: c",
             "    image: nginx:1.27", "    args: *p", "    env: *p"]
    f = tmp_path / "pod.yaml"
    f.write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    code, _, err = run_cli(capsys, "scan", str(f))
    assert time.monotonic() - start < 5
    assert code == 2 and "excessive aliasing" in err and err.count("\n") == 1
