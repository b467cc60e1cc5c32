"""Reading compose files the way `docker compose config` does, and refusing hostile ones."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from compose_helpers import HARD
from compose_helpers import located as findings

from conftest import run_cli, run_json
from hullcheck.inputs.compose_env import (
    InterpolationError,
    interpolate,
    literal_part,
    parse_env_file,
)

# --- interpolation -----------------------------------------------------------------------------

ENV = {"SET": "value", "EMPTY": ""}


@pytest.mark.parametrize(("text", "expected"), [
    ("plain", "plain"),
    ("$SET", "value"),
    ("${SET}", "value"),
    ("${UNSET}", ""),
    ("${UNSET:-dflt}", "dflt"),
    ("${EMPTY:-dflt}", "dflt"),
    ("${EMPTY-dflt}", ""),
    ("${UNSET-dflt}", "dflt"),
    ("${SET:+alt}", "alt"),
    ("${UNSET:+alt}", ""),
    ("${UNSET:-${SET}}", "value"),
    ("$$SET", "$SET"),
    ("cost: 5$", "cost: 5$"),
    ("a-${SET}-b", "a-value-b"),
])
def test_interpolation_forms(text: str, expected: str) -> None:
    assert interpolate(text, ENV.get) == expected


def test_required_variables_and_bad_syntax() -> None:
    with pytest.raises(InterpolationError, match="UNSET must be set"):
        interpolate("${UNSET:?must be set}", ENV.get)
    with pytest.raises(InterpolationError, match="EMPTY"):
        interpolate("${EMPTY:?}", ENV.get)
    assert interpolate("${EMPTY?}", ENV.get) == ""
    with pytest.raises(InterpolationError, match="invalid interpolation"):
        interpolate("${SET", ENV.get)
    with pytest.raises(InterpolationError, match="invalid interpolation"):
        interpolate("${1abc}", ENV.get)


def test_literal_part_never_reads_the_environment() -> None:
    assert literal_part("${DB_PASSWORD}") is None
    assert literal_part("${DB_PASSWORD:-hunter2}") == "hunter2"
    assert literal_part("s3cr3t") == "s3cr3t"


def test_env_file_syntax() -> None:
    env = parse_env_file(
        "# comment\nA=1\nexport B='x y'\nC=\"line\\nnext\"\nD=plain # trailing\nE=${A}-2\n"
        "bad line\n", {}.get)
    assert env == {"A": "1", "B": "x y", "C": "line\nnext", "D": "plain", "E": "1-2"}


def test_dotenv_beside_file_and_shell_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PRIV=true\nTAG=latest\n")
    (tmp_path / "compose.yaml").write_text(HARD + (
        "services:\n"
        "  app:\n"
        "    <<: *hardened\n"
        "    privileged: ${PRIV:-false}\n"
        "    image: nginx:${TAG}\n"))
    monkeypatch.delenv("TAG", raising=False)
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert {f["rule"] for f in doc["findings"]} == {"CT001", "CT028"}
    monkeypatch.setenv("TAG", "1.27")
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert {f["rule"] for f in doc["findings"]} == {"CT001"}


def test_missing_required_variable_is_an_error_with_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  app:\n    image: ${HULLCHECK_TEST_UNSET:?set the image}\n")
    code, _, err = run_cli(capsys, "scan", str(f))
    assert code == 2
    assert "line 3: required variable HULLCHECK_TEST_UNSET set the image" in err


# --- syntax forms ------------------------------------------------------------------------------


def test_extends_same_file_and_other_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "common.yml").write_text(
        "services:\n"
        "  base:\n"
        "    privileged: true\n")
    (tmp_path / "compose.yaml").write_text(HARD + (
        "services:\n"
        "  tmpl:\n"
        "    <<: *hardened\n"
        "    pid: host\n"
        "  app:\n"
        "    extends: tmpl\n"
        "  other:\n"
        "    <<: *hardened\n"
        "    extends:\n"
        "      file: common.yml\n"
        "      service: base\n"))
    _, doc, _ = run_json(capsys, "scan", str(tmp_path / "compose.yaml"), "--fail-on", "never")
    got = {(f["rule"], f["location"]["container"], f["location"]["path"].rsplit("/", 1)[-1],
            f["location"]["line"]) for f in doc["findings"]}
    assert got == {
        ("CT005", "tmpl", "compose.yaml", 16),
        ("CT005", "app", "compose.yaml", 16),  # inherited: points where the fix goes
        ("CT001", "other", "common.yml", 3),
    }


def test_extends_loop_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  a:\n    extends: b\n  b:\n    extends: a\n")
    code, _, err = run_cli(capsys, "scan", str(f))
    assert code == 2 and "extends loops" in err


def test_override_file_merges_by_default_naming(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "compose.yaml").write_text(HARD + (
        "services:\n"
        "  web:\n"
        "    <<: *hardened\n"
        "    ports: ['127.0.0.1:8080:80']\n"))
    (tmp_path / "compose.override.yaml").write_text(
        "services:\n"
        "  web:\n"
        "    cap_add: [SYS_ADMIN]\n"
        "    ports: ['9000:9000']\n")
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    override = str(tmp_path / "compose.override.yaml")
    assert findings(doc) == {("CT002", override, 3), ("CT021", override, 4)}
    assert {f["location"]["container"] for f in doc["findings"]} == {"web"}


def test_files_named_together_merge_in_order(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "docker-compose.yml"
    prod = tmp_path / "docker-compose.prod.yml"
    base.write_text(HARD + "services:\n  app:\n    <<: *hardened\n    privileged: true\n")
    prod.write_text("services:\n  app:\n    privileged: false\n")
    _, doc, _ = run_json(capsys, "scan", str(base), str(prod), "--fail-on", "never")
    assert doc["findings"] == []  # prod turns privileged off, as docker compose -f -f would
    _, doc, _ = run_json(capsys, "scan", str(prod), str(base), "--fail-on", "never")
    assert {f["rule"] for f in doc["findings"]} == {"CT001"}  # the order matters
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert {f["rule"] for f in doc["findings"]} >= {"CT001"}  # walked: not an override name


def test_merge_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Volumes merge by target, environment by name, cap lists are concatenated."""
    (tmp_path / "compose.yaml").write_text(HARD + (
        "services:\n"
        "  app:\n"
        "    <<: *hardened\n"
        "    volumes: ['/etc:/host']\n"
        "    environment: ['DB_PASSWORD=hunter2']\n"))
    (tmp_path / "compose.override.yaml").write_text(
        "services:\n"
        "  app:\n"
        "    volumes: ['./safe:/host']\n"
        "    environment:\n"
        "      DB_PASSWORD: ${DB_PASSWORD}\n")
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert doc["findings"] == []


