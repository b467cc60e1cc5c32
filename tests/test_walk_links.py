"""A walked directory is not left through symbolic links.

``scan DIR`` follows a link only while its target stays inside DIR (resolved); a link leading out
(to a file or a directory) is listed under ``skipped`` with the reason (JSON always, text with
--verbose) and never judged. Loops stay refused. A path named on the command line is followed
even when it is a link: the user chose it. The per-file pre-commit hook is never handed a link.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, run_json

CLEAN = "FROM alpine:3.20\nUSER 1\nHEALTHCHECK CMD true\n"
ROOTED = "FROM alpine:3.20\nHEALTHCHECK CMD true\n"  # DF001 on line 1, nothing else


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """repo/ with links in and out; outside/ holds what the links out point at."""
    outside = tmp_path / "outside"
    (outside / "d").mkdir(parents=True)
    (outside / "Dockerfile").write_text(ROOTED)
    (outside / "d" / "Dockerfile").write_text(ROOTED)
    (outside / "compose.yaml").write_text("services:\n  a:\n    image: x:1\n    privileged: true\n")
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "Dockerfile").write_text(ROOTED)
    (repo / "clean.Dockerfile").write_text(CLEAN)
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")  # absolute, file
    (repo / "compose.yaml").symlink_to("../outside/compose.yaml")  # relative, file
    (repo / "linkdir").symlink_to("../outside/d")  # relative, directory
    (repo / "sub" / "up").symlink_to("../..")  # the parent of the root: out
    (repo / "inside.Dockerfile").symlink_to("sub/Dockerfile")  # in: followed
    (repo / "insidedir").symlink_to("sub")  # in, but walked already under its own name
    (repo / "node_modules" / "pkg").mkdir(parents=True)  # not entered by name...
    (repo / "node_modules" / "pkg" / "Dockerfile").write_text(ROOTED)
    (repo / "pkg").symlink_to("node_modules/pkg")  # ...but through a link inside: followed
    (repo / "sub" / "loop").symlink_to("..")  # in, a loop: refused as before
    (repo / "dangling").symlink_to(tmp_path / "nowhere")
    return repo


def _judged(doc: dict[str, object]) -> set[tuple[str, str]]:
    return {(f["rule"], f["location"]["path"]) for f in doc["findings"]}  # type: ignore[attr-defined,index]


def test_links_out_of_the_root_are_skipped_with_the_reason(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tree.parent / "outside"
    code, doc, err = run_json(capsys, "scan", str(tree))
    assert err == ""
    assert code == 1  # DF001 from the Dockerfiles inside only
    assert _judged(doc) == {
        ("DF001", str(tree / "sub" / "Dockerfile")),
        ("DF001", str(tree / "inside.Dockerfile")),
        ("DF001", str(tree / "pkg" / "Dockerfile")),
    }
    assert doc["errors"] == []
    assert doc["skipped"] == [
        {"path": str(tree / "Dockerfile"),
         "reason": f"symbolic link to {out / 'Dockerfile'}, outside {tree}: not followed"},
        {"path": str(tree / "compose.yaml"),
         "reason": f"symbolic link to {out / 'compose.yaml'}, outside {tree}: not followed"},
        {"path": str(tree / "linkdir"),
         "reason": f"symbolic link to {out / 'd'}, outside {tree}: not followed"},
        {"path": str(tree / "sub" / "up"),
         "reason": f"symbolic link to {tree.parent}, outside {tree}: not followed"},
    ]


def test_verbose_text_lists_them(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "scan", str(tree), "--verbose", "--no-color")
    assert code == 1
    skipped = [line for line in out.splitlines() if line.startswith("skipped:")]
    assert f"skipped: {tree / 'linkdir'}: symbolic link to {tree.parent / 'outside' / 'd'}, " \
           f"outside {tree}: not followed" in skipped
    assert f"skipped: {tree / 'insidedir'}: symbolic link to a directory walked already, " \
           "not followed" in skipped
    assert f"skipped: {tree / 'sub' / 'loop'}: symbolic link to a directory walked already, " \
           "not followed" in skipped
    assert f"skipped: {tree / 'dangling'}: broken symbolic link" in skipped
    # Without --verbose the text output does not list them (JSON always does).
    _, quiet, _ = run_cli(capsys, "scan", str(tree), "--no-color")
    assert "skipped" not in quiet


def test_the_root_may_itself_be_a_link(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alias = tree.parent / "alias"
    alias.symlink_to(tree)
    code, doc, _ = run_json(capsys, "scan", str(alias))
    assert code == 1
    assert _judged(doc) == {("DF001", str(alias / p)) for p in
                            ("sub/Dockerfile", "inside.Dockerfile", "pkg/Dockerfile")}
    assert [s["path"] for s in doc["skipped"]] == [
        str(alias / p) for p in ("Dockerfile", "compose.yaml", "linkdir", "sub/up")]


def test_links_named_on_the_command_line_are_followed(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = run_json(capsys, "scan", str(tree / "Dockerfile"), str(tree / "linkdir"),
                            str(tree / "compose.yaml"))
    assert code == 1
    assert {("DF001", str(tree / "Dockerfile")), ("DF001", str(tree / "linkdir" / "Dockerfile")),
            ("CT001", str(tree / "compose.yaml"))} <= _judged(doc)
    assert doc["skipped"] == []


def test_stdin_is_not_walked(tree: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ROOTED.encode())))
    code, doc, _ = run_json(capsys, "scan", "-", str(tree), "--stdin-name", "Dockerfile")
    assert code == 1
    assert ("DF001", "Dockerfile") in _judged(doc)
    assert len(doc["skipped"]) == 4


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_per_file_pre_commit_hook_is_never_handed_a_link(tmp_path: Path) -> None:
    """pre-commit gives a hook only files of type ``file`` unless the hook says otherwise, and
    a symbolic link is not one: a link out of the repository never reaches the per-file hook.
    Run for real, offline: a local hook with the manifest's own settings, language system."""
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = dict(hooks["hullcheck-dockerfile"])
    assert "types" not in hook and "types_or" not in hook  # the default: [file]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text(ROOTED)  # would fail the hook (DF001, high)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").write_text(CLEAN)
    (repo / "app.Dockerfile").symlink_to(outside / "Dockerfile")
    hook.update(language="system", entry=f"{sys.executable} -m hullcheck scan --verbose",
                verbose=True)
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-home"),
               PYTHONPATH=str(ROOT / "src"), GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "hullcheck-dockerfile",
                           "--all-files"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 findings" in proc.stdout
    assert "app.Dockerfile" not in proc.stdout
    # Named on the command line, the same link is followed (and fails): the hook is what keeps
    # it out, as documented.
    named = subprocess.run([sys.executable, "-m", "hullcheck", "scan", "app.Dockerfile"],
                           cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert named.returncode == 1 and "DF001" in named.stdout
