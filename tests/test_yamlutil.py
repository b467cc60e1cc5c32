"""Safe YAML with lines: aliases shared, bombs refused the way kubectl and compose refuse them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bounded import bounded_run
from conftest import run_cli
from hullcheck.yamlutil import MAX_MERGED_KEYS, YamlError, load_documents, walk


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


# --- merge keys: copies, not shares ---------------------------------------------------------

def merge_bomb(size: int, indent: str = "") -> str:
    """Chained merge keys, each anchor merging the one before (``a2: {<<: *a1, k2: 2}``): the
    n-th mapping holds n keys, so ``size`` bytes of YAML ask for about (size / 40)^2 / 2 keys.
    186 KB of it took 668 MB before the merged keys were counted, 470 KB 7.7 GB in 108 s."""
    lines = [f"{indent}a0: &a0 {{k0: 0}}"]
    total = len(lines[0])
    while total < size:
        i = len(lines)
        lines.append(f"{indent}a{i}: &a{i} {{<<: *a{i - 1}, k{i}: {i}}}")
        total += len(lines[-1]) + 1
    return "\n".join(lines) + "\n"


def test_merges_are_counted_as_they_are_copied() -> None:
    with pytest.raises(YamlError, match=r"^line \d+: merge keys \(<<\) copy more than "
                                        f"{MAX_MERGED_KEYS:,} keys"):
        load_documents(merge_bomb(186_000))
    # The budget is per file, not per document: 50 documents of 500,000 merged keys each.
    with pytest.raises(YamlError, match="merge keys"):
        load_documents("---\n".join([merge_bomb(40_000)] * 50))
    # Merging empty mappings is counted too (one per merge), or it would be free to repeat.
    empties = "e: &e {}\nl: &l [" + ", ".join(["*e"] * 2000) + "]\n" + "".join(
        f"m{i}: {{<<: *l}}\n" for i in range(600))
    with pytest.raises(YamlError, match="merge keys"):
        load_documents(empties)


def test_ordinary_merges_still_work() -> None:
    # 300 compose services merging a 20-key defaults block: 6,300 merged keys, far below.
    defaults = "x-defaults: &defaults\n" + "".join(f"  k{i}: v{i}\n" for i in range(20))
    services = "services:\n" + "".join(
        f"  s{i}:\n    <<: *defaults\n    image: app:{i}\n    k3: own\n" for i in range(300))
    [doc] = load_documents(defaults + services)
    svc = doc.data["services"]["s299"]
    assert svc["image"] == "app:299" and svc["k3"] == "own" and svc["k19"] == "v19"
    assert svc.line_of("k19") == 21  # merged keys keep the line they were written on


# Bounds for one bomb, whatever path reads it: refused in under 5 s (measured: 0.3 s), the
# process's peak RSS growing by under 128 MiB (measured: 50-65 MiB, the node graph and the
# million keys copied before the budget ran out; unbounded, 668 MB and 7.7 GB).
SECONDS, GREW_MIB = 5, 128


@pytest.mark.parametrize("size", [186_000, 470_000], ids=["186KB", "470KB"])
def test_merge_bombs_are_refused_in_bounded_memory_on_every_yaml_path(
        tmp_path: Path, size: int) -> None:
    bomb = merge_bomb(size)
    assert len(bomb) >= size
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web:\n    image: nginx:1.27\n" + bomb)
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
                   + merge_bomb(size, "  "))
    config = tmp_path / "cfg" / ".hullcheck.yaml"
    config.parent.mkdir()
    config.write_text(bomb)
    (tmp_path / "cfg" / ".git").mkdir()  # discovery stops here
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nUSER 1\nHEALTHCHECK CMD true\n")
    runs = {
        "compose": bounded_run(tmp_path, "scan", str(compose)),
        "kubernetes": bounded_run(tmp_path, "scan", str(pod)),
        "walked": bounded_run(tmp_path, "scan", "--format", "json", "."),
        "--config": bounded_run(tmp_path, "scan", "--config", str(config), str(dockerfile)),
        "discovered": bounded_run(config.parent, "scan", str(dockerfile)),
    }
    for name, run in runs.items():
        assert run["code"] == 2, (name, run)
        assert "merge keys (<<) copy more than 1,000,000 keys" in run["err"], (name, run)
        assert run["seconds"] < SECONDS, (name, run)
        assert run["grew_mib"] < GREW_MIB, (name, run)
    for name in ("compose", "kubernetes", "--config", "discovered"):
        assert runs[name]["err"].count("\n") == 1, runs[name]  # one line
    # compose.yaml and pod.yaml in one process, under the bound for one: what a refused file
    # built is freed (its error was once cached with the frames that held it).
    assert runs["walked"]["err"].count("merge keys") == 2


def test_kubelet_config_is_read_with_the_bounded_loader(tmp_path: Path) -> None:
    from hullcheck.inputs.host_system import HostFS, read_kubelet

    path = tmp_path / "var" / "lib" / "kubelet" / "config.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(merge_bomb(470_000))
    start = time.monotonic()
    config, _ = read_kubelet(HostFS(tmp_path))
    assert config == {}  # unreadable as a config: no settings, as for invalid YAML
    assert time.monotonic() - start < SECONDS
    path.write_text("x: &x {authentication: {anonymous: {enabled: false}}}\n<<: *x\n")
    config, _ = read_kubelet(HostFS(tmp_path))
    assert config is not None and config["authentication"] == {"anonymous": {"enabled": False}}


# --- compact lines (issue 19) ------------------------------------------------------------------

PLAIN = """\
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
    - name: app
      image: nginx
      args: [a,
        b]
