"""Issue 24, Dockerfile slice: what the rules that changed report, exactly (severity, message,
place), beyond the (rule, line) pairs the fixtures pin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import run_json


def _scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
          *args: str) -> list[dict[str, Any]]:
    (tmp_path / "Dockerfile").write_text(text)
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path / "Dockerfile"), "--fail-on",
                                "never", *args)
    assert not doc["errors"], doc["errors"]
    return list(doc["findings"])


def test_df019_rates_by_what_gets_through(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    found = _scan(tmp_path, capsys, "\n".join([
        "FROM debian:12.7",
        "RUN curl -fsSL https://example.com/app.tgz | tar xz",
        "RUN sha256sum -c SUMS | tee /tmp/log",
        "RUN wget -qO- https://example.com/i.sh | sh",
        "RUN find / -xdev -type f | awk '{print}' | xargs -r ls",
        'RUN echo "$SHA *f" | sha256sum -c -',
        # Two pipes: the worse one is reported, once.
        "RUN curl -fsSL https://example.com/a.tgz | tar xz && gpg --verify a.asc 2>&1 | cat",
        "",
    ]), "--select", "DF019")
    got = [(f["location"]["line"], f["severity"]) for f in found]
    assert got == [(2, "low"), (3, "medium"), (4, "medium"), (7, "medium")]
    messages = {f["location"]["line"]: f["message"] for f in found}
    assert "`sha256sum -c` is not the last command of its pipe (`... | tee`)" in messages[3]
    assert "a failed check does not fail the build" in messages[3]
    assert "`sh` runs the part of the script it received" in messages[4]
    assert "A download is piped into `tar`" in messages[2]
    assert "`gpg --verify` is not the last command" in messages[7]


def test_df019_download_into_shell_is_one_finding_with_df014(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "FROM debian:12.7\nRUN wget -qO- https://example.com/i.sh | sh\n"
    found = _scan(tmp_path, capsys, text, "--select", "DF")
    mine = [(f["rule"], f["location"]["line"], f["severity"]) for f in found
            if f["rule"] in ("DF014", "DF019")]
    # DF014 reports and carries DF019's tag; selected by its id, DF019 reports too.
    assert mine == [("DF014", 2, "high")]
    assert "hadolint:DL4006" in next(f for f in found if f["rule"] == "DF014")["references"]
    both = _scan(tmp_path, capsys, text, "--select", "DF014,DF019")
    assert sorted(f["rule"] for f in both) == ["DF014", "DF019"]


def test_df021_quotes_the_rule_and_rates_what_it_grants(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = _scan(tmp_path, capsys, "\n".join([
        "FROM debian:12.7",
        'RUN echo "mpd ALL=NOPASSWD: /usr/bin/mount, /usr/bin/umount" > /etc/sudoers.d/mpd',
        'RUN echo "app ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers',
        'RUN echo "app ALL=(root) NOPASSWD: SETENV: /usr/bin/env" > /etc/sudoers.d/env',
        'RUN echo "app ALL=(postgres) NOPASSWD: ALL" > /etc/sudoers.d/pg',
        "",
    ]), "--select", "DF021")
    assert [(f["location"]["line"], f["severity"]) for f in found] == [
        (2, "medium"), (3, "high"), (4, "high"), (5, "medium")]
    assert found[0]["message"].startswith(
        "the sudoers rule 'mpd ALL=NOPASSWD: /usr/bin/mount, /usr/bin/umount' lets the user run "
        "/usr/bin/mount, /usr/bin/umount as root without a password: not every command")
    assert found[1]["message"] == (
        "the sudoers rule 'app ALL=(ALL) NOPASSWD: ALL' lets the user run any command as root "
        "without a password: the user is root.")
    assert "a command that opens a root shell" in found[2]["message"]
    assert "as postgres without a password" in found[3]["message"]


def test_one_detector_for_names_placeholders_and_public_values() -> None:
    from hullcheck.credentials import (
        is_credential,
        is_key_like_secret,
        is_placeholder,
        value_shape,
    )

    assert is_credential("LDAP_ROOTPASS", "fsociety")
    assert is_credential("LICENSE_KEY", "lgNvGyhnUKpa5PJi")
    assert not is_credential("PROXY_BYPASS", "localhost")
    # A *_KEY value must look generated: 16 to 512 characters, letters and digits.
    assert not is_key_like_secret("LICENSE_KEY", "lgNvGyhnUKpa5PJ")  # 15 characters
    assert not is_key_like_secret("LICENSE_KEY", "a1B2" * 129)  # 516 characters
    assert is_key_like_secret("LICENSE_KEY", "a1B2c3D4e5F6g7H8" * 32)  # 512
    assert not is_key_like_secret("LICENSE_KEY", "abcdefghijklmnop")  # no digit
    assert not is_key_like_secret("GPG_KEY", "lgNvGyhnUKpa5PJi")
    for text in ("INSERT_ETCD_DISCOVERY_TOKEN", "yourpassword", "replace with your key",
                 "YOUR_API_KEY_HERE"):
        assert is_placeholder(text), text
    for text in ("hunter2", "YourPassword1", "yourmom", "insert"):
        assert not is_placeholder(text), text
    debian = "AIzaSyCkfPOPZXDKNn8hhgu3JrA62wIgC93d44k"
    assert value_shape(f'export GOOGLE_API_KEY="{debian}"') is None
    assert value_shape(debian[:-1] + "X") == "Google API key"
    assert not is_credential("GOOGLE_DEFAULT_CLIENT_SECRET", "kdloedMFGdGla2P1zacGjAQh")


@pytest.mark.parametrize(("text", "expected"), [
    ('FROM mcr.microsoft.com/powershell:7.4\nENTRYPOINT ["pwsh"]\n', []),
    ('FROM node:22\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node"]\n', []),
    ("FROM golang:1.23\n", []),
    ("FROM scratch\nCOPY x /x\n", []),
    ("FROM alpine:3.20\nEXPOSE 22 3000\n",
     [("low", "serves (it exposes ports 22, 3000)")]),
    ('FROM alpine:3.20\nCMD ["redis-server"]\n',
     [("low", "serves (it runs redis-server, a server)")]),
    ("FROM nginx:1.27\n", [("low", "serves (it is built FROM nginx, a server image)")]),
    ('FROM python:3.12\nCMD ["python", "app.py"]\n',
     [("info", "depends on what it runs (it runs `python app.py`, an application, and exposes "
               "no port): a service needs one")]),
    ('FROM alpine:3.20\nCMD ["/app/worker"]\n',
     [("info", "it runs `worker`, a program hullcheck does not know, and exposes no port")]),
    ("FROM acme/app:1.2\n",
     [("info", "it is built FROM acme/app, whose command is not known here")]),
])
def test_df018_judges_whether_the_image_serves(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
        expected: list[tuple[str, str]]) -> None:
    found = _scan(tmp_path, capsys, text, "--select", "DF018")
    assert len(found) == len(expected)
    for finding, (severity, words) in zip(found, expected, strict=True):
        assert (finding["location"]["line"], finding["severity"]) == (1, severity)
        assert words in finding["message"]


def test_df017_one_finding_for_a_git_over_ssh_server(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = _scan(tmp_path, capsys, "FROM alpine:3.20\nRUN apk add --no-cache git openssh\n"
                  "EXPOSE 22 3000\n", "--select", "DF017")
    assert [(f["location"]["line"], f["severity"]) for f in found] == [(2, "medium")]
    assert found[0]["message"] == (
        "RUN installs an SSH server (openssh); EXPOSE 22 (line 3) publishes its port. An "
        "administrative way in beside docker exec, unless SSH is the service the image provides "
        "(git or SFTP over SSH): then keep it, with keys only.")


def test_df018_follows_sh_c_four_levels_deep() -> None:
    from hullcheck.inputs.dockerfile import parse
    from hullcheck.rules.dockerfile.healthcheck import MAX_SHELL_NESTING, judge_service

    def nested(levels: int) -> str:
        # sh -c 'sh -c ... redis-server' built with shlex quoting at each level
        import shlex
        command = "redis-server"
        for _ in range(levels):
            command = "sh -c " + shlex.quote(command)
        return command

    assert MAX_SHELL_NESTING == 4
    deep = parse("Dockerfile", f"FROM alpine:3.20\nCMD {nested(4)}\n")
    assert judge_service(deep.stages[-1]).kind == "service"
    # One level more: the program is the shell, a tool, and nothing is reported.
    deeper = parse("Dockerfile", f"FROM alpine:3.20\nCMD {nested(5)}\n")
    assert judge_service(deeper.stages[-1]).kind == "tool"


def test_hostile_rule_text_is_judged_in_linear_time(tmp_path: Path) -> None:
    """An unclosed `deb [trusted=yes trusted=yes ...` (the old DF013 pattern was quadratic:
    15 s for 600 KB), a sudoers line of 200,000 tags, a pipe of 20,000 commands: each
    Dockerfile just under the 1 MiB input bound scans in a few seconds."""
    from bounded import bounded_run

    # Dockerfile lines are at most 64 KiB (BuildKit's parser): continuation lines of 1,200.
    def run(head: str, unit: str, count: int, tail: str) -> str:
        per_line = 1200 // len(unit)
        lines = [unit * per_line] * (count // per_line)
        return "RUN " + head + " \\\n".join(lines) + tail + "\n"

    bodies = {
        "apt": run("echo 'deb [", "trusted=yes ", 80_000, "' > /etc/apt/sources.list"),
        "sudo": run("echo 'app ALL=NOPASSWD:", "A:", 400_000, "' > /etc/sudoers"),
        "pipe": run("curl -fsSL http://example.com/x ", "| tar x ", 20_000, ""),
    }
    for name, body in bodies.items():
        folder = tmp_path / name
        folder.mkdir()
        text = "FROM alpine:3.20\n" + body
        assert len(text) < 1 << 20
        (folder / "Dockerfile").write_text(text)
        result = bounded_run(folder, "scan", "Dockerfile", "--fail-on", "never",
                             "--format", "json")
        assert result["code"] == 0, (name, result["err"])
        assert result["seconds"] < 10, (name, result["seconds"])


def test_launchers_alone_defer_to_the_base_image(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    found = _scan(tmp_path, capsys, 'FROM nginx:1.27\nENTRYPOINT ["/sbin/tini", "--"]\n',
                  "--select", "DF018")
    assert [(f["severity"], "built FROM nginx" in f["message"]) for f in found] == [("low", True)]
    assert not _scan(tmp_path, capsys, 'FROM node:22\nENTRYPOINT ["docker-entrypoint.sh"]\n',
                     "--select", "DF018")
    # An Azure storage account key is a secret, an S3 object key is a path.
    from hullcheck.credentials import is_key_like_secret
    assert is_key_like_secret("AZURE_STORAGE_KEY", "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==")
    assert not is_key_like_secret("S3_OBJECT_KEY", "uploads2024x/abcDEF123456")


def test_df001_medium_where_an_entrypoint_script_can_step_down(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The official mongo/redis pattern: gosu installed, ENTRYPOINT a script. Still reported
    (the script and `--entrypoint` run as root) but medium, saying what it depends on."""
    def df001(text: str) -> list[tuple[int, str, str]]:
        return [(f["location"]["line"], f["severity"], f["message"])
                for f in _scan(tmp_path, capsys, text, "--select", "DF001")]

    tail = ("it installs {tool} and its ENTRYPOINT runs the script {script}: if that script "
            "steps down to another user with {tool}, only its setup runs as root, but a command "
            "it does not step down for (or a container run with --entrypoint) runs as root.")
    mongo = "\n".join([
        "FROM debian:12.7",
        'RUN wget -O /usr/local/bin/gosu "https://github.com/tianon/gosu/releases/download/'
        '1.17/gosu-amd64"; chmod +x /usr/local/bin/gosu',
        "COPY docker-entrypoint.sh /usr/local/bin/",
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["mongod"]', ""])
    assert df001(mongo) == [(1, "medium", "The final stage sets no USER, so the container "
                             "starts as root; " + tail.format(tool="gosu",
                                                              script="docker-entrypoint.sh"))]
    # USER root, the tool copied from another image, the script behind tini.
    copied = "\n".join([
        "FROM alpine:3.20",
        "COPY --from=tianon/gosu:1.17 /gosu /usr/local/bin/",
        "USER root",
        'ENTRYPOINT ["/sbin/tini", "--", "/entrypoint.sh"]', ""])
    assert df001(copied) == [(3, "medium", "The last USER of the final stage is 'root': the "
                              "container starts as root; " + tail.format(
                                  tool="gosu", script="entrypoint.sh"))]
    # A heredoc writing the entrypoint with setpriv; shell-form ENTRYPOINT.
    heredoc = "\n".join([
        "FROM debian:12.7",
        "RUN <<EOF",
        "printf '#!/bin/sh\\nexec setpriv --reuid=app --regid=app --init-groups \"$@\"\\n' "
        "> /usr/local/bin/start-app",
        "EOF",
        "ENTRYPOINT /usr/local/bin/start-app-entrypoint", ""])
    assert [(line, sev) for line, sev, _ in df001(heredoc)] == [(1, "medium")]
    userspec = "FROM debian:12.7\nRUN echo 'exec chroot --userspec=app / \"$@\"' > /e.sh\n" \
               'ENTRYPOINT ["sh", "/e.sh"]\n'
    assert df001(userspec) == [(1, "medium", "The final stage sets no USER, so the container "
                                "starts as root; " + tail.format(tool="chroot --userspec",
                                                                 script="e.sh"))]


@pytest.mark.parametrize("text", [
    # gosu installed, but the ENTRYPOINT is the program itself: nothing steps down.
    "FROM debian:12.7\nRUN apt-get install -y gosu\nENTRYPOINT [\"mongod\"]\n",
    # No ENTRYPOINT at all (CMD runs as root).
    "FROM debian:12.7\nRUN apt-get install -y gosu\nCMD [\"docker-entrypoint.sh\"]\n",
    # An entrypoint script, but no privilege-dropping tool installed.
    "FROM debian:12.7\nCOPY docker-entrypoint.sh /\nENTRYPOINT [\"/docker-entrypoint.sh\"]\n",
    # Names that only contain a tool's name.
    "FROM debian:12.7\nRUN apt-get install -y gosu-doc libsu-exec0 && echo nogosu\n"
    "ENTRYPOINT [\"docker-entrypoint.sh\"]\n",
    # The tool only in an ONBUILD trigger (it runs in a child build, not this one).
    "FROM debian:12.7\nONBUILD RUN apt-get install -y gosu\nENTRYPOINT [\"entrypoint.sh\"]\n",
])
def test_df001_stays_high_without_a_step_down(text: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    found = _scan(tmp_path, capsys, text, "--select", "DF001")
    assert [(f["location"]["line"], f["severity"], f["message"]) for f in found] == [
        (1, "high", "The final stage sets no USER, so the container runs as root.")]


def test_df001_no_finding_for_a_non_root_user_with_gosu(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ("FROM debian:12.7\nRUN apt-get install -y gosu\nUSER 10001\n"
            'ENTRYPOINT ["docker-entrypoint.sh"]\n')
    assert _scan(tmp_path, capsys, text, "--select", "DF001") == []


def test_df001_entrypoint_words_looked_at_are_bounded() -> None:
    from hullcheck.rules.dockerfile import last_user_root as m
    assert m.MAX_ENTRYPOINT_WORDS == 8
    # Past the bound, a script is not looked for (the finding stays high).
    assert m._entrypoint_script(("tini",) + ("-v",) * 7 + ("entrypoint.sh",)) is None
    assert m._entrypoint_script(("tini",) + ("-v",) * 6 + ("entrypoint.sh",)) == "entrypoint.sh"


@pytest.mark.parametrize(("service", "ct015", "folded"), [
    # The service keeps the stage's ENTRYPOINT: CT015 is medium like DF001, and DF001 reports
    # once (the service related) without being raised to high.
    ("", "medium", "medium"),
    # `entrypoint:` replaces the script: nothing steps down, CT015 is high (and DF001, standing
    # for it, takes its severity).
    ('    entrypoint: ["mongod"]\n', "high", "high"),
])
def test_compose_build_of_a_step_down_stage(service: str, ct015: str, folded: str,
                                            tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "Dockerfile").write_text(
        "FROM debian:12.7\nRUN apt-get install -y gosu\nHEALTHCHECK CMD true\n"
        'ENTRYPOINT ["docker-entrypoint.sh"]\n')
    (tmp_path / "compose.yaml").write_text("services:\n  db:\n    build: ./db\n" + service)
    compose = str(tmp_path / "compose.yaml")
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never",
                                "--select", "DF001,CT015")
    # Both selected by id: neither is dropped, each with its own severity.
    got = sorted((f["rule"], f["severity"]) for f in doc["findings"])
    assert got == [("CT015", ct015), ("DF001", "medium")]
    _code, doc, _err = run_json(capsys, "scan", str(tmp_path), "--fail-on", "never")
    mine = [(f["rule"], f["severity"], [r["path"] for r in f.get("related_locations") or []])
            for f in doc["findings"] if f["rule"] in ("DF001", "CT015")]
    assert mine == [("DF001", folded, [compose])]
