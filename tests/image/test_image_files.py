"""The layer reader and the image rules on generated images (OCI layouts, docker save)."""

from __future__ import annotations

import argparse
import gzip
import io
import os
import random
import tarfile
from pathlib import Path

import pytest
from image_builders import M, image_blobs, layer_tar, write_docker_save, write_oci_layout

from hullcheck.commands import image as image_cmd
from hullcheck.config import Config
from hullcheck.findings import Report
from hullcheck.inputs.image.layers import ImageError, Limits, scan_layer
from hullcheck.rules.base import Context

DIR = tarfile.DIRTYPE
SYM = tarfile.SYMTYPE
LNK = tarfile.LNKTYPE

BASE = layer_tar(
    [
        M("bin", kind=DIR, mode=0o755),
        M("bin/sh", b"#!", mode=0o755),
        M("tmp", kind=DIR, mode=0o1777),  # ok: IMG009 (sticky)
        M("etc", kind=DIR, mode=0o755),
        M("etc/ssl/certs/ca.pem", b"-----BEGIN CERTIFICATE-----\n"),  # ok: IMG011
        M("root/.ssh/id_rsa", b"-----BEGIN OPENSSH PRIVATE KEY-----\nx\n"),  # deleted below
        M("app/.npmrc", b"registry=https://r.example\n"),  # ok: IMG011 (no token)
        M("app/.env.example", b"PASSWORD=changeme\n"),  # ok: IMG011 (example)
        M("old", kind=DIR, mode=0o755),
        M("old/.aws/credentials", b"[default]\naws_secret_access_key = abc\n"),
        M("link", kind=SYM, linkname="/etc/passwd", mode=0o777),  # ok: IMG009 (symlink)
    ]
)
TOP = layer_tar(
    [
        M("root/.ssh/.wh.id_rsa"),  # secret still in layer 0
        M("old/.wh..wh..opq"),  # opaque: hides old/.aws
        M("usr/bin/su", b"x", mode=0o4755),  # expect: IMG010
        M("usr/bin/wall", b"x", mode=0o2755),  # expect: IMG010
        M("usr/bin/plain", b"x", mode=0o755),  # ok: IMG010
        M("data", kind=DIR, mode=0o777),  # expect: IMG009
        M("data/f", b"x", mode=0o666),  # expect: IMG009
        M("home/u/.docker/config.json", b'{"auths": {"r.example": {"auth": "dTpw"}}}'),
        M("home/v/.docker/config.json", b'{"auths": {"r.example": {}}}'),  # ok: IMG011
        M("home/u/.git-credentials", b"https://u:tok@github.com\n"),
        M("app/.env", b"PORT=3000\nexport DATABASE_URL='postgres://app:hunter2@db/app'\n"),
        # ok: IMG011 (public settings: no credential in it)
        M("web/.env.production", b"NEXT_PUBLIC_API_URL=https://api.example.com\nPORT=3000\n"
                                 b"TOKENIZERS_PARALLELISM=false\nDB_PASSWORD_FILE=/run/s/db\n"),
        M("usr/sbin/sshd", b"x", mode=0o755),  # expect: IMG012
        M("var/lib/apt/lists/deb.debian.org_dists", b"x" * 2048),  # expect: IMG013
        M("var/lib/apt/lists/lock", b""),
    ]
)
CONFIG = {
    "Env": ["PATH=/bin", "DB_PASSWORD=hunter2", "TOKEN_FILE=/run/secrets/t", "API_KEY="],
    "ExposedPorts": {"22/tcp": {}, "8080/tcp": {}},
}
HISTORY = [
    {"created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created_by": "/bin/sh -c apt-get update", "empty_layer": True},
    {"created_by": "/bin/sh -c curl -fsSL https://x.example/i.sh | sh", "empty_layer": True},
    {"created_by": "/bin/sh -c #(nop) ADD app.tgz /app "},
]


def run(targets: list[str], config: Config | None = None, **flags: object) -> Report:
    parser = argparse.ArgumentParser()
    image_cmd.add_arguments(parser)
    args = parser.parse_args(targets)
    for k, v in flags.items():
        setattr(args, k, v)
    return image_cmd.run(args, Context(config or Config()))


