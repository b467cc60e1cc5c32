"""Hostile repositories and terminals: every output format stays safe and valid for any input.

A real directory whose file names and contents carry control characters, escape sequences,
newlines, bidi overrides, quotes, ``<script>``, ``]]>``, bytes that are not UTF-8 and a 10 kB
line is scanned by the real CLI (a subprocess: the bytes it writes are what is checked) in every
format:
- text (with and without colour) and every stderr line: no control character but the line ends
  (and, with colour, the reporter's own SGR sequences); each untrusted string shown quoted and
  escaped (``safe_text.terminal``), so no line can be forged or hidden;
- JUnit: strict UTF-8, XML 1.0 characters only, parsed by expat, the same counts as JSON;
- JSON: strict UTF-8, exact text except undecodable bytes (U+FFFD);
- SARIF: the above, validated against the SARIF 2.1.0 schema, and exact percent-encoded URIs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import xml.parsers.expat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from hullcheck.findings import (
    Check,
    CheckResult,
    Finding,
    ImageRef,
    InputError,
    Location,
    Report,
    Severity,
    Skipped,
)
from hullcheck.reporters import Output, render

SCHEMA = ROOT.parent / "shared" / "reference" / "sarif-schema-2.1.0.json"
if not SCHEMA.exists():
    SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"

# The directory names, as bytes on disk: an escape sequence, a newline, a byte that is not UTF-8
# and markup; a right-to-left override and a raw C1 byte.
EVIL = b"x\x1b[2J\n\xff<script>]]>"
EVIL_SHOWN = '"x\\x1b[2J\\n\\xff<script>]]>'  # how terminal() starts a path below it
RTL = b"rtl\xe2\x80\xaeelif\x85"
LONG = "A" * 10240  # a 10 kB line
URL = f"http://ev\x1bil/<script>alert(1)</script>]]>&amp;'q\"\\\u202e{LONG}\x07"
DOCKERFILE = f"FROM alpine:3.20\nHEALTHCHECK CMD true\nUSER 1000\nADD {URL} /app\n"
COMPOSE = (
    'services:\n'
    '  "web\\e[31m\\n\\u202e]]>":\n'
    '    image: "nginx:1.27"\n'
    '    privileged: true\n'
    '    environment:\n'
    '      "\\e]0;pwned\\aPASSWORD": "hunter2hunter2"\n'
)
POD = (
    'apiVersion: v1\nkind: Pod\n'
    'metadata: {name: "p\\e[2Jx\\nhullcheck: error: forged", namespace: "<script>"}\n'
    'spec:\n  containers:\n  - name: "c\\x85\\r"\n    image: "nginx:1.27"\n'
    '    securityContext: {privileged: true}\n'
    '    env: [{name: "X\\0\\tPASSWORD", value: "hunter2hunter2"}]\n'
)
# Nothing but these may reach a terminal raw (the set safe_text documents), line ends aside.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
    "\ufffe\uffff]"
)
# XML 1.0 Char production: what is not in it, no parser may accept.
XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SGR = re.compile("\x1b\\[[0-9;]*m")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    evil = os.path.join(os.fsencode(root), EVIL)
    rtl = os.path.join(os.fsencode(root), RTL)
    os.mkdir(evil)
    os.mkdir(rtl)
    files = {
        (evil, b"Dockerfile"): DOCKERFILE.encode(),
        (evil, b"compose.yaml"): COMPOSE.encode(),
        (evil, b"pod.yaml"): POD.encode(),
        (evil, b"notes\x1b[8m.yaml"): b"a: 1\n",  # not an input: a --verbose skip line
        # an unreadable input and an unknown inline suppression: an error and warnings on stderr
        (rtl, b"Dockerfile"): b"FROM alpine\xff\n",
        (rtl, b"Dockerfile.\x1b]0;t\x07"): b"# hullcheck: ignore=NOPE998\nFROM alpine:3.20\n",
    }
    for (folder, name), data in files.items():
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    return root


def _env() -> dict[str, str]:
    # Nor the caller's terminal settings: colour and width are what each test sets.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIO", "LC_", "LANG"))
           and k not in ("NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    env["LC_ALL"] = "C.UTF-8"
    return env


def _run(repo: Path, *args: str) -> tuple[int, bytes, bytes]:
    proc = subprocess.run([sys.executable, "-m", "hullcheck", "scan", ".", *args], cwd=repo,
                          capture_output=True, env=_env(), timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def outputs(repo: Path) -> dict[str, tuple[int, str, str]]:
    """Each format's exit code, stdout and stderr, decoded as strict UTF-8."""
    done = {}
    for fmt in ("text", "json", "sarif", "junit"):
        code, out, err = _run(repo, "--format", fmt, "--no-color", "--verbose")
        done[fmt] = (code, out.decode("utf-8"), err.decode("utf-8"))
    return done


