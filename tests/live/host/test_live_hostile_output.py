"""``hullcheck host`` on a real engine: a container whose mount and environment carry an escape
sequence, a newline, a right-to-left override and markup is reported safely in every format,
docker-bench-json included (the offline half of this is tests/test_safe_output.py).

The container is only created (never started), labelled, and removed afterwards.
"""

from __future__ import annotations

import json
import re
import xml.parsers.expat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullcheck.cli import main
from live.dockertest import LABELS, RUN_ID, TEST_OWNER, remove_container

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[3]

HOSTILE = "x\x1b[2J\n\u202e<script>]]>"
SHOWN = "x\\x1b[2J\\n\\u202e<script>]]>"
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
    "\ufffe\uffff]"
)
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@pytest.fixture(scope="module")
def container(docker_client: Any, busybox_image: str) -> Iterator[str]:
    name = f"hullcheck-{TEST_OWNER}-{RUN_ID}-hostile"
    c = docker_client.containers.create(
        busybox_image, ["sleep", "3600"], name=name, labels=LABELS,
        volumes=[f"/etc:/mnt/{HOSTILE}"], environment={f"{HOSTILE}PASSWORD": "hunter2hunter2"})
    try:
        yield name
    finally:
        remove_container(c)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "docker-bench-json"])
def test_hostile_container_in_every_format(container: str, fmt: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["host", "--all", "--container", container, "--format", fmt, "--no-color",
                 "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 0
    assert UNSAFE.search(err) is None
    out.encode("utf-8")
    mount = f"mounts the host's /etc (writable) at /mnt/{HOSTILE}."
    secret = (f"environment variable {HOSTILE}PASSWORD holds a literal value for a secret-looking"
              " name (14 characters, not shown).")
    if fmt == "text":
        assert UNSAFE.search(out.replace("\n", "")) is None
        lines = out.splitlines()
        assert (f'container {container}: HIGH CT010 "{container}: mounts the host\'s /etc'
                f' (writable) at /mnt/{SHOWN}."') in lines
        assert (f'container {container}: HIGH CT024 "{container}: environment variable'
                f' {SHOWN}PASSWORD holds a literal value for a secret-looking name (14 characters,'
                ' not shown)."') in lines
    elif fmt == "junit":
        assert XML_ILLEGAL.search(out) is None
        xml.parsers.expat.ParserCreate().Parse(out.encode("utf-8"), True)
        assert f"&quot;{container}: mounts the host's /etc (writable) at /mnt/" \
               "x\\x1b[2J\\n\\u202e&lt;script&gt;]]&gt;.&quot;" in out
    else:
        doc = json.loads(out)
        for text in _strings(doc):
            text.encode("utf-8")
        if fmt == "json":
            messages = {f["message"] for f in doc["findings"]}
            assert {f"{container}: {mount}", f"{container}: {secret}"} <= messages
        elif fmt == "sarif":
            jsonschema = pytest.importorskip("jsonschema")
            schema = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
            if not schema.exists():
                schema = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
            jsonschema.validate(doc, json.loads(schema.read_text()))
        else:
            entries = {r["id"]: r for t in doc["tests"] for r in t["results"]}
            # JSON, like --format json: the data exact, JSON escaping makes it safe
            assert entries["5.6"]["details"] == f"1 finding; {container}: {mount}"
            assert entries["5.6"]["items"] == [container]
            assert doc["checks"] == 117
