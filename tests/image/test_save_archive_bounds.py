"""A docker save archive keeps only what its manifest.json names, and the metadata it holds is
bounded in total (MAX_SAVE_METADATA_BYTES, 64 MiB; each member charged its size + 512 bytes).

Every non-layer member up to 16 MiB used to be kept, with no cap on how many: a 1 MiB .tar.gz
of them cost 1.1 GB. Bounds asserted here: that archive is refused in under 10 s with the peak
RSS growing by under 200 MiB (measured: 0.2 s, ~110 MiB: the 64 MiB held and the copy of the
member being read); with manifest.json first, what it does not name is never kept (under 64 MiB
growth, measured 17 MiB; 1.8 s to read 1 GiB through).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from image_builders import M, config_for, image_blobs, layer_tar, sha

from hullcheck.inputs.image import sources
from hullcheck.inputs.image.layers import ImageError, Limits
from hullcheck.inputs.image.sources import MAX_SAVE_METADATA_BYTES, load_archive

LAYER = layer_tar([M("etc/passwd", b"root:x:0:0::/root:/bin/sh\n"), M("app/run", b"x", mode=0o755)])
CONFIG = json.dumps(config_for([LAYER])).encode()
CONFIG_NAME = hashlib.sha256(CONFIG).hexdigest() + ".json"
LAYER_NAME = hashlib.sha256(LAYER).hexdigest() + "/layer.tar"
MANIFEST = json.dumps([{"Config": CONFIG_NAME, "RepoTags": ["t/app:1"],
                        "Layers": [LAYER_NAME]}]).encode()


class _Spaces:
    """A member body: '{' then spaces, streamed (never built in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.first = True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        if n and self.first:
            self.first = False
            return b"{" + b" " * (n - 1)
        return b" " * n


def write_archive(path: Path, members: list[tuple[str, bytes | int]], gz: bool = False) -> Path:
    """A tar (gzip-compressed with ``gz``) of (name, bytes) members, or (name, size) for a
    JSON-looking member of ``size`` bytes, streamed."""
    with path.open("wb") as raw:
        out = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) if gz else raw
        with tarfile.open(fileobj=out, mode="w|") as tf:  # type: ignore[call-overload]
            for name, body in members:
                info = tarfile.TarInfo(name)
                if isinstance(body, int):
                    info.size = body
                    tf.addfile(info, _Spaces(body))
                else:
                    info.size = len(body)
                    tf.addfile(info, io.BytesIO(body))
        if gz:
            out.close()
    return path


def image_members() -> list[tuple[str, bytes | int]]:
    return [(LAYER_NAME, LAYER), (CONFIG_NAME, CONFIG)]


def _names(images: list) -> list[str]:  # type: ignore[type-arg]
    return [i.ref.ref for i in images]


# --- what the issue found --------------------------------------------------------------------

CHILD = """
import resource, sys, time
sys.path[:0] = {paths!r}
from pathlib import Path
from hullcheck.inputs.image.layers import ImageError, Limits
from hullcheck.inputs.image.sources import load_archive
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.monotonic()
try:
    print("images", len(load_archive(Path(sys.argv[1]), Limits())))
except ImageError as exc:
    print("refused:", exc)
print("seconds", time.monotonic() - start)
print("grew_mib", (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) >> 10)
"""