STDERR = [
    'hullcheck: error: "rtl\\u202eelif\\x85/Dockerfile": not UTF-8 text (byte 11)',
    'hullcheck: warning: "rtl\\u202eelif\\x85/Dockerfile.\\x1b]0;t\\x07:1: suppression: unknown'
    " rule, family or tag 'NOPE998' (see 'hullcheck rules')\"",
    'hullcheck: warning: "rtl\\u202eelif\\x85/Dockerfile.\\x1b]0;t\\x07:1: unused suppression'
    ' (NOPE998): nothing it names is reported here"',
]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_stderr_lines_are_safe_in_every_format(outputs: dict[str, Any], fmt: str) -> None:
    code, _, err = outputs[fmt]
    assert code == 2  # the unreadable Dockerfile; the rest of the scan went on
    assert UNSAFE.search(err) is None
    assert err.splitlines() == STDERR


def test_text_shows_every_untrusted_string_escaped(outputs: dict[str, Any]) -> None:
    _, out, _ = outputs["text"]
    assert UNSAFE.search(out) is None
    lines = out.splitlines()
    # no forged line: the pod name's "\nhullcheck: error: forged" stays inside its line
    assert not [line for line in lines if line.startswith("hullcheck")]
    evil_url = (
        "http://ev\\x1bil/<script>alert(1)</script>]]>&amp;'q\\\"\\\\\\u202e" + LONG + "\\x07"
    )
    evil_df = f'{EVIL_SHOWN}/Dockerfile"'
    assert (f'{evil_df}:4:1: MEDIUM DF008 "ADD of {evil_url} without --checksum: its content is'
            ' not verified."') in lines
    compose = f'{EVIL_SHOWN}/compose.yaml"'
    service = '"web\\x1b[31m\\n\\u202e]]>"'
    assert (f'{compose}:4:1: CRITICAL CT001 "web\\x1b[31m\\n\\u202e]]>: privileged gives the'
            f' container full access to the host." (container {service})') in lines
    pod_file = f'{EVIL_SHOWN}/pod.yaml"'
    pod = '"Pod/<script>/p\\x1b[2Jx\\nhullcheck: error: forged"'
    assert (f'{pod_file}:8:1: CRITICAL K8S003 "Container \\"c\\u0085\\r\\" sets'
            ' securityContext.privileged=true. (PSS restricted v1.37)"'
            f' ({pod}, container "c\\u0085\\r")') in lines
    assert (f'{pod_file}:9:1: HIGH CT024 "c\\u0085\\r: environment variable X\\x00\\tPASSWORD'
            ' holds a literal value for a secret-looking name (14 characters, not shown)."'
            f' ({pod}, container "c\\u0085\\r")') in lines
    assert (f'{compose}:6:1: HIGH CT024 "web\\x1b[31m\\n\\u202e]]>: environment variable'
            ' \\x1b]0;pwned\\x07PASSWORD holds a literal value for a secret-looking name'
            f' (14 characters, not shown)." (container {service})') in lines
    assert f'skipped: {EVIL_SHOWN}/notes\\x1b[8m.yaml: not a recognised input, skipped"' in lines
    # 19: the pod's CT017 and CT018 are KNS003's duplicates (hullcheck.overlaps), and KNS003
    # takes CT017's medium; its KNS030 (only privileged) is K8S003's, and K8S014/K8S017/K8S018
    # do not ask a privileged container for what changes nothing there; the bare
    # `FROM alpine:3.20` serves nothing, so no DF018 (issue 24).
    assert lines[-1] == ("19 findings (2 critical, 3 high, 7 medium, 7 low); failed: 5 findings"
                         " at high or above, 1 error")