def pairs(report: Report) -> set[tuple[str, str | None, int | None]]:
    return {(f.rule, f.location.path, None) for f in report.findings if f.rule != "IMG018"}


EXPECTED = {
    ("IMG001", None, None),
    ("IMG002", None, None),
    ("IMG003", None, None),
    ("IMG004", None, None),
    ("IMG005", None, None),
    ("IMG006", None, None),
    ("IMG007", None, None),
    ("IMG009", "/data", None),
    ("IMG009", "/data/f", None),
    ("IMG010", "/usr/bin/su", None),
    ("IMG010", "/usr/bin/wall", None),
    ("IMG011", "/root/.ssh/id_rsa", None),
    ("IMG011", "/old/.aws/credentials", None),
    ("IMG011", "/home/u/.docker/config.json", None),
    ("IMG011", "/home/u/.git-credentials", None),
    ("IMG011", "/app/.env", None),
    ("IMG012", "/usr/sbin/sshd", None),
    ("IMG013", "/var/lib/apt/lists", None),
}


def test_oci_layout_exact_findings(tmp_path: Path) -> None:
    manifest, _cfg, blobs = image_blobs([BASE, TOP], CONFIG, HISTORY)
    layout = write_oci_layout(tmp_path / "oci", manifest, blobs, name="app")
    report = run([str(layout)])
    assert not report.errors
    assert pairs(report) == EXPECTED
    deleted = [f for f in report.findings if f.location.path == "/root/.ssh/id_rsa"]
    assert "deleted or replaced in a later layer" in deleted[0].message
    from image_builders import sha

    assert deleted[0].location.layer == sha(BASE)  # the layer that holds it, by diff id
    assert deleted[0].location.image is not None and deleted[0].location.image.digest
    # Files only: no pull by name happens, so nothing about the client's content trust (4.5).
    assert not any(f.rule == "IMG018" for f in report.findings)
    assert report.checks == []


