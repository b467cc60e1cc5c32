"""Golden results of ``hullcheck host`` on the real engine: a fixed set of containers (created
here, labelled, removed afterwards) audited through the command line, compared with
``tests/golden/host.json`` after the run-specific values (ids, names' run id, times, the engine's
own version and paths) are replaced by placeholders. ``HULLCHECK_GOLDEN_UPDATE=1`` writes it anew.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live.dockertest import LABELS, RUN_ID, TEST_OWNER, remove_container

pytestmark = pytest.mark.live

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "host.json"
PREFIX = f"hullcheck-golden-{TEST_OWNER}-{RUN_ID}-"

# name -> create kwargs (all started; no fixed host port, so parallel runs cannot collide)
SPECS: dict[str, dict[str, Any]] = {
    "sysadmin-pidhost": dict(cap_add=["SYS_ADMIN"], pid_mode="host", ports={"8081/tcp": None}),
    "hostnet-ipc-sock": dict(network_mode="host", ipc_mode="host", uts_mode="host",
                             volumes=["/var/run/docker.sock:/var/run/docker.sock:ro"]),
    "etc-seccomp": dict(volumes=["/etc:/host-etc"], security_opt=["seccomp=unconfined"],
                        restart_policy={"Name": "always"}),
    "root-netadmin": dict(user="0", cap_add=["NET_ADMIN"],
                          restart_policy={"Name": "on-failure", "MaximumRetryCount": 10}),
    "hardened": dict(read_only=True, user="1000", cap_drop=["ALL"],
                     security_opt=["no-new-privileges"], mem_limit="64m", pids_limit=50,
                     nano_cpus=500_000_000, ports={"8080/tcp": ("127.0.0.1", None)}),
}


@pytest.fixture(scope="module")
def containers(docker_client: Any, busybox_image: str) -> Iterator[dict[str, Any]]:
    made: dict[str, Any] = {}
    try:
        for key, kwargs in SPECS.items():
            c = docker_client.containers.create(busybox_image, ["sleep", "3600"],
                                                name=PREFIX + key, labels=LABELS, **kwargs)
            made[key] = c
            c.start()
            c.reload()
        yield made
    finally:
        for c in made.values():
            remove_container(c)


_HEX = re.compile(r"(?:sha256:)?\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_PORT = re.compile(r"(127\.0\.0\.1|0\.0\.0\.0|::):\d+")
_EPHEMERAL = re.compile(r"\b(?:3[2-9]\d{3}|[4-5]\d{4}|60\d{3})\b")  # the engine's port range


def normalise(text: str, busybox_image: str, docker_client: Any) -> str:
    ids: dict[str, str] = {}

    def hexid(m: re.Match[str]) -> str:
        return ids.setdefault(m.group(), f"<id{len(ids)}>")

    text = text.replace(PREFIX, "<golden>-").replace(busybox_image, "<busybox>")
    version = str(docker_client.version().get("Version", ""))
    if version:
        text = text.replace(version, "<engine-version>")
    text = _TIME.sub("<time>", text)
    text = _PORT.sub(r"\1:<port>", text)
    text = _EPHEMERAL.sub("<port>", text)
    return _HEX.sub(hexid, text)


def test_host_matches_golden(containers: dict[str, Any], busybox_image: str,
                             docker_client: Any) -> None:
    args = ["host", "--format", "json", "--fail-on", "never", "--image", busybox_image]
    for c in containers.values():
        args += ["--container", c.name]
    proc = subprocess.run([sys.executable, "-m", "hullcheck", *args], capture_output=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout)
    doc.pop("version", None)
    doc.pop("source", None)  # names this machine
    for finding in doc["findings"]:  # fingerprints hash the container names (run id included)
        finding["fingerprint"] = "<fingerprint>"
    # the host-level checks judge this machine and its other tenants (concurrent test runs,
    # swarm state); the golden is what the named containers and image make of it
    doc["checks"] = [c for c in doc.get("checks", []) if c["id"].split(":", 1)[1][0] in "45"]
    got = normalise(json.dumps(doc, indent=1, sort_keys=True), busybox_image, docker_client)
    got += "\n"
    if os.environ.get("HULLCHECK_GOLDEN_UPDATE") == "1":
        GOLDEN.write_text(got, encoding="utf-8")
    assert got == GOLDEN.read_text(encoding="utf-8")