def test_colour_text_holds_only_the_reporters_own_escapes(repo: Path,
                                                            outputs: dict[str, Any]) -> None:
    """On a real terminal (a pty), with colour: strip the SGR sequences the reporter writes and
    what is left is the --no-color text, with nothing unsafe in it. The terminal is as wide as a
    terminal can be (65,535 columns), wider than the 10 kB line, so nothing is wrapped and the
    text compares with the piped one line for line (tests/test_text_output.py wraps at 80 and
    120 columns)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 65535, 0, 0))
    chunks = []
    try:
        with subprocess.Popen([sys.executable, "-m", "hullcheck", "scan", ".", "--verbose"],
                              cwd=repo, stdout=slave, stderr=subprocess.PIPE,
                              env=_env()) as proc:
            os.close(slave)
            while True:  # read as it comes: a full pty would block the writer
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the writer is gone and everything was read
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            _, err = proc.communicate(timeout=120)
            code = proc.returncode
    finally:
        os.close(master)
    shown = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    assert code == 2 and err.decode("utf-8").splitlines() == STDERR
    assert SGR.search(shown) is not None  # colour was on
    assert shown.count("\x1b") == len(SGR.findall(shown))  # every ESC starts our own SGR
    plain = SGR.sub("", shown)
    assert UNSAFE.search(plain) is None
    assert plain == outputs["text"][1]


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_json_is_exact_valid_unicode(outputs: dict[str, Any]) -> None:
    code, out, _ = outputs["json"]
    assert code == 2
    doc = json.loads(out)
    for text in _strings(doc):
        text.encode("utf-8")  # no lone surrogate anywhere
    messages = {f["message"] for f in doc["findings"]}
    assert f"ADD of {URL} without --checksum: its content is not verified." in messages
    paths = {f["location"].get("path") for f in doc["findings"]}
    # exact, but for the byte that is not UTF-8 (U+FFFD, as Go's encoding/json writes it)
    assert "x\x1b[2J\n\ufffd<script>]]>/Dockerfile" in paths
    objects = {f["location"].get("object") for f in doc["findings"]}
    assert "Pod/<script>/p\x1b[2Jx\nhullcheck: error: forged" in objects
    assert doc["errors"] == [{"path": "rtl\u202eelif\ufffd/Dockerfile",
                              "message": "not UTF-8 text (byte 11)"}]


def test_sarif_validates_and_uris_are_exact(outputs: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = outputs["sarif"]
    assert code == 2
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    for text in _strings(doc):
        text.encode("utf-8")
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r["locations"]
            if "physicalLocation" in loc}
    # percent-encoded from the name's bytes: exact, and no control character in a URI
    evil = "x%1B%5B2J%0A%FF%3Cscript%3E%5D%5D%3E"
    assert {f"{evil}/Dockerfile", f"{evil}/compose.yaml", f"{evil}/pod.yaml"} <= uris
    assert all(re.fullmatch(r"[A-Za-z0-9%/._~-]+", u) for u in uris)
    texts = {r["message"]["text"] for r in doc["runs"][0]["results"]}
    # brackets and backslashes escaped (SARIF embedded links): exact once unescaped
    assert any(_sarif_unescape(t).startswith(f"ADD of {URL} without --checksum") for t in texts)
    for text in texts:
        assert re.search(r"[\[\]]", re.sub(r"\\.", "", text)) is None, text


def _sarif_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize(("message", "shown"), [
    ("see [docs](https://evil.example/x) now", "see \\[docs\\](https://evil.example/x) now"),
    ("[here](1)", "\\[here\\](1)"),  # a link to related location 1
    ("a\\](x)", "a\\\\\\](x)"),  # a backslash cannot unescape the bracket after it
    ("CMD [\"sh\"]", "CMD \\[\"sh\"\\]"),
    ("no brackets", "no brackets"),
])
def test_sarif_message_text_carries_no_embedded_link(message: str, shown: str) -> None:
    from hullcheck.reporters.sarif import plain_message

    assert plain_message(message) == shown
    assert _sarif_unescape(shown) == message


def _check_xml(text: str) -> ET.Element:
    assert XML_ILLEGAL.search(text) is None
    parser = xml.parsers.expat.ParserCreate()  # the strict parser CI readers are built on
    parser.Parse(text.encode("utf-8"), True)
    return ET.fromstring(text.encode("utf-8"))


def test_junit_is_valid_xml(outputs: dict[str, Any]) -> None:
    code, out, _ = outputs["junit"]
    assert code == 2
    root = _check_xml(out)
    suites = {s.get("name") for s in root.iter("testsuite")}
    assert f'{EVIL_SHOWN}/Dockerfile"' in suites
    assert "input errors" in suites
    _, json_out, _ = outputs["json"]
    doc = json.loads(json_out)
    assert int(root.get("failures", "")) == len(root.findall(".//failure")) == len(
        doc["findings"])
    assert int(root.get("errors", "")) == 1
    failures = [f.get("message", "") for f in root.iter("failure")]
    assert any("<script>alert(1)</script>]]>" in m and "\\x1bil" in m for m in failures)
    # the 10 kB line is there in full
    assert any(LONG in (f.text or "") for f in root.iter("failure"))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_output_file_matches_stdout(repo: Path, outputs: dict[str, Any], fmt: str,
                                    tmp_path: Path) -> None:
    target = tmp_path / "report"
    code, out, _ = _run(repo, "--format", fmt, "--no-color", "--verbose", "-o", str(target))
    assert code == 2 and out == b""
    written = target.read_bytes().decode("utf-8")
    if fmt == "sarif" or fmt == "json":
        assert json.loads(written) == json.loads(outputs[fmt][1])
    else:
        assert written == outputs[fmt][1]


def _hostile_report() -> Report:
    """What a live host or an image can carry: names, values, registry messages."""
    evil = "c\x1b[2J\n\udcff<script>]]>\u202e\x00"
    loc = Location(container=evil, container_id="0" * 64)
    image = Location(image=ImageRef(f"reg.example/{evil}", "sha256:" + "0" * 64),
                     path=f"/etc/{evil}", layer="sha256:" + "1" * 64)
    findings = [
        Finding("CT001", "Privileged", Severity.CRITICAL, f"{evil} is privileged", loc,
                references=("cis-docker-1.6:5.5",), remediation=f"fix {evil}",
                evidence=evil),
        Finding("IMG001", "Secret", Severity.HIGH, f"{evil} has a key", image,
                references=("cis-docker-1.6:4.10",)),
        Finding("CT002", "Setting", Severity.LOW, "daemon", Location(setting=evil)),
    ]
    return Report(
        findings=findings,
        checks=[Check("cis-docker-1.6:5.5", "Privileged", CheckResult.FAIL, f"{evil} ]]>",
                      evidence=evil),
                Check("cis-docker-1.6:2.1", "Net", CheckResult.ERROR, f"registry said {evil}")],
        skipped=[Skipped("IMG017", f"{evil}: no key")],
        errors=[InputError(f"reg.example/{evil}", f"registry said: {evil}\r\n{LONG}")],
        warnings=[f"note {evil}"],
    )


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "docker-bench-json"])
def test_live_host_and_image_strings_in_every_format(fmt: str) -> None:
    """The strings hullcheck host and hullcheck image report (container names, image paths,
    registry messages, check evidence) through each reporter, host's docker-bench-json too."""
    report = _hostile_report()
    out = Output(report=report, shown=report.findings, counted=report.findings, command="host",
                 verbose_skips=["\x1b[2J skipped"])
    text = render(fmt, out)
    text.encode("utf-8")
    if fmt == "text":
        e = 'c\\x1b[2J\\n\\xff<script>]]>\\u202e\\x00'  # how the hostile name is shown
        assert text.splitlines() == [
            f'container "{e}": CRITICAL CT001 "{e} is privileged"',
            f'    fix: "fix {e}"',
            "    refs: cis-docker-1.6:5.5",
            f'image "reg.example/{e}": HIGH IMG001 "{e} has a key" ("/etc/{e}",'
            " layer sha256:111111111111)",
            "    refs: cis-docker-1.6:4.10",
            f'docker daemon: LOW CT002 daemon ("{e}")',
            "",
            "checks: 1 error, 1 fail",
            'skipped: "\\x1b[2J skipped"',
            f'skipped rule IMG017: "{e}: no key"',
            "3 findings (1 critical, 1 high, 1 low); failed: 2 findings at high or above, 1 error",
        ]
    elif fmt == "junit":
        root = _check_xml(text)
        assert root.get("errors") == "1" and root.get("failures") == "4"
    else:
        doc = json.loads(text)
        strings = _strings(doc)
        for s in strings:
            s.encode("utf-8")
        if fmt == "docker-bench-json":
            entry = next(t for t in doc["tests"] if t["id"] == "5")["results"][0]
            assert entry["items"] == ["c\x1b[2J\n\ufffd<script>]]>\u202e\x00"]
        if fmt == "sarif":
            jsonschema = pytest.importorskip("jsonschema")
            jsonschema.validate(doc, json.loads(SCHEMA.read_text()))