"""


def _every_line(value: Any) -> list[Any]:
    """Every container's line and the line of each key/item, depth first."""
    out: list[Any] = []
    if isinstance(value, dict):
        out.append((value.line, [(k, value.line_of(k)) for k in value]))
        for v in value.values():
            out.extend(_every_line(v))
    elif isinstance(value, list):
        out.append((value.line, [value.line_of(i) for i in range(len(value))]))
        for v in value:
            out.extend(_every_line(v))
    return out


def test_plain_and_careful_builders_agree_on_values_and_lines() -> None:
    # The same document with an anchor somewhere takes the careful builder (memo, merges).
    careful = PLAIN + "x: &unused 1\n"
    plain_doc = load_documents(PLAIN)[0].data
    careful_doc = load_documents(careful)[0].data
    careful_doc.pop("x")
    assert plain_doc == careful_doc
    assert _every_line(plain_doc) == _every_line(careful_doc)
    assert _every_line(plain_doc) == [
        (1, [("apiVersion", 1), ("kind", 2), ("metadata", 3), ("spec", 5)]),
        (4, [("name", 4)]),
        (6, [("containers", 6)]),
        (7, [7]),
        (7, [("name", 7), ("image", 8), ("args", 9)]),
        (9, [9, 10]),
    ]


def test_equal_shapes_are_stored_once_and_edits_stay_private() -> None:
    first = load_documents("a:\n  b: 1\n  c: 2\n")[0].data
    second = load_documents("x: 0\ny: 0\na:\n  b: 3\n  c: 4\n")[0].data
    assert first["a"]._lines is second["a"]._lines  # one shape for both
    first["a"].key_lines["c"] = 99  # an input editing lines (compose merges) owns a copy
    assert first["a"].line_of("c") == 99
    assert second["a"].line_of("c") == 5


def test_lines_past_a_byte_and_before_the_mapping() -> None:
    text = "big:\n" + "".join(f"  k{i}: {i}\n" for i in range(300))
    big = load_documents(text)[0].data["big"]
    assert big.line_of("k0") == 2 and big.line_of("k299") == 301
    merged = load_documents("base: &b {x: 1}\n\n\nuse:\n  <<: *b\n  y: 2\n")[0].data["use"]
    assert merged.line_of("x") == 1 and merged.line_of("y") == 6  # a key from above
    assert merged.line_of("missing") == merged.line == 5 and merged.line_of("missing", 7) == 7


def test_keys_equal_across_types_do_not_share_a_shape() -> None:
    one = load_documents("m:\n  1: a\n")[0].data["m"]
    true = load_documents("m:\n  true: a\n")[0].data["m"]
    assert list(one.key_lines) == [1] and list(true.key_lines) == [True]


def test_values_pickle_with_their_lines_and_tags() -> None:
    import pickle

    from hullcheck.inputs.compose import TrackedDict

    doc = load_documents("a:\n  b: !reset 1\n  c: [x,\n    y]\nbig: &x {k: v}\nuse: *x\n")[0].data
    assert doc["a"].key_lines == {"b": 2, "c": 3}  # materialised: a dict of its own
    back = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == doc and _every_line(back) == _every_line(doc)
    assert back["a"].tag_of("b") == "!reset"
    assert back["big"] is back["use"]  # shared values stay shared
    tracked = TrackedDict(3, "compose.yaml")
    tracked["k"] = 1
    tracked.key_paths["k"] = "compose.yaml"
    again = pickle.loads(pickle.dumps(tracked))
    assert type(again) is TrackedDict and again.key_paths == {"k": "compose.yaml"}


def test_fast_loader_resolves_every_tag_as_the_safe_loader() -> None:
    import yaml

    from hullcheck.yamlutil import _FastLoader

    plain = ["yes", "No", "~", "", "0x1F", "1e3", "1.0e+3", ".inf", "-.5", "0o17", "017",
             "2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=", "null", "Null", "NULL",
             "true", "on", "OFF", "y", "n", "1_000", "12:30:00", "+1", "-", "--", "abc", "3.14",
             ".NaN", "0b101", "190:20:30", "x" * 80]
    text = "\n".join(f"- {v}" if v else "-" for v in plain) + "\n- 'quoted'\n- {a: [1, b]}\n"

    def tags(loader: Any) -> list[str]:
        node = yaml.compose(text, Loader=loader)
        out = [node.tag]
        for item in node.value:
            out.append(item.tag)
            if isinstance(item, yaml.MappingNode):
                out += [n.tag for pair in item.value for n in pair]
        return out

    expected = tags(yaml.SafeLoader)
    assert tags(_FastLoader) == expected
    assert tags(_FastLoader) == expected  # again, from what it remembered
