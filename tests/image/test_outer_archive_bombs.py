"""A compressed image archive (``docker save | gzip`` and the like) is decompressed under the same
ratio cap as a layer: ``Limits.max_ratio`` (200x) once past ``Limits.ratio_floor`` (512 MiB of
output), against the file's size. tarfile's own ``r|*`` had no cap: a member hullcheck does not
keep (``repositories``) was read through to its end however far it expanded.

Bounds asserted: each bomb (about 1-2 GiB of zeros in a file of 3 KB to 1 MiB) is refused in one
line, exit 2, in under 60 s, with the peak RSS growing by under 100 MiB (measured: ~1-3 s,
~2 MiB). An uncompressed archive has no such cap (it is read only as far as it is long): a
1 GiB one reads. Compressed archives of a real image read as before, in all four formats."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from image_builders import M, layer_tar, write_docker_save

from bounded import bounded_run
from hullcheck.inputs.image.layers import ImageError, Limits
from hullcheck.inputs.image.sources import load_archive, read_save_stream

MiB = 1 << 20
LAYER = layer_tar([M("etc/passwd", b"root:x:0:0::/root:/bin/sh\n"), M("app/run", b"x", mode=0o755)])


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=19).compress(data)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: gzip.compress(data, 9),
    "bzip2": bz2.compress,
    "xz": lambda data: lzma.compress(data, preset=9),
    "zstd": _zstd,
}


def _archive_head(tmp_path: Path) -> bytes:
    """A whole docker save archive without its end-of-archive blocks (the bomb goes on)."""
    plain = write_docker_save(tmp_path / "img.tar", [LAYER], manifest_last=False).read_bytes()
    return plain.rstrip(b"\0")  # the last member (a JSON config) ends in "}"; callers pad


def write_bomb(tmp_path: Path, kind: str, total: int) -> Path:
    """``kind``-compressed: a real docker save archive, then a ``repositories`` member (a member
    hullcheck never keeps, only reads through) of ``total`` zero bytes. The compressed stream is
    one stream per 64 MiB of zeros, back to back (as pbzip2 and pigz --independent write), so
    a gigabyte costs one compression of 64 MiB."""
    head = bytearray(_archive_head(tmp_path))
    head += b"\0" * (-len(head) % 512)
    chunk = 64 * MiB
    assert total % chunk == 0
    info = tarfile.TarInfo("repositories")
    info.size = total - 1024  # the last 1024 zeros are the end-of-archive blocks
    compress = COMPRESSORS[kind]
    zeros = compress(b"\0" * chunk)
    path = tmp_path / f"bomb.tar.{kind}"
    with path.open("wb") as out:
        out.write(compress(bytes(head) + info.tobuf()))
        for _ in range(total // chunk):
            out.write(zeros)
    return path


@pytest.mark.parametrize("kind", ["gzip", "bzip2", "xz", "zstd"])
def test_a_compressed_archive_bomb_is_refused_early(tmp_path: Path, kind: str) -> None:
    limits = Limits()
    assert (limits.max_ratio, limits.ratio_floor) == (200, 512 * MiB)
    bomb = write_bomb(tmp_path, kind, 2048 * MiB)
    size = bomb.stat().st_size
    assert size * 200 < 512 * MiB  # the floor is the cap here
    result = bounded_run(tmp_path, "image", str(bomb))
    assert result["code"] == 2
    assert result["err"].splitlines() == [
        # the CLI names the input once, then the archive's own error
        f"hullcheck: error: {bomb}: archive decompresses to more than 512 MiB from"
        f" {size >> 10} KiB (decompression bomb?)"
    ]
    assert result["seconds"] < 60, result
    assert result["grew_mib"] < 100, result


def test_the_ratio_scales_with_the_archive(tmp_path: Path) -> None:
    """Past the floor the cap is 200x the file: a 4 MiB gzip may give 800 MiB, not more."""
    limits = Limits(ratio_floor=MiB)  # a small floor, to see the ratio itself
    bomb = write_bomb(tmp_path, "gzip", 1024 * MiB)  # ~1 MiB on disk: 200x is ~200 MiB
    size = bomb.stat().st_size
    with pytest.raises(ImageError) as caught:
        load_archive(bomb, limits)
    assert str(caught.value) == (
        f"{bomb}: archive decompresses to more than {size * 200 >> 20} MiB from {size >> 10} KiB"
        " (decompression bomb?)"
    )


def test_a_stream_is_judged_against_what_was_read(tmp_path: Path) -> None:
    """Without a file size (the archive as a stream), the ratio is taken against the
    compressed bytes read so far."""
    bomb = write_bomb(tmp_path, "bzip2", 1024 * MiB).read_bytes()
    with pytest.raises(ImageError, match=r"^stream: archive decompresses to more than 512 MiB"
                       r" from \d+ KiB \(decompression bomb\?\)$"):
        read_save_stream(io.BytesIO(bomb), "stream", Limits(), "archive", None)


@pytest.mark.parametrize("kind", ["gzip", "bzip2", "xz", "zstd"])
def test_compressed_archives_still_read(tmp_path: Path, kind: str) -> None:
    plain = write_docker_save(tmp_path / "img.tar", [LAYER]).read_bytes()
    packed = tmp_path / f"img.tar.{kind}"
    packed.write_bytes(COMPRESSORS[kind](plain))
    images = load_archive(packed, Limits())
    assert [i.ref.ref for i in images] == ["t/app:1"]
    assert sorted(images[0].files) == ["app/run", "etc/passwd"]


def test_a_truncated_compressed_archive_is_one_line(tmp_path: Path) -> None:
    plain = write_docker_save(tmp_path / "img.tar", [LAYER]).read_bytes()
    cut = tmp_path / "img.tar.gz"
    cut.write_bytes(gzip.compress(plain)[:-40])
    with pytest.raises(ImageError) as caught:
        load_archive(cut, Limits())
    assert str(caught.value) in (f"{cut}: truncated gzip stream",
                                 f"{cut}: not a readable image archive (unexpected end of data)")


def test_an_uncompressed_archive_has_no_ratio_cap(tmp_path: Path) -> None:
    """1 GiB of a plain archive (a sparse file: no disk) is more than the floor, and reads."""
    head = bytearray(_archive_head(tmp_path))
    head += b"\0" * (-len(head) % 512)
    info = tarfile.TarInfo("repositories")
    info.size = 1024 * MiB
    path = tmp_path / "big.tar"
    with path.open("wb") as out:
        out.write(bytes(head) + info.tobuf())
        out.truncate(len(head) + 512 + info.size + 1024)  # the zeros, and the end blocks
    images = load_archive(path, Limits())
    assert [i.ref.ref for i in images] == ["t/app:1"]