@pytest.fixture(scope="module")
def hostile_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OCI layout in a directory with a hostile name, whose layer holds setuid files with
    hostile names (one not UTF-8, held as a surrogate as tarfile reads it)."""
    sys.path.insert(0, str(ROOT / "tests" / "image"))
    from image_builders import M, image_blobs, layer_tar, write_oci_layout

    layer = layer_tar([M("usr/bin/x\x1b[2J\n\u202e", b"x", mode=0o4755),
                       M("usr/bin/bad\udcff<script>]]>", b"x", mode=0o4755)])
    manifest, _cfg, blobs = image_blobs([layer], {"User": ""}, [{"created_by": "RUN x"}])
    root = tmp_path_factory.mktemp("hostile-image")
    write_oci_layout(Path(os.fsdecode(os.path.join(os.fsencode(root), b"lay\x1b[31m\xff"))),
                     manifest, blobs)
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_image_paths_in_every_format(hostile_image: Path, fmt: str) -> None:
    target = os.fsdecode(b"lay\x1b[31m\xff")
    proc = subprocess.run([sys.executable, "-m", "hullcheck", "image", target, "--format", fmt,
                           "--no-color"], cwd=hostile_image, capture_output=True, env=_env(),
                          timeout=120)
    assert proc.returncode == 0 and proc.stderr == b""
    out = proc.stdout.decode("utf-8")
    if fmt == "text":
        assert UNSAFE.search(out.replace("\n", "")) is None
        lines = out.splitlines()
        layer = ", layer sha256:[0-9a-f]{12}\\)"
        for shown in ('"/usr/bin/x\\x1b[2J\\n\\u202e', '"/usr/bin/bad\\xff<script>]]>'):
            line = re.escape(f'image "lay\\x1b[31m\\xff": MEDIUM IMG010 {shown} is setuid"'
                             f' ({shown}"') + layer
            assert [x for x in lines if re.fullmatch(line, x)], shown
    elif fmt == "junit":
        root = _check_xml(out)
        assert '"lay\\x1b[31m\\xff"' in {s.get("name") for s in root.iter("testsuite")}
        assert '[medium] setuid or setgid file: "/usr/bin/bad\\xff<script>]]> is setuid"' in {
            f.get("message") for f in root.iter("failure")}
    else:
        doc = json.loads(out)
        for text in _strings(doc):
            text.encode("utf-8")
        if fmt == "json":
            paths = {f["location"].get("path") for f in doc["findings"]}
            assert {"/usr/bin/x\x1b[2J\n\u202e", "/usr/bin/bad\ufffd<script>]]>"} <= paths
            refs = {f["location"]["image"]["ref"] for f in doc["findings"]
                    if "image" in f["location"]}
            assert refs == {"lay\x1b[31m\ufffd"}
        else:
            jsonschema = pytest.importorskip("jsonschema")
            jsonschema.validate(doc, json.loads(SCHEMA.read_text()))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["a", " ", "\\", "[", "]", "/", "bold", "[/]", "[red]", ":thumbs_up:", '"', "\n", "\x1b",
     "\u202e", "\udcff", "é", "\r", "\t", "\x85", "link=x"]), max_size=12).map("".join))
def test_text_reporter_writes_exactly_the_shown_string(message: str) -> None:
    """Markup, emoji codes and controls change nothing: the finding's line holds exactly
    ``terminal(message)``."""
    from hullcheck.safe_text import terminal

    f = Finding("DF001", "t", Severity.HIGH, message, Location(path="Dockerfile", line=1))
    report = Report(findings=[f])
    text = render("text", Output(report=report, shown=[f], counted=[f]))
    assert text.splitlines()[0] == f"Dockerfile:1:1: HIGH DF001 {terminal(message)}"


def test_ci_formats_on_the_hostile_repository(repo: Path) -> None:
    """--format github: every line is a workflow command or a plain ``hullcheck:`` log line, no
    unsafe character reaches the log, and a hostile path is never a ``file=`` property;
    --format gitlab: valid UTF-8 JSON holding every finding."""
    code, out, err = _run(repo, "--format", "github")
    assert code == 2 and err.decode("utf-8").splitlines() == STDERR
    text = out.decode("utf-8")
    assert UNSAFE.search(text) is None
    for line in text.splitlines():
        assert line.startswith(("::error ", "::warning ", "::notice ", "hullcheck: ")), line
        assert "file=" not in line  # every scanned path here needs quoting
    assert text.splitlines()[-1].startswith("::notice title=hullcheck::19 findings")
    code, out, _ = _run(repo, "--format", "gitlab")
    assert code == 2
    issues = json.loads(out.decode("utf-8"))
    assert len(issues) == 19 + 1  # the findings and the unreadable Dockerfile
    assert len({i["fingerprint"] for i in issues}) == len(issues)
