"""A hostile ``.hullcheck.yaml`` or ``pyproject.toml`` ends in one config error, exit 2, in
bounded time and memory: whatever the types, the nesting (10,000 deep) or the size (100 MB).

Bounds asserted here: a config file is refused above MAX_CONFIG_BYTES (1 MiB) before it is
parsed; nesting deeper than MAX_CONFIG_DEPTH (16) is refused before any value is read (YAML past
500 levels, and TOML arrays / inline tables that make tomllib recurse, fail in the parser);
every hostile file below is refused in under 5 s with the process's peak RSS growing by under
128 MiB; a trust store named by a config is refused above MAX_TRUST_STORE_BYTES (4 MiB).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from bounded import bounded_run
from conftest import run_cli, write_public_key
from hullcheck.config import (
    MAX_CONFIG_BYTES,
    MAX_CONFIG_DEPTH,
    MAX_TRUST_STORE_BYTES,
    ConfigError,
    discover,
    load_file,
)

SECONDS, GREW_MIB = 5, 128


def _ca_pem() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acme root")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def valid() -> dict[str, Any]:
    """A configuration using every setting; each test breaks one place of it."""
    return {
        "fail-on": "high",
        "select": ["DF"],
        "ignore": ["DF002"],
        "per-path-ignores": {"legacy/**": ["DF010"]},
        "severity-overrides": {"DF001": "low"},
        "trust": {
            "allowed": ["ghcr.io/**"],
            "require-digest": True,
            "keys": [{"images": "ghcr.io/**", "key": "k.pub"}],
            "notation": [{"images": "ghcr.io/**", "trust-store": "ca.pem",
                          "identities": ["*"]}],
            "keyless": [{"images": "ghcr.io/**", "identity": "a@example.com",
                         "issuer": "https://issuer.example"}],
            "attestations": [{"images": "ghcr.io/**",
                              "predicate-types": ["https://slsa.dev/provenance/v1"]}],
        },
    }


# (path to the value, kinds of value that are valid there, what the error names)
PLACES: list[tuple[tuple[str | int, ...], set[str], str]] = [
    (("fail-on",), {"str"}, ": fail-on: "),
    (("select",), {"str", "null"}, ": select: "),
    (("ignore",), {"str", "null"}, ": ignore: "),
    (("per-path-ignores",), {"null", "map"}, ": per-path-ignores must map"),
    (("per-path-ignores", "legacy/**"), {"str", "null"}, ": per-path-ignores.legacy/**: "),
    (("severity-overrides",), {"null", "map"}, ": severity-overrides must map"),
    (("severity-overrides", "DF001"), {"str"}, ": severity-overrides.DF001: "),
    (("trust",), {"null", "map"}, ": trust must be a mapping"),
    (("trust", "allowed"), {"str", "null"}, ": trust.allowed: "),
    (("trust", "require-digest"), {"bool"}, ": trust.require-digest: "),
    (("trust", "keys"), {"null"}, ": trust.keys"),
    (("trust", "keys", 0), set(), ": trust.keys[0]"),
    (("trust", "keys", 0, "key"), {"str"}, ": trust.keys[0].key: "),
    (("trust", "keys", 0, "images"), {"str"}, ": trust.keys[0].images: "),
    (("trust", "notation"), {"null", "list"}, ": trust.notation must be a list"),
    (("trust", "notation", 0), set(), ": trust.notation[0]"),
    (("trust", "notation", 0, "trust-store"), set(), ": trust.notation[0].trust-store"),
    (("trust", "notation", 0, "images"), {"str", "null"}, ": trust.notation[0].images: "),
    (("trust", "notation", 0, "identities"), {"str", "null"},
     ": trust.notation[0].identities: "),
    (("trust", "keyless"), {"null", "list"}, ": trust.keyless must be a list"),
    (("trust", "keyless", 0), set(), ": trust.keyless[0]: "),
    (("trust", "keyless", 0, "identity"), {"str", "null"}, ": trust.keyless[0]: identity "),
    (("trust", "keyless", 0, "issuer"), {"str", "null"}, ": trust.keyless[0]: issuer "),
    (("trust", "attestations"), {"null", "list"}, ": trust.attestations must be a list"),
    (("trust", "attestations", 0), set(), ": trust.attestations[0]"),
    (("trust", "attestations", 0, "images"), {"str", "null"},
     ": trust.attestations[0].images: "),
    (("trust", "attestations", 0, "predicate-types"), {"str"},
     ": trust.attestations[0].predicate-types"),
    (("trust", "keyless", 0, "images"), {"str", "null"}, ": trust.keyless[0]: images "),
]
# Wrong values of every kind (a string is wrong where no string is valid).
BAD: dict[str, Any] = {
    "int": 7,
    "float": 1.5,
    "bool": True,
    "null": None,
    "list": [1, {"a": [2]}],
    "map": {"x": {"y": [3]}},
    "str": "zz",
    "date": dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC),
}


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _toml(value: Any) -> str:
    """Just enough TOML for these documents (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def write(directory: Path, fmt: str, doc: dict[str, Any]) -> Path:
    (directory / "ca.pem").write_bytes(CA)
    write_public_key(directory / "k.pub")  # trust.keys must load (a bad key is a config error)
    if fmt == "yaml":
        path = directory / ".hullcheck.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
    else:
        path = directory / "pyproject.toml"
        path.write_text("[project]\nname = 'x'\n\n[tool.hullcheck]\n" + "".join(
            f"{json.dumps(k)} = {_toml(v)}\n" for k, v in doc.items()))
    return path


CA = _ca_pem()


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_the_valid_config_loads(tmp_path: Path, fmt: str) -> None:
    cfg = load_file(write(tmp_path, fmt, valid()))
    assert cfg.trust.require_digest and cfg.severity_overrides and cfg.trust.keyless


# TOML has no null; YAML timestamps are read as the text they are written as (a string).
CASES = [(fmt, place, kind) for fmt in ("yaml", "toml") for place in PLACES for kind in BAD
         if kind not in place[1] and (fmt, kind) not in (("toml", "null"), ("yaml", "date"))]


@pytest.mark.parametrize(("fmt", "place", "kind"), CASES,
                         ids=[f"{f}-{'.'.join(map(str, p[0]))}-{k}" for f, p, k in CASES])
def test_every_wrong_type_is_one_line_naming_file_and_key(
        tmp_path: Path, fmt: str, place: tuple[tuple[str | int, ...], set[str], str],
        kind: str) -> None:
    path, _, named = place
    doc = valid()
    _set(doc, path, BAD[kind])
    file = write(tmp_path, fmt, doc)
    with pytest.raises(ConfigError) as info:
        load_file(file)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{file}: "), message
    assert named in message, message


def test_wrong_types_through_the_command_line(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid()
    doc["trust"]["keys"] = 5  # was: TypeError traceback ('int' object is not iterable)
    file = write(tmp_path, "yaml", doc)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\n")
    code, out, err = run_cli(capsys, "scan", "--config", str(file), str(dockerfile))
    assert (code, out) == (2, "")
    assert err == (f"hullcheck: error: {file}: trust.keys must be a list of {{images, key}} "
                   "entries, not a number\n")


@pytest.mark.parametrize("text", [
    "1: a\nfail-on: high\n",  # sorting mixed keys was a TypeError
    "trust:\n  keys:\n    - {key: k.pub, 2: x}\n",
    "severity-overrides: {DF001: [low]}\n",  # str() of any value was taken for a severity
    "trust: {require-digest: 'no'}\n",  # a string 'no' was true
    "per-path-ignores: []\n",  # a falsy wrong type was taken for "none"
    "---\nfail-on: high\n---\nfail-on: low\n",
])
def test_more_hostile_shapes(tmp_path: Path, text: str) -> None:
    path = tmp_path / ".hullcheck.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_file(path)
    assert str(info.value).startswith(f"{path}: ") and "\n" not in str(info.value)


def test_a_python_tag_builds_nothing(tmp_path: Path) -> None:
    path = tmp_path / ".hullcheck.yaml"
    path.write_text("select: !!python/object/apply:os.system [DF]\n"
                    "fail-on: !!python/object:os.system high\n")
    cfg = load_file(path)  # the tags are ignored, the values read as written
    assert cfg.select == ["DF"] and cfg.fail_on is not None and cfg.fail_on.label == "high"


# --- depth ---------------------------------------------------------------------------------

DEEP = 10_000


def deep_files(directory: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, what the error says) for configs nested DEEP levels."""
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, file: str, text: str, says: str) -> None:
        d = directory / name
        d.mkdir()
        (d / ".git").mkdir()
        (d / file).write_text(text)
        files[name] = (d / file, says)

    head = "[tool.hullcheck]\n"
    put("toml-array", "pyproject.toml", head + "select = " + "[" * DEEP + "]" * DEEP + "\n",
        "invalid TOML: nested too deeply")
    put("toml-inline", "pyproject.toml",
        head + "trust = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n",
        "invalid TOML: nested too deeply")
    put("toml-tables", "pyproject.toml",
        "[tool.hullcheck.severity-overrides." + ".".join(["a"] * DEEP) + "]\nb = 1\n",
        f"nested deeper than {MAX_CONFIG_DEPTH} levels")
    put("yaml-flow", ".hullcheck.yaml", "select: " + "[" * DEEP + "]" * DEEP + "\n",
        "invalid YAML: line 1, column 1008: exceeded maximum nesting depth")
    put("yaml-block", ".hullcheck.yaml", "select:\n  " + "- " * DEEP + "DF\n",
        "exceeded maximum nesting depth")
    put("yaml-shallow", ".hullcheck.yaml",  # under the parser's limit, over the config's
        "trust: " + "{a: " * 40 + "1" + "}" * 40 + "\n",
        f"trust.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: nested deeper than {MAX_CONFIG_DEPTH} levels")
    return files


def test_deep_nesting_is_one_error(tmp_path: Path) -> None:
    for name, (file, says) in deep_files(tmp_path).items():
        with pytest.raises(ConfigError) as info:
            load_file(file)
        assert str(info.value).startswith(f"{file}: "), (name, str(info.value))
        assert says in str(info.value), (name, str(info.value))


# --- size ----------------------------------------------------------------------------------

def big_files(directory: Path) -> dict[str, Path]:
    """100 MB configs, real bytes on disk: one of each name discovery looks for."""
    out = {}
    for name, head, line in (
        (".hullcheck.yaml", b"select: [DF]\n", b"ignore: [DF001]  # padding padding padding\n"),
        ("pyproject.toml", b"[tool.hullcheck]\nselect = ['DF']\n", b"# padding padding\n"),
    ):
        d = directory / name.strip(".").replace(".", "-")
        d.mkdir()
        (d / ".git").mkdir()
        path = d / name
        block = line * (1 << 20 // len(line) + 1)
        with path.open("wb") as fh:
            fh.write(head)
            while fh.tell() < 100 * 1000 * 1000:
                fh.write(block)
        out[name] = path
    return out


def test_100mb_configs_are_refused_before_parsing(tmp_path: Path) -> None:
    for path in big_files(tmp_path).values():
        with pytest.raises(ConfigError) as info:
            discover(path.parent)
        assert str(info.value) == (f"{path}: file too large ({path.stat().st_size} bytes; "
                                   f"the limit is {MAX_CONFIG_BYTES})")


def test_a_big_pyproject_without_our_section_is_still_refused(tmp_path: Path) -> None:
    # Over the limit, whether it configures hullcheck cannot be told without reading it all.
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_bytes(b"# x\n" * (MAX_CONFIG_BYTES // 4 + 1))
    with pytest.raises(ConfigError, match="file too large"):
        discover(tmp_path)
    # Under it, a pyproject.toml without [tool.hullcheck] is no config (as before).
    (tmp_path / "pyproject.toml").write_bytes(b"# x\n" * (MAX_CONFIG_BYTES // 4))
    assert discover(tmp_path).source is None


def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    fifo = tmp_path / ".hullcheck.yaml"
    os.mkfifo(fifo)
    done: list[str] = []
    worker = threading.Thread(target=lambda: done.append(_error(tmp_path)), daemon=True)
    worker.start()
    worker.join(5)
    assert done == [f"{fifo}: not a regular file"]
    fifo.unlink()
    fifo.symlink_to("/dev/zero")
    assert _error(tmp_path) == f"{fifo}: not a regular file"
    fifo.unlink()
    fifo.symlink_to(tmp_path / "gone")
    assert _error(tmp_path) == f"{fifo}: cannot read: No such file or directory"


def _error(directory: Path) -> str:
    try:
        discover(directory)
    except ConfigError as exc:
        return str(exc)
    return "no error"


def test_trust_stores_named_by_a_config_are_bounded(tmp_path: Path) -> None:
    doc = valid()
    for store, says in (("/dev/zero", "not a regular file"),
                        ("big.pem", f"larger than {MAX_TRUST_STORE_BYTES} bytes")):
        doc["trust"]["notation"][0]["trust-store"] = store
        file = write(tmp_path, "yaml", doc)
        with (tmp_path / "big.pem").open("wb") as fh:
            fh.truncate(MAX_TRUST_STORE_BYTES + 1)
        with pytest.raises(ConfigError) as info:
            load_file(file)
        assert str(info.value).startswith(f"{file}: trust.notation[0].trust-store: ")
        assert says in str(info.value)


# --- end to end: discovered while scanning a directory, bounded ----------------------------

def test_hostile_configs_found_by_discovery_end_a_scan_with_one_line(tmp_path: Path) -> None:
    """``cd hostile-repo && hullcheck scan .``: each ends in exit 2 and one line on stderr,
    in under SECONDS, the peak RSS growing by under GREW_MIB."""
    cases: dict[str, tuple[Path, str]] = dict(deep_files(tmp_path))
    for name, path in big_files(tmp_path).items():
        cases[name] = (path, "file too large")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / ".git").mkdir()
    doc = valid()
    doc["trust"]["keyless"] = {"identity": [1]}
    cases["wrong-types"] = (write(wrong, "toml", doc), "trust.keyless must be a list")
    # Just under the size limit, as expensive as a flat document gets.
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / ".git").mkdir()
    (flat / ".hullcheck.yaml").write_text(
        "select: [" + "DF, " * ((MAX_CONFIG_BYTES - 40) // 4) + "]\nfail-on: 7\n")
    cases["flat-1MiB"] = (flat / ".hullcheck.yaml", "fail-on: expected a severity")
    flat_toml = tmp_path / "flat-toml"
    flat_toml.mkdir()
    (flat_toml / ".git").mkdir()
    (flat_toml / "pyproject.toml").write_text(
        "[tool.hullcheck]\nselect = [" + '"DF", ' * ((MAX_CONFIG_BYTES - 60) // 6) + "]\n"
        "fail-on = 7\n")
    cases["flat-toml-1MiB"] = (flat_toml / "pyproject.toml", "fail-on: expected a severity")
    for name, (file, says) in cases.items():
        (file.parent / "Dockerfile").write_text("FROM alpine:3.20\n")
        run = bounded_run(file.parent, "scan", ".")
        assert run["code"] == 2, (name, run)
        assert run["err"].startswith(f"hullcheck: error: {file}: "), (name, run)
        assert run["err"].count("\n") == 1 and says in run["err"], (name, run)
        assert run["seconds"] < SECONDS, (name, run)
        assert run["grew_mib"] < GREW_MIB, (name, run)