def test_sniffing_by_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "stack.yml").write_text("services:\n  app:\n    image: nginx\n")
    (tmp_path / ".gitlab-ci.yml").write_text("services:\n  - docker:dind\ntest:\n  script: [x]\n")
    (tmp_path / "k8s.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  services: a\n")
    (tmp_path / "other.yaml").write_text("services:\n  enabled: true\n")
    code, doc, err = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert code == 0, err
    assert {f["location"]["path"].rsplit("/", 1)[-1] for f in doc["findings"]} == {"stack.yml"}


# --- hostile input -----------------------------------------------------------------------------


def _one_error(capsys: pytest.CaptureFixture[str], path: Path, needle: str) -> None:
    start = time.monotonic()
    code, out, err = run_cli(capsys, "scan", str(path))
    assert time.monotonic() - start < 10
    assert code == 2
    lines = [line for line in err.splitlines() if "error" in line]
    assert len(lines) == 1 and needle in lines[0], err
    assert "Traceback" not in err + out


def test_alias_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefgh"[i]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb = "x-bomb:\n" + "\n".join("  " + line for line in levels) + "\n"
    f = tmp_path / "compose.yaml"
    # The bomb is shared into every field the mapper reads and every merge: no expansion.
    f.write_text(bomb + "services:\n  app: &app\n    image: nginx:1.27\n"
                 "    environment: *i\n    volumes: *i\n    ports: *i\n    cap_add: *i\n"
                 "    x-more: *i\n  again:\n    <<: *app\n    extends: app\n")
    start = time.monotonic()
    _code, _out, err = run_cli(capsys, "scan", str(f), "--fail-on", "never")
    assert time.monotonic() - start < 10
    assert "Traceback" not in err


def test_deep_nesting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  app:\n    x: " + "[" * 5000 + "]" * 5000 + "\n")
    _one_error(capsys, f, "nesting")


def test_huge_document_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    body = "".join(f"  s{i}:\n    image: nginx:1.27\n    privileged: true\n"
                   for i in range(20_000))
    f.write_text("services:\n" + body)
    start = time.monotonic()
    code, _, err = run_json(capsys, "scan", str(f), "--fail-on", "never", "--select", "CT001")
    assert time.monotonic() - start < 30
    assert code == 0 and "Traceback" not in err
    too_big = tmp_path / "docker-compose.yml"
    with too_big.open("wb") as fh:
        fh.truncate(65 * 1024 * 1024)  # sparse: costs nothing to create
    _one_error(capsys, too_big, "too large")


def test_duplicate_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  app:\n    image: a\n    image: b\n")
    _one_error(capsys, f, "line 4: duplicate key 'image'")


def test_tabs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n\tapp:\n\t\timage: a\n")
    _one_error(capsys, f, "line 2")


def test_non_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_bytes(b"services:\n  app:\n    image: \xff\xfe\n")
    _one_error(capsys, f, "not UTF-8")


def test_services_as_a_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  - app\n  - db\n")
    _one_error(capsys, f, "line 1: 'services' must be a mapping")


def test_service_not_a_mapping_and_top_level_list(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  app: nginx\n")
    _one_error(capsys, f, "service app must be a mapping")
    f.write_text("- services\n")
    _one_error(capsys, f, "mapping at the top level")
