"""A real Docker credential helper for tests: ``docker-credential-hctest``, a small script that
speaks the helper protocol (``get``, server URL on stdin, JSON on stdout), logs what it is asked,
and behaves as its plan file says."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SCRIPT = """#!{python}
import json, pathlib, sys, time
here = pathlib.Path(__file__).resolve().parent
server = sys.stdin.read()
with open(here / "{name}.log", "a") as log:
    log.write(json.dumps([*sys.argv[1:], server]) + "\\n")
plan = json.loads((here / "{name}.json").read_text())
mode = plan.get("mode", "ok")
if mode == "sleep":
    time.sleep(60)
if mode == "flood":  # 100 MiB on stdout, 1 MiB at a time
    for _ in range(100):
        sys.stdout.buffer.write(b"x" * (1 << 20))
    sys.exit(0)
if mode == "orphan":  # answers, but leaves a child holding its stdout open
    import subprocess
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    (here / "{name}.child").write_text(str(child.pid))
    print(json.dumps({{"ServerURL": server, "Username": "u", "Secret": "s"}}), flush=True)
    sys.exit(0)
if mode == "garbage":
    print("{{not json, but a secret: " + plan.get("leak", "") + "\\n")
    sys.exit(0)
if mode == "fail":
    print("helper broke while holding " + plan.get("leak", ""))
    sys.exit(3)
entry = plan.get("creds", {{}}).get(server)
if entry is None:
    print("credentials not found in native keychain")
    sys.exit(1)
print(json.dumps({{"ServerURL": server, "Username": entry[0], "Secret": entry[1]}}))
"""


@dataclass
class Helper:
    """``docker-credential-<name>`` in ``bin`` (on PATH while the test runs)."""

    bin: Path
    name: str = "hctest"

    def plan(self, mode: str = "ok", creds: dict[str, list[str]] | None = None,
             leak: str = "") -> None:
        doc = {"mode": mode, "creds": creds or {}, "leak": leak}
        (self.bin / f"{self.name}.json").write_text(json.dumps(doc))

    def calls(self) -> list[list[str]]:
        log = self.bin / f"{self.name}.log"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]


def install_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "hctest") -> Helper:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    exe = bin_dir / f"docker-credential-{name}"
    exe.write_text(SCRIPT.format(python=sys.executable, name=name))
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    helper = Helper(bin_dir, name)
    helper.plan()
    return helper


def write_config(path: Path, doc: dict[str, object]) -> Path:
    path.write_text(json.dumps(doc))
    return path