def test_content_trust_judged_when_an_image_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Docker Content Trust (IMG018, check 4.5) is judged when a target is an image reference
    (here one on a loopback port where nothing listens: it fails, and was still asked for by
    name), and a tarball or layout beside it changes nothing."""
    monkeypatch.delenv("DOCKER_CONTENT_TRUST", raising=False)
    manifest, _cfg, blobs = image_blobs([BASE], CONFIG, HISTORY[:1])
    layout = write_oci_layout(tmp_path / "oci", manifest, blobs, name="app")
    report = run([str(layout), "127.0.0.1:1/app:1", "--remote", "--registry-timeout", "5"])
    assert [e.path for e in report.errors] == ["127.0.0.1:1/app:1"]
    assert [f.rule for f in report.findings if f.rule == "IMG018"] == ["IMG018"]
    # 4.5 is judged as the host audit judges it (one content-trust path): from IMG018's finding
    assert [(c.id, c.result.value, c.reason) for c in report.checks] == [
        ("cis-docker-1.6:4.5", "fail", "1 finding")]
    assert "2026-12-08" in report.checks[0].evidence


def test_oci_layout_by_name_and_unknown_name(tmp_path: Path) -> None:
    manifest, _cfg, blobs = image_blobs([BASE], CONFIG, HISTORY[:1])
    layout = write_oci_layout(tmp_path / "oci", manifest, blobs, name="app")
    assert not run([f"oci:{layout}:app"]).errors
    errors = run([f"oci:{layout}:nope"]).errors
    assert errors and "no image named 'nope'" in errors[0].message


@pytest.mark.parametrize("manifest_last", [True, False])
def test_docker_save_archive_same_findings(tmp_path: Path, manifest_last: bool) -> None:
    archive = write_docker_save(
        tmp_path / "img.tar", [BASE, TOP], CONFIG, HISTORY, manifest_last=manifest_last
    )
    report = run([str(archive)])
    assert not report.errors
    assert pairs(report) == EXPECTED


def test_near_miss_image_is_clean(tmp_path: Path) -> None:
    clean = layer_tar(
        [
            M("tmp", kind=DIR, mode=0o1777),
            M("app/run", b"x", mode=0o755),
            M("etc/ssl/private/server.pem", b"-----BEGIN CERTIFICATE-----"),
        ]
    )
    config = {
        "User": "app",
        "Healthcheck": {"Test": ["CMD", "true"]},
        "Env": ["PASSWORD_FILE=/run/secrets/pw"],
        "ExposedPorts": {"8080/tcp": {}},
    }
    archive = write_docker_save(
        tmp_path / "img.tar",
        [clean],
        config,
        [
            {"created_by": "/bin/sh -c #(nop) ADD file:x in / "},
            {"created_by": "RUN apt-get update && apt-get install -y x", "empty_layer": True},
        ],
    )
    report = run([str(archive)])
    assert not report.errors
    assert pairs(report) == set()


def test_env_secrets_judged_by_name_and_value(tmp_path: Path) -> None:
    """IMG003 judges the environment as DF010 judges ENV: a literal value under a secret name,
    or a value shaped like a credential, and not settings about a credential."""
    config = {
        "Env": [
            "DB_PASSWORD=hunter2",  # expect: IMG003
            "HELPER=ghp_EXAMPLEexampleEXAMPLEexampleEXAMPLE0",  # expect: IMG003 (by shape)
            "LEGACY=AKIAIOSFODNN7EXAMPLE",  # expect: IMG003 (by shape)
            "TOKENIZERS_PARALLELISM=false",  # ok: IMG003 (contains TOKEN, is a switch)
            "ALLOW_EMPTY_PASSWORD=no",  # ok: IMG003 (a switch)
            "PASSWORD_MIN_LENGTH=12",  # ok: IMG003 (about the password)
            "ACCESS_TOKEN_EXPIRE_MINUTES=30",  # ok: IMG003 (about the token)
            "TOKEN_AUTH=true",  # ok: IMG003
            "DB_PASSWORD_FILE=/run/secrets/db",  # ok: IMG003 (a path)
            "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",  # ok: IMG003 (a fingerprint)
            "API_KEY=",  # ok: IMG003 (empty)
        ],
    }
    layer = layer_tar([M("app/run", b"x", mode=0o755)])
    report = run([str(write_docker_save(tmp_path / "i.tar", [layer], config))])
    assert not report.errors
    flagged = {f.evidence for f in report.findings if f.rule == "IMG003"}
    assert flagged == {"env=DB_PASSWORD", "env=HELPER", "env=LEGACY"}
    messages = {f.message for f in report.findings if f.rule == "IMG003"}
    assert "environment variable LEGACY holds an AWS access key id" in messages


def test_remote_scripts_in_history_judged_on_the_parsed_shell(tmp_path: Path) -> None:
    """IMG006 parses each step's shell as DF014 parses RUN: the installers' own forms fire,
    data pipes and quoted words do not."""
    fire = [
        "|1 V=1 /bin/sh -c curl -fsSL https://deb.nodesource.com/setup_lts.x | sudo -E bash -",
        "RUN /bin/sh -c curl -sSL https://install.python-poetry.org | python3 - # buildkit",
        '/bin/sh -c sh -c "$(curl -fsSL https://raw.example.com/install.sh)"',
        "/bin/sh -c wget -qO - https://get.example.com | sh",
        "RUN curl -fsSL https://get.example.com | sh",  # a builder that records the bare RUN
    ]
    quiet = [
        '/bin/sh -c echo "curl is great | sh" > /tmp/note',  # ok: IMG006 (quoted words)
        "/bin/sh -c curl -fsSL https://example.com/app.tgz | tar xz",  # ok: IMG006 (data)
        "/bin/sh -c curl -fsSLo /tmp/i.sh https://x.example/i.sh && sh /tmp/i.sh",  # ok: IMG006
        "/bin/sh -c #(nop)  LABEL note=curl|sh",  # ok: IMG006 (metadata)
    ]
    history = [{"created_by": c, "empty_layer": True} for c in fire + quiet]
    layer = layer_tar([M("app/run", b"x", mode=0o755)])
    history.insert(0, {"created_by": "/bin/sh -c #(nop) ADD file:x in / "})
    report = run([str(write_docker_save(tmp_path / "i.tar", [layer], {}, history))])
    assert not report.errors
    assert {f.evidence for f in report.findings if f.rule == "IMG006"} == set(fire)


def test_each_history_script_is_parsed_once_for_every_image_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The image model keeps a step's parsed shell: IMG005 and IMG006 both look into a step
    that updates an index and pipes a download into sh (both text pre-filters pass), and the
    script is parsed once, not once per rule; a metadata step is never parsed."""
    from hullcheck.models import image as image_model

    parsed: list[str] = []
    real = image_model.parse_shell

    def counting(text: str):  # type: ignore[no-untyped-def]
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(image_model, "parse_shell", counting)
    step = "/bin/sh -c apt-get update && curl -fsSL https://get.example.com | sh"
    history = [{"created_by": "/bin/sh -c #(nop)  ENV A=curl|sh", "empty_layer": True},
               {"created_by": step, "empty_layer": True}]
    layer = layer_tar([M("app/run", b"x", mode=0o755)])
    report = run([str(write_docker_save(tmp_path / "i.tar", [layer], {}, history))])
    from hullcheck.rules.dockerfile.remote_script import may_run_fetched_code
    from hullcheck.rules.dockerfile.update_alone import may_update_alone

    script = step.removeprefix("/bin/sh -c ")
    assert may_update_alone(script) and may_run_fetched_code(script)
    # IMG005 judged the parse and found more than an update; IMG006 fired on it.
    assert {f.rule for f in report.findings if f.evidence == step} == {"IMG006"}
    assert parsed == [script]


