"""env_file, profiles, ``!reset``/``!override``, cpu_shares and which files make one project."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from compose_helpers import HARD, located

from conftest import run_cli, run_json
from hullcheck.inputs.compose import group_projects
from hullcheck.inputs.compose_env import (
    EnvFileError,
    parse_env_entries,
    parse_env_file,
    resolve_entries,
)
from hullcheck.sources import Source
from hullcheck.yamlutil import LineDict, load_documents

# --- env file syntax (docker compose's documented rules) -------------------------------------


def values(text: str) -> dict[str, str | None]:
    return resolve_entries(parse_env_entries(text), lenient=True)


@pytest.mark.parametrize(("line", "expected"), [
    ("VAR=VAL", "VAL"),
    ('VAR="VAL"', "VAL"),
    ("VAR='VAL'", "VAL"),
    ("VAR=VAL # comment", "VAL"),
    ("VAR=VAL# not a comment", "VAL# not a comment"),
    ('VAR="VAL # not a comment"', "VAL # not a comment"),
    ('VAR="VAL" # comment', "VAL"),
    ("VAR='$OTHER'", "$OTHER"),
    ("VAR='${OTHER}'", "${OTHER}"),
    ("VAR='Let\\'s go!'", "Let's go!"),
    ('VAR="{\\"hello\\": \\"json\\"}"', '{"hello": "json"}'),
    ('VAR="some\\tvalue"', "some\tvalue"),
    ("VAR='some\\tvalue'", "some\\tvalue"),
    ("VAR=some\\tvalue", "some\\tvalue"),
    ('VAR="a\\nb"', "a\nb"),
    ('VAR="cost \\$5"', "cost $5"),
    ("export VAR=VAL", "VAL"),
    ("  VAR = VAL  ", "VAL"),
    ("VAR: VAL", "VAL"),
    ("VAR=", ""),
    # compose trims the blanks after '=' first: what follows is the value, '#' included
    ("VAR=  # set me", "# set me"),
    ("VAR=${UNSET}", ""),
    ("VAR=${UNSET:-fallback}", "fallback"),
])
def test_env_file_line_syntax(line: str, expected: str) -> None:
    assert values(line + "\n") == {"VAR": expected}


def test_env_file_structure() -> None:
    text = ("# comment\n\n"
            "A=1\n"
            'MULTI="first\nsecond"  # trailing\n'
            "B=${A}-${C}\n"  # C is defined below: later lines never count
            "C=3\n"
            "INHERITED\n"
            "A=overridden\n")
    entries = parse_env_entries(text)
    assert [(e.name, e.line) for e in entries] == [
        ("A", 3), ("MULTI", 4), ("B", 6), ("C", 7), ("INHERITED", 8), ("A", 9)]
    assert values(text) == {"A": "overridden", "MULTI": "first\nsecond", "B": "1-", "C": "3",
                            "INHERITED": None}
    # KEY alone takes the value from the environment, never from the file
    assert resolve_entries(parse_env_entries("X\n"), {"X": "from-env"}.get) == {"X": "from-env"}


def test_env_file_raw_format() -> None:
    entries = parse_env_entries("A='quoted' # not a comment\nB=${X}\n", raw=True)
    assert resolve_entries(entries) == {"A": "'quoted' # not a comment", "B": "${X}"}


@pytest.mark.parametrize(("text", "needle"), [
    ("GOOD=1\nBAD KEY=2\n", "line 2: key cannot contain a space"),
    ("A=1\nB=\"never closed\nC=3\n", "line 2: unterminated quoted value for B"),
    ("K # comment\n", "line 1: unexpected character"),
])
def test_env_file_lines_compose_refuses(text: str, needle: str) -> None:
    with pytest.raises(EnvFileError, match=needle):
        parse_env_entries(text)


def test_dotenv_for_interpolation_keeps_what_precedes_a_bad_line() -> None:
    assert parse_env_file("A=1\nbad line\nB=2\n") == {"A": "1"}


# --- env_file: in a compose file -------------------------------------------------------------


def _project(tmp_path: Path, service: str, **files: str) -> Path:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    compose = tmp_path / "compose.yaml"
    compose.write_text(HARD + "services:\n  app:\n    <<: *hardened\n" + service)
    return compose


def test_env_file_findings_point_into_the_env_file(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    env_file: conf/app.env\n",
                       **{"conf/app.env": "LOG=1\nDB_PASSWORD=hunter2\n"})
    code, doc, _ = run_json(capsys, "scan", str(compose))
    assert code == 1
    assert located(doc) == {("CT024", str(tmp_path / "conf" / "app.env"), 2)}
    assert doc["findings"][0]["location"]["container"] == "app"
    assert "hunter2" not in doc["findings"][0]["message"]


def test_env_file_precedence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """environment: beats every env_file; a later env_file beats an earlier one."""
    compose = _project(
        tmp_path,
        "    env_file: [a.env, b.env]\n"
        "    environment:\n"
        "      - A_PASSWORD\n",
        **{"a.env": "A_PASSWORD=one\nB_PASSWORD=two\nC_PASSWORD=three\n",
           "b.env": "B_PASSWORD=${FROM_VAULT}\nD_PASSWORD=${C_PASSWORD}\n"})
    _, doc, _ = run_json(capsys, "scan", str(compose), "--fail-on", "never")
    assert located(doc) == {("CT024", str(tmp_path / "a.env"), 3),  # C_PASSWORD
                            ("CT024", str(tmp_path / "b.env"), 2)}  # D_PASSWORD = earlier C


def test_env_file_relative_to_the_file_that_names_it(tmp_path: Path, monkeypatch:
                                                     pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "common.yml").write_text(
        "services:\n  tmpl:\n    env_file: common.env\n")
    (tmp_path / "base" / "common.env").write_text("API_TOKEN=abc123\n")
    compose = _project(tmp_path, "    extends:\n      file: base/common.yml\n"
                                 "      service: tmpl\n")
    monkeypatch.chdir(tmp_path.parent)  # the working directory plays no part
    _, doc, _ = run_json(capsys, "scan", str(compose), "--fail-on", "never")
    assert located(doc) == {("CT024", str(tmp_path / "base" / "common.env"), 1)}


def test_env_file_string_and_list_merge_across_files(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _project(tmp_path, "    env_file: a.env\n", **{
        "a.env": "A_PASSWORD=one\n", "b.env": "B_PASSWORD=two\n",
        "compose.override.yaml": "services:\n  app:\n    env_file: [b.env]\n"})
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert located(doc) == {("CT024", str(tmp_path / "a.env"), 1),
                            ("CT024", str(tmp_path / "b.env"), 1)}


def test_missing_required_env_file_is_one_input_error(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    env_file:\n      - path: nothere.env\n")
    code, _, err = run_cli(capsys, "scan", str(compose))
    assert code == 2
    assert err.strip().splitlines() == [
        f"hullcheck: error: {compose}: line 17: env_file {tmp_path / 'nothere.env'}: not found "
        "(set 'required: false' if it is optional)"]


def test_optional_env_file_may_be_missing(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    env_file:\n      - path: nothere.env\n"
                                 "        required: false\n")
    code, doc, _ = run_json(capsys, "scan", str(compose))
    assert (code, doc["errors"], doc["findings"]) == (0, [], [])


@pytest.mark.parametrize(("content", "needle"), [
    (b"A=1\nB\xff=2\n", "not UTF-8 text"),
    (b"A=1\nBAD KEY=2\n", "line 2: key cannot contain a space"),
    (b"A=1\nBAD!=2\n", "line 2: unexpected character '!'"),
    (b"A='open\n", "line 1: unterminated quoted value"),
])
def test_unusable_env_file_is_an_error_in_the_env_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, needle: str) -> None:
    compose = _project(tmp_path, "    env_file: bad.env\n")
    (tmp_path / "bad.env").write_bytes(content)
    code, doc, _ = run_json(capsys, "scan", str(compose))
    assert code == 2
    [error] = doc["errors"]
    assert error["path"] == str(tmp_path / "bad.env") and needle in error["message"]


def test_env_file_that_is_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    env_file: conf\n")
    (tmp_path / "conf").mkdir()
    code, doc, _ = run_json(capsys, "scan", str(compose))
    assert code == 2 and "not a regular file" in doc["errors"][0]["message"]


def test_env_file_inline_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    env_file: app.env\n", **{"app.env": (
        "A_TOKEN=abc  # hullcheck: ignore=CT024 rotated test value\n"
        "# hullcheck: ignore=CT024 the line below\n"
        "B_TOKEN=def\n"
        "C_TOKEN=ghi  # hullcheck: ignore=CT001 names another rule\n")})
    code, doc, _ = run_json(capsys, "scan", str(compose), "--show-suppressed")
    got = {(f["location"]["line"], (f.get("suppressed") or {}).get("by")) for f in doc["findings"]}
    assert got == {(1, "inline"), (3, "inline"), (4, None)}
    assert code == 1


def test_env_file_fingerprint_survives_moved_lines(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    env_file: app.env\n", **{"app.env": "DB_PASSWORD=x1\n"})
    _, first, _ = run_json(capsys, "scan", str(compose), "--fail-on", "never")
    (tmp_path / "app.env").write_text("# moved\nLOG=1\nDB_PASSWORD=x1\n")
    _, second, _ = run_json(capsys, "scan", str(compose), "--fail-on", "never")
    assert first["findings"][0]["location"]["line"] == 1
    assert second["findings"][0]["location"]["line"] == 3
    assert first["findings"][0]["fingerprint"] == second["findings"][0]["fingerprint"]


# --- profiles --------------------------------------------------------------------------------


@pytest.mark.parametrize("profiles", ["[debug]", "debug", "5", "{a: 1}", "[[x]]", "null", "[]"])
def test_services_with_profiles_are_judged_and_never_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], profiles: str) -> None:
    compose = _project(tmp_path, f"    profiles: {profiles}\n    privileged: true\n")
    code, doc, _ = run_json(capsys, "scan", str(compose))
    assert code == 1 and not doc["errors"]
    assert {f["rule"] for f in doc["findings"]} == {"CT001"}


# --- !reset and !override --------------------------------------------------------------------


def test_yaml_keeps_local_tags_per_key() -> None:
    [doc] = load_documents("a: !reset []\nb: !override 8080\nc: &x !reset {}\nd: *x\n"
                           "base: &b {k: !override [1]}\nm:\n  <<: *b\n  plain: 1\n")
    data = doc.data
    assert data["b"] == 8080  # the tag directs merging; the value reads as if untagged
    assert data.key_tags == {"a": "!reset", "b": "!override", "c": "!reset", "d": "!reset"}
    assert data["c"] is data["d"]  # aliases stay shared
    assert data["m"].tag_of("k") == "!override"  # merge keys carry the tag along
    assert data["m"].tag_of("plain") is None
    assert LineDict(1).key_tags is None  # untagged mappings pay nothing


def test_reset_and_override_across_files(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "compose.yaml"
    base.write_text(HARD + (
        "services:\n"
        "  app:\n"
        "    <<: *hardened\n"
        "    privileged: true\n"
        "    cap_add: [NET_ADMIN]\n"
        "    ports: ['8080:80']\n"
        "  gone:\n"
        "    pid: host\n"))
    (tmp_path / "compose.prod.yaml").write_text(
        "services:\n"
        "  app:\n"
        "    privileged: !reset\n"
        "    cap_add: !override [CHOWN]\n"
        "    ports: !override ['127.0.0.1:8080:80']\n"
        "  gone: !reset\n")
    _, doc, _ = run_json(capsys, "scan", str(base), str(tmp_path / "compose.prod.yaml"),
                         "--fail-on", "never")
    prod = str(tmp_path / "compose.prod.yaml")
    assert located(doc) == {("CT002", prod, 4)}  # only CHOWN: NET_ADMIN was replaced
    assert {f["location"]["container"] for f in doc["findings"]} == {"app"}


def test_reset_in_a_single_file_removes_the_key(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    compose = _project(tmp_path, "    privileged: !reset true\n")
    _, doc, _ = run_json(capsys, "scan", str(compose))
    assert doc["findings"] == [] and doc["errors"] == []


def test_reset_everything_at_the_top_level(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "compose.yaml"
    base.write_text("services:\n  app:\n    privileged: true\n")
    (tmp_path / "compose.override.yaml").write_text(
        "services: !reset {}\n")
    code, doc, _ = run_json(capsys, "scan", str(tmp_path))
    assert (code, doc["findings"], doc["errors"]) == (0, [], [])


def test_tagged_alias_bomb_stays_bounded(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["a0: &a0 !override {x: 1}"]
    for i in range(1, 40):
        lines.append(f"a{i}: &a{i} !override {{p: *a{i - 1}, q: *a{i - 1}}}")
    lines.append("services:\n  app:\n    image: x\n    labels: *a39\n")
    f = tmp_path / "compose.yaml"
    f.write_text("\n".join(lines))
    (tmp_path / "compose.override.yaml").write_text(
        "services:\n  app:\n    labels: !override {k: v}\n")
    start = time.monotonic()
    code, _, err = run_cli(capsys, "scan", str(tmp_path), "--fail-on", "never")
    assert time.monotonic() - start < 10
    assert code == 2 and "excessive aliasing" in err  # refused, tags or not


# --- cpu_shares ------------------------------------------------------------------------------


def test_cpu_shares_is_not_a_limit_and_the_message_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n"
                 "  weighted:\n    image: x\n    cpu_shares: 512\n"
                 "  bare:\n    image: x\n"
                 "  limited:\n    image: x\n    cpu_shares: 512\n    cpus: '1'\n")
    _, doc, _ = run_json(capsys, "scan", str(f), "--select", "CT018", "--fail-on", "never")
    messages = {f["location"]["container"]: f["message"] for f in doc["findings"]}
    assert set(messages) == {"weighted", "bare"}
    assert "cpu_shares is set, but it is a relative weight" in messages["weighted"]
    assert "cpu_shares" not in messages["bare"]


# --- which files make one project ------------------------------------------------------------


def _sources(tmp_path: Path, names: list[str], explicit: bool) -> list[Source]:
    out = []
    for name in names:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("services:\n  app:\n    image: x\n")
        out.append(Source(path=str(p), text=p.read_text(), fs_path=p, explicit=explicit))
    return out


def _names(groups: list[list[Source]]) -> list[list[str]]:
    return sorted([s.fs_path.name if s.fs_path else s.path for s in g] for g in groups)


def test_walking_merges_only_name_override_onto_name(tmp_path: Path) -> None:
    walked = _sources(tmp_path, [
        "a.yml", "b.yml", "compose.yaml", "compose.override.yaml", "docker-compose.yml",
        "docker-compose.override.yml", "orphan.override.yaml", "sub/compose.override.yaml",
    ], explicit=False)
    assert _names(group_projects(walked)) == [
        ["a.yml"], ["b.yml"], ["compose.override.yaml"],  # sub/: no base beside it
        ["compose.yaml", "compose.override.yaml"],
        ["docker-compose.yml", "docker-compose.override.yml"],
        ["orphan.override.yaml"],
    ]


def test_files_named_together_in_one_directory_are_one_project(tmp_path: Path) -> None:
    explicit = _sources(tmp_path, ["a.yml", "b.yml", "other/c.yml"], explicit=True)
    assert _names(group_projects(explicit)) == [["a.yml", "b.yml"], ["c.yml"]]


def test_walking_a_directory_of_unrelated_stacks(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Two unrelated files that both define `app`: walked, each is judged on its own."""
    (tmp_path / "a.yml").write_text("services:\n  app:\n    image: x\n    privileged: true\n")
    (tmp_path / "b.yml").write_text("services:\n  app:\n    image: x\n    privileged: false\n")
    _, doc, _ = run_json(capsys, "scan", str(tmp_path), "--select", "CT001",
                         "--fail-on", "never")
    assert located(doc) == {("CT001", str(tmp_path / "a.yml"), 4)}
    # Named together they are merged in order (b turns privileged off), as documented.
    _, doc, _ = run_json(capsys, "scan", str(tmp_path / "a.yml"), str(tmp_path / "b.yml"),
                         "--select", "CT001", "--fail-on", "never")
    assert doc["findings"] == []


def test_long_port_published_with_an_address_is_an_input_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`published: 127.0.0.1:8080` is not Compose syntax (the address belongs in `host_ip`):
    one error naming the field and its line, the port left unjudged (not CT020/CT021 as if
    bound on every interface), the other port and the rest of the scan still judged."""
    compose = _project(tmp_path, (
        "    ports:\n"
        "      - target: 80\n"
        "        published: 127.0.0.1:8080\n"
        "      - target: 81\n"
        "        published: \"8081\"\n"
        "        host_ip: 127.0.0.1\n"
        "      - \"9000:9000\"\n"))
    code, doc, err = run_json(capsys, "scan", str(compose), "--fail-on", "never")
    assert code == 2 and "Traceback" not in err
    [error] = doc["errors"]
    line = compose.read_text().splitlines().index("        published: 127.0.0.1:8080") + 1
    assert error["path"] == str(compose)
    assert error["message"] == (
        f"line {line}: ports: published: '127.0.0.1:8080' is not a port or a range "
        "(a host address belongs in host_ip)")
    port_rules = sorted((f["rule"], f["location"]["line"]) for f in doc["findings"]
                        if f["rule"] in ("CT020", "CT021"))
    assert port_rules == [("CT021", line + 4)]
