from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, run_json, write_public_key


def test_version_is_fast() -> None:
    # Start-up budget: the CLI must not import rules, parsers or rich for --version.
    code = "import sys, hullcheck.cli; hullcheck.cli.main(['--version'])"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    heavy = [m for m in ("rich", "yaml", "dockerfile", "bashlex", "tree_sitter", "docker",
                         "cryptography", "hullcheck.rules", "hullcheck.trust", "ruamel")
             if m in imported]
    assert not heavy, f"--version imported {heavy}"
    assert "hullcheck 0." in proc.stdout


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "rules", "--format", "json")
    assert code == 0
    ids = [r["id"] for r in json.loads(out)]
    assert "DF001" in ids


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", "df001")
    assert code == 0 and "## Why it matters" in out
    code, _, err = run_cli(capsys, "explain", "NOPE999")
    assert code == 2 and "unknown rule" in err


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "Dockerfile"
    good.write_text("FROM alpine:3.20\nHEALTHCHECK CMD true\nUSER 1000\n")
    assert run_cli(capsys, "scan", str(good))[0] == 0
    bad = tmp_path / "bad.Dockerfile"
    bad.write_text("FROM alpine:3.20\nHEALTHCHECK CMD true\n")
    assert run_cli(capsys, "scan", str(bad))[0] == 1
    assert run_cli(capsys, "scan", str(bad), "--fail-on", "never")[0] == 0
    assert run_cli(capsys, "scan", str(bad), "--fail-on", "critical")[0] == 0
    code, _, err = run_cli(capsys, "scan", str(tmp_path / "missing"))
    assert code == 2 and "no such file" in err
    # 2 wins over 1
    assert run_cli(capsys, "scan", str(bad), str(tmp_path / "missing"))[0] == 2
    code, _, err = run_cli(capsys, "scan", str(bad), "--fail-on", "bogus")
    assert code == 2 and "--fail-on" in err and "critical, never)" in err