def _measure(path: Path) -> tuple[str, float, int]:
    paths = [p for p in sys.path if p]
    proc = subprocess.run([sys.executable, "-c", CHILD.format(paths=paths), str(path)],
                          capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout + proc.stderr
    return lines[0], float(lines[1].split()[1]), int(lines[2].split()[1])


def test_the_1mib_gzip_of_metadata_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    # 70 members of 15 MiB, each JSON-looking and under the 16 MiB metadata limit: 1 GiB held
    # before, 1 MiB on disk.
    bomb = write_archive(tmp_path / "bomb.tar.gz",
                         [(f"meta{i}.json", 15 << 20) for i in range(70)], gz=True)
    assert bomb.stat().st_size < 1_200_000
    outcome, seconds, grew = _measure(bomb)
    assert outcome == (f"refused: {bomb}: more than 64 MiB of image metadata (configs, and JSON "
                       "members before manifest.json); refusing the archive")
    assert seconds < 10, seconds
    assert grew < 200, f"peak memory grew by {grew} MiB"


def test_with_the_manifest_first_what_it_does_not_name_is_never_read(tmp_path: Path) -> None:
    members: list[tuple[str, bytes | int]] = [("manifest.json", MANIFEST), *image_members()]
    # 450 MiB of spaces (a 1 GiB one is refused as a bomb: the archive's ratio cap holds from
    # 512 MiB of output, test_outer_archive_bombs.py)
    members += [(f"meta{i}.json", 15 << 20) for i in range(30)]
    archive = write_archive(tmp_path / "first.tar.gz", members, gz=True)
    outcome, _seconds, grew = _measure(archive)
    assert outcome == "images 1"
    assert grew < 64, f"peak memory grew by {grew} MiB"


# --- the budget, at its edge -----------------------------------------------------------------

def test_json_members_before_the_manifest_are_held_up_to_the_budget(tmp_path: Path) -> None:
    # Under the budget, with the manifest last (as docker 20.10 writes it): read, and the junk
    # dropped; one member more and the archive is refused.
    each = 8 << 20
    fits = (MAX_SAVE_METADATA_BYTES - len(CONFIG) - 4096) // (each + 512)
    junk: list[tuple[str, bytes | int]] = [(f"junk{i}.json", each) for i in range(fits)]
    ok = write_archive(tmp_path / "ok.tar", [*image_members(), *junk, ("manifest.json", MANIFEST)])
    assert _names(load_archive(ok, Limits())) == ["t/app:1"]
    over = write_archive(tmp_path / "over.tar", [*image_members(), *junk, ("extra.json", each),
                                                  ("manifest.json", MANIFEST)])
    with pytest.raises(ImageError, match="more than 64 MiB of image metadata"):
        load_archive(over, Limits())


def test_a_flood_of_tiny_members_is_charged_per_member(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # One-byte JSON members cost memory as members, not as bytes: each is charged 512 bytes
    # more than its size. (At the real budget that is 130,000 members; a 1 MiB budget here
    # keeps the archive small: 2,100 members of 1 byte, 2 KB of data, charged 1.08 MiB.)
    monkeypatch.setattr(sources, "MAX_SAVE_METADATA_BYTES", 1 << 20)
    path = tmp_path / "tiny.tar"
    with tarfile.open(path, "w") as tf:
        for i in range(2100):
            info = tarfile.TarInfo(f"{i}.json")
            info.size = 1
            tf.addfile(info, io.BytesIO(b"{"))
    with pytest.raises(ImageError, match="more than 1 MiB of image metadata"):
        load_archive(path, Limits())


def test_configs_the_manifest_names_count_too(tmp_path: Path) -> None:
    # manifest.json first, naming five 15 MiB "configs": over the budget before they are read.
    names = [f"c{i}.json" for i in range(5)]
    manifest = json.dumps([{"Config": n, "Layers": []} for n in names]).encode()
    path = write_archive(tmp_path / "named.tar",
                         [("manifest.json", manifest), *((n, 15 << 20) for n in names)])
    with pytest.raises(ImageError, match="more than 64 MiB of image metadata"):
        load_archive(path, Limits())


# --- any order, every format docker writes ---------------------------------------------------

@pytest.mark.parametrize("order", ["manifest-last", "manifest-first", "manifest-between"])
def test_members_in_any_order(tmp_path: Path, order: str) -> None:
    members = image_members()
    extra = [("repositories", b'{"t/app": {"1": "x"}}'), ("abc/VERSION", b"1.0"),
             ("abc/json", b'{"id": "abc"}'), ("unnamed/layer.tar", layer_tar([M("junk", b"x")]))]
    at = {"manifest-last": len(members) + len(extra), "manifest-first": 0,
          "manifest-between": 1}[order]
    ordered = [*members, *extra]
    ordered.insert(at, ("manifest.json", MANIFEST))
    images = load_archive(write_archive(tmp_path / "a.tar", ordered), Limits())
    assert _names(images) == ["t/app:1"]
    assert sorted(images[0].files) == ["app/run", "etc/passwd"]


def test_linked_layers_and_the_oci_style_save(tmp_path: Path) -> None:
    # docker 20.10 links a layer it already wrote; docker 25+ writes an OCI layout with
    # manifest.json naming blobs (configs and gzip layers alike), before index.json.
    link = tarfile.TarInfo("second/layer.tar")
    link.type = tarfile.SYMTYPE
    link.linkname = "../" + LAYER_NAME
    config2 = json.dumps(config_for([LAYER, LAYER])).encode()
    manifest = json.dumps([{"Config": "c2.json", "Layers": [LAYER_NAME, "second/layer.tar"]}])
    path = tmp_path / "linked.tar"
    with tarfile.open(path, "w") as tf:
        for name, data in ((LAYER_NAME, LAYER), ("c2.json", config2)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        tf.addfile(link)
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tf.addfile(info, io.BytesIO(manifest.encode()))
    [image] = load_archive(path, Limits())
    assert [layer.diff_id for layer in image.layers] == [sha(LAYER), sha(LAYER)]

    oci_manifest, cfg, blobs = image_blobs([LAYER])
    blob_members = [(f"blobs/sha256/{d.split(':')[1]}", b) for d, b in blobs.items()]
    blob_members.append((f"blobs/sha256/{sha(oci_manifest).split(':')[1]}", oci_manifest))
    layer_digest = json.loads(oci_manifest)["layers"][0]["digest"]
    save_manifest = json.dumps([{"Config": f"blobs/sha256/{sha(cfg).split(':')[1]}",
                                 "RepoTags": ["t/oci:1"],
                                 "Layers": [f"blobs/sha256/{layer_digest.split(':')[1]}"]}])
    oci = write_archive(tmp_path / "oci.tar", [
        *blob_members, ("index.json", b'{"schemaVersion": 2, "manifests": []}'),
        ("manifest.json", save_manifest.encode()), ("oci-layout", b'{"imageLayoutVersion": "1"}')])
    [image] = load_archive(oci, Limits())
    assert image.ref.ref == "t/oci:1" and sorted(image.files) == ["app/run", "etc/passwd"]


def test_a_layer_that_starts_like_json(tmp_path: Path) -> None:
    # A layer whose first member is named "{...}" reads like JSON before the manifest names it.
    layer = layer_tar([M("{weird}", b"x"), M("etc/passwd", b"root:x:0:0::/root:/bin/sh\n")])
    assert layer[:1] == b"{"
    config = json.dumps(config_for([layer])).encode()
    manifest = json.dumps([{"Config": "c.json", "Layers": ["l/layer.tar"]}]).encode()
    for name, members in (
        ("last", [("l/layer.tar", layer), ("c.json", config), ("manifest.json", manifest)]),
        ("first", [("manifest.json", manifest), ("l/layer.tar", layer), ("c.json", config)]),
    ):
        [image] = load_archive(write_archive(tmp_path / f"{name}.tar", members), Limits())
        assert sorted(image.files) == ["etc/passwd", "{weird}"], name


def test_oversized_extended_headers_in_the_archive_are_refused(tmp_path: Path) -> None:
    # tarfile reads a pax header whole: the layer reader's 1 MiB cap holds for the archive too.
    path = tmp_path / "pax.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        info = tarfile.TarInfo("manifest.json")
        info.pax_headers = {"comment": "x" * (2 << 20)}
        info.size = len(MANIFEST)
        tf.addfile(info, io.BytesIO(MANIFEST))
    with pytest.raises(ImageError, match="oversized extended tar header"):
        load_archive(path, Limits())


def test_two_manifests_are_refused(tmp_path: Path) -> None:
    path = write_archive(tmp_path / "two.tar", [("manifest.json", MANIFEST), *image_members(),
                                                ("manifest.json", MANIFEST)])
    with pytest.raises(ImageError, match=r"more than one manifest\.json"):
        load_archive(path, Limits())