def test_device_files_are_reported(tmp_path: Path) -> None:
    layer = layer_tar([M("dev/sda", kind=tarfile.BLKTYPE), M("dev/mem", kind=tarfile.CHRTYPE)])
    report = run([str(write_docker_save(tmp_path / "i.tar", [layer]))])
    assert {(f.rule, f.location.path) for f in report.findings if f.rule == "IMG014"} == {
        ("IMG014", "/dev/sda"),
        ("IMG014", "/dev/mem"),
    }


# --- hostile layers ---------------------------------------------------------------------------


def _raw_tar_member(name: str, data: bytes, declared: int | None = None) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = len(data) if declared is None else declared
    header = info.tobuf(format=tarfile.USTAR_FORMAT)
    pad = b"\0" * (-len(data) % 512)
    return header + data + pad


HOSTILE = {
    "dotdot": (layer_tar([M("../../etc/passwd", b"x")]), "'..' in its path"),
    "absolute": (layer_tar([M("/etc/passwd", b"x")]), "absolute path"),
    "symlink-out": (
        layer_tar([M("a/b", kind=SYM, linkname="../../../etc/shadow")]),
        "points outside the image",
    ),
    "hardlink-out": (layer_tar([M("a", kind=LNK, linkname="../etc/shadow")]), "'..'"),
    "lying-size-short": (
        _raw_tar_member("a", b"x" * 2048, declared=100) + b"\0" * 1024,
        "lies about its size",
    ),
    "lying-size-long": (
        _raw_tar_member("a", b"x" * 100, declared=4096) + b"\0" * 1024,
        "truncated or lying size",
    ),
    "truncated-gzip": (
        gzip.compress(layer_tar([M("a", random.Random(0).randbytes(100000))]))[:-200],
        "truncated gzip",
    ),
    "garbage": (b"\x1f\x8b" + b"not gzip at all" * 10, "corrupt gzip"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_layer_is_refused_with_one_line(case: str, tmp_path: Path) -> None:
    blob, expected = HOSTILE[case]
    with pytest.raises(ImageError) as err:
        scan_layer(io.BytesIO(blob), "layer x", "x", Limits(), compressed_size=len(blob))
    message = str(err.value)
    assert expected in message and "\n" not in message
    # the command turns it into an input error, writes nothing, raises nothing
    before = set(tmp_path.iterdir())
    archive = write_docker_save(tmp_path / "h.tar", [blob])
    report = run([str(archive)])
    assert report.errors and expected in report.errors[0].message
    assert set(tmp_path.iterdir()) == before | {archive}


def test_decompression_bomb_is_bounded() -> None:
    # 300 MiB of zeros compresses to ~300 KiB: far past the ratio cap, refused early
    zeros = io.BytesIO()
    with gzip.GzipFile(fileobj=zeros, mode="wb", compresslevel=1) as gz:
        info = tarfile.TarInfo("zeros")
        info.size = 300 << 20
        gz.write(info.tobuf())
        chunk = b"\0" * (1 << 20)
        for _ in range(300):
            gz.write(chunk)
    blob = zeros.getvalue()
    limits = Limits(ratio_floor=64 << 20)
    with pytest.raises(ImageError, match="decompression bomb"):
        scan_layer(io.BytesIO(blob), "layer bomb", "b", limits, compressed_size=len(blob))


def test_absolute_cap() -> None:
    blob = layer_tar([M("big", b"x" * (2 << 20))])
    with pytest.raises(ImageError, match="more than 1 MiB"):
        scan_layer(io.BytesIO(blob), "l", "l", Limits(max_layer_bytes=1 << 20))


def test_oversized_pax_header_is_refused() -> None:
    info = tarfile.TarInfo("a")
    info.pax_headers = {"comment": "x" * (2 << 20)}
    blob = info.tobuf(format=tarfile.PAX_FORMAT) + b"\0" * 1024
    with pytest.raises(ImageError, match="oversized extended tar header"):
        scan_layer(io.BytesIO(blob), "l", "l", Limits())


def test_member_cap() -> None:
    blob = layer_tar([M(f"f{i}", b"") for i in range(20)])
    with pytest.raises(ImageError, match="more than 10 members"):
        scan_layer(io.BytesIO(blob), "l", "l", Limits(max_members=10))


def test_not_an_image(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"hello")
    report = run([str(junk)])
    assert report.errors and "\n" not in report.errors[0].message
    report = run(["Not A Ref!"])
    assert report.errors and "not an image reference" in report.errors[0].message


def test_a_fifo_in_a_layout_is_refused_not_waited_for(tmp_path: Path) -> None:
    layout = tmp_path / "oci"
    layout.mkdir()
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    os.mkfifo(layout / "index.json")  # nothing ever writes: reading it would block for ever
    report = run([str(layout)])
    assert [e.message for e in report.errors] == [f"{layout / 'index.json'}: not a regular file"]


def test_healthcheck_none_is_a_deliberate_choice(tmp_path: Path) -> None:
    """IMG002 judges `HEALTHCHECK NONE` as DF018 does: switched off on purpose, not missing."""
    found = {}
    for name, config in (("none", {"User": "app", "Healthcheck": {"Test": ["NONE"]}}),
                         ("missing", {"User": "app"})):
        archive = write_docker_save(tmp_path / f"{name}.tar", [layer_tar([])], config,
                                    [{"created_by": "/bin/sh -c #(nop) ADD file:x in / "}])
        report = run([str(archive)])
        assert not report.errors
        found[name] = {f.rule for f in report.findings} & {"IMG002"}
    assert found == {"none": set(), "missing": {"IMG002"}}


@pytest.mark.parametrize(("created_by", "fires"), [
    ("/bin/sh -c apt-get update", True),
    ("RUN /bin/sh -c set -eux; apt-get update # buildkit", True),
    ("|1 TOKEN=x /bin/sh -c apk update", True),
    ("/bin/sh -c apt-get update && apt-get install -y curl", False),
    ("/bin/sh -c echo 'run apt-get update first'", False),  # words, not text
    ("/bin/sh -c #(nop)  LABEL note=apt-get update", False),
])
def test_update_alone_judges_each_step_as_a_run(tmp_path: Path, created_by: str,
                                                fires: bool) -> None:
    archive = write_docker_save(tmp_path / "img.tar", [layer_tar([])],
                                {"User": "app", "Healthcheck": {"Test": ["CMD", "true"]}},
                                [{"created_by": created_by}])
    report = run([str(archive)])
    assert not report.errors
    assert ("IMG005" in {f.rule for f in report.findings}) is fires