def test_select_ignore_by_id_family_and_tag(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text("FROM node:latest\n")
    _, doc, _ = run_json(capsys, "scan", str(f))
    rules = {x["rule"] for x in doc["findings"]}
    assert {"DF001", "DF003"} <= rules
    _, doc, _ = run_json(capsys, "scan", str(f), "--select", "DF003")
    assert {x["rule"] for x in doc["findings"]} == {"DF003"}
    _, doc, _ = run_json(capsys, "scan", str(f), "--ignore", "hadolint:DL3007")
    assert "DF003" not in {x["rule"] for x in doc["findings"]}
    _, doc, _ = run_json(capsys, "scan", str(f), "--select", "cis-docker-1.6:4")
    assert {x["rule"] for x in doc["findings"]} <= {r for r in rules}
    assert "DF003" not in {x["rule"] for x in doc["findings"]}
    _, doc, _ = run_json(capsys, "scan", str(f), "--ignore", "DF")
    assert doc["findings"] == []
    _, _, err = run_json(capsys, "scan", str(f), "--ignore", "XX999")
    assert "unknown rule" in err


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    data = io.BytesIO(b"FROM node:latest\nUSER 1000\nHEALTHCHECK CMD true\n")
    monkeypatch.setattr(sys, "stdin", type("S", (), {"buffer": data})())
    _, doc, _ = run_json(capsys, "scan", "-", "--stdin-name", "build/Dockerfile")
    assert [(x["rule"], x["location"]["path"]) for x in doc["findings"]] == [
        ("DF003", "build/Dockerfile")
    ]


def test_json_contract_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "Dockerfile"
    f.write_text("FROM node:latest\n")
    _, doc, _ = run_json(capsys, "scan", str(f))
    # Additive since issue 22: fingerprint_version and source (docs/outputs.md).
    assert set(doc) == {"tool", "version", "fingerprint_version", "findings", "checks", "skipped",
                        "errors", "summary", "source"}
    assert doc["tool"] == "hullcheck"
    assert doc["fingerprint_version"] == 1
    assert doc["source"] == {"kind": "scan", "name": str(f), "host": socket.gethostname()}
    finding = doc["findings"][0]
    assert set(finding) == {"rule", "title", "severity", "message", "references", "location",
                            "remediation", "fingerprint", "evidence"}
    assert set(doc["summary"]) == {"findings", "by_severity", "score"}


def test_demo_examples_exist() -> None:
    assert any((ROOT / "examples").rglob("*Dockerfile*"))


def test_dockerfile_scan_loads_only_the_families_it_needs(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM alpine:3.20\nUSER 1\nHEALTHCHECK CMD true\n")
    code = f"import hullcheck.cli; hullcheck.cli.main(['scan', {str(df)!r}])"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert "hullcheck.rules.dockerfile.last_user_root" in imported
    for family in ("kubernetes", "cluster", "host", "container"):
        assert not any(m.startswith(f"hullcheck.rules.{family}") for m in imported), family


def test_command_flushes_before_leaving_and_survives_a_closed_pipe(tmp_path: Path) -> None:
    # ``hullcheck`` (cli.entry) ends with os._exit: the report must be whole when it does, and a
    # reader that stops early (a report far larger than a pipe's buffer) must not produce a
    # traceback.
    for i in range(300):
        (tmp_path / f"Dockerfile.{i}").write_text("FROM alpine\nRUN sudo curl -k http://x | sh\n")
    cmd = [sys.executable, "-m", "hullcheck", "scan", str(tmp_path), "--format", "json"]
    whole = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert whole.returncode == 1
    assert len(json.loads(whole.stdout)["findings"]) > 1000
    assert len(whole.stdout) > 500_000
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        head = proc.stdout.read(10)
        proc.stdout.close()
        err = proc.stderr.read().decode()
    assert head.decode() == whole.stdout[:10]
    assert "Traceback" not in err and "Exception" not in err, err


def test_pre_commit_hooks_manifest_is_valid_and_matches_inputs() -> None:
    import re

    import yaml

    manifest = ROOT / ".pre-commit-hooks.yaml"
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                           str(manifest)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load(manifest.read_text())}
    everything = re.compile(hooks["hullcheck"]["files"])
    dockerfiles = re.compile(hooks["hullcheck-dockerfile"]["files"])
    for path in ("Dockerfile", "app/Dockerfile", "Dockerfile.prod", "Containerfile",
                 "build/api.Dockerfile"):
        assert everything.search(path) and dockerfiles.search(path), path
    for path in ("compose.yaml", "k8s/web.yml"):
        assert everything.search(path) and not dockerfiles.search(path), path
    for path in ("README.md", "src/dockerfile_utils.py", "Dockerfiles/notes.txt"):
        assert not everything.search(path), path
    # The per-file hook passes names on the command line, where any file is judged by content:
    # it leaves out what hullcheck itself does not take for a Dockerfile.
    excluded = re.compile(hooks["hullcheck-dockerfile"]["exclude"])
    for path in ("Dockerfile.md", "Dockerfile.j2", "docs/Dockerfile.txt", "Dockerfile.bak"):
        assert dockerfiles.search(path) and excluded.search(path), path
    for path in ("Dockerfile", "Dockerfile.prod", "build/api.Dockerfile"):
        assert not excluded.search(path), path


def test_trust_flags_without_verify_signatures_warn(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text("FROM alpine:3\nUSER 1\nHEALTHCHECK NONE\n")
    key = write_public_key(tmp_path / "k.pub")
    code, _, err = run_cli(capsys, "scan", str(df), "--key", str(key))
    assert code == 0
    assert "--key: nothing is verified without --verify-signatures" in err
    code, _, err = run_cli(capsys, "scan", str(df))
    assert "verified" not in err


def test_dockerfile_names_in_a_walked_tree(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    bad = "FROM alpine:3\nRUN sudo true\n"  # DF004 fires on line 2 of every real Dockerfile
    for name in ("Dockerfile", "Containerfile", "Dockerfile.dev", "dockerfile.alpine",
                 "api.Dockerfile", "Dockerfile.test", "Containerfile.ci"):
        (tmp_path / name.replace(".", "_")).mkdir()
        (tmp_path / name.replace(".", "_") / name).write_text(bad)
    # Code, docs and templates about Dockerfiles are not Dockerfiles, whatever they hold.
    for name in ("dockerfile.py", "Dockerfile.md", "Dockerfile.j2", "dockerfile.go",
                 "Dockerfile.bak"):
        (tmp_path / name).write_text("import os\n" if name.endswith(".py") else "{{ base }}\n")
    code, out, err = run_cli(capsys, "scan", str(tmp_path), "--format", "json",
                             "--select", "DF004", "--fail-on", "never")
    assert code == 0, err
    found = sorted(Path(f["location"]["path"]).name for f in json.loads(out)["findings"])
    assert found == sorted(["Dockerfile", "Containerfile", "Dockerfile.dev", "dockerfile.alpine",
                            "api.Dockerfile", "Dockerfile.test", "Containerfile.ci"])
    # Named on the command line, a file is judged by its content whatever its name.
    (tmp_path / "Dockerfile.j2").write_text(bad)
    code, out, _ = run_cli(capsys, "scan", str(tmp_path / "Dockerfile.j2"), "--format", "json",
                           "--select", "DF004", "--fail-on", "never")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["DF004"]
