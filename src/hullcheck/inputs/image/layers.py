"""Read one image layer as a stream and turn it into a file table, never writing anything.

Hostile layers are refused with one clear line (``ImageError``): names with ``..`` or absolute
paths, hard links or relative symlinks that leave the tree (Docker refuses those too), a layer that
decompresses to far more than its size (or than an absolute cap), a tar whose headers lie about
sizes, truncated gzip. Memory stays bounded: only small candidate files are read (for secrets), the
number of members is capped, and tarfile's member list is dropped as we go.
"""

from __future__ import annotations

import json
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from hullcheck.models.image import (
    BLOCK,
    CHAR,
    DIR,
    FIFO,
    FILE,
    HARDLINK,
    SYMLINK,
    FileEntry,
)

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
CHUNK = 1 << 20
# Output of one decompression step (gzip): bounds memory against decompression bombs.
OUT_CHUNK = 1 << 20
# Input slice per zstd step (its decompressor cannot bound output): 512 B expand to <= ~16 MiB.
ZSTD_SLICE = 512
TRUNCATED = "{what}: layer data ends before its last member (truncated or lying size)"


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


class ImageError(Exception):
    """An image (or one of its layers) that cannot be read safely: one line, what and where."""


@dataclass(frozen=True)
class Limits:
    # an absolute cap on what one layer may decompress to
    max_layer_bytes: int = 64 << 30
    # and a cap relative to its compressed size (a gzip of zeros reaches ~1000x)
    max_ratio: int = 200
    # the ratio only applies above this much output: small layers may compress very well
    ratio_floor: int = 512 << 20
    max_members: int = 2_000_000
    max_header_bytes: int = 1 << 20  # pax / GNU long-name headers
    max_sniff_bytes: int = 1 << 20  # candidate secret files read into memory at most this big
    max_json_bytes: int = 16 << 20  # manifests, configs


class CountingReader:
    """Wrap a raw stream: count bytes and optionally hash them (digest verification)."""

    def __init__(self, raw: Readable, hasher: Any = None) -> None:
        self.raw = raw
        self.count = 0
        self.hasher = hasher

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.count += len(data)
        if self.hasher is not None and data:
            self.hasher.update(data)
        return data


class DecompressingReader:
    """A file-like ``read`` over a gzip / zstd / plain tar stream with size bounds.

    Plain Python streams (``tarfile``'s own ``r|gz``) would silently accept a truncated gzip and
    have no cap on the output: this reader refuses both.
    """

    def __init__(self, raw: Readable, what: str, limits: Limits, compressed_size: int | None,
                 *, archive: bool = False):
        """``archive``: ``raw`` is a whole image archive (a ``docker save`` tar, maybe compressed
        as a file: gzip, zstd, bzip2 or xz), not a layer. The same ratio cap holds for its
        decompressed stream (above the same floor); there is no absolute cap, since an archive
        holds many layers, each capped on its own, and an uncompressed one is only ever read as
        far as it is long. Without ``compressed_size`` (a stream), the ratio is taken against
        the compressed bytes read so far."""
        self.raw = CountingReader(raw) if not isinstance(raw, CountingReader) else raw
        self.what = what
        self.limits = limits
        self.compressed_size = compressed_size
        self.archive = archive
        self.total_out = 0
        self._buf = b""
        self._pos = 0
        self._eof = False
        head = self.raw.read(4)
        self.head = head  # as read: an uncompressed archive is handed on with it put back
        self._pending = head
        self._zstd_input = b""
        self._decomp: Any = None
        self.kind = self._kind = "tar"
        noun = "archive" if archive else "layer"
        if head[:2] == b"\x1f\x8b":
            self._kind = "gzip"
            self._decomp = zlib.decompressobj(31)
        elif head == b"\x28\xb5\x2f\xfd":
            self._kind = "zstd"
            try:
                import zstandard
            except ImportError:
                raise ImageError(
                    f"{what}: zstd-compressed {noun}; install the 'zstandard' package to read it"
                ) from None
            self._decomp = zstandard.ZstdDecompressor().decompressobj()
        elif archive and head[:3] == b"BZh" and head[3:4].isdigit() and head[3:4] != b"0":
            self._kind = "bzip2"
            self._decomp = self._new_decompressor()
        elif archive and head == b"\xfd7zX":
            self._kind = "xz"
            self._decomp = self._new_decompressor()
        elif head[:3] == b"BZh" or head[:6] == b"\xfd7zXZ\x00"[:4]:
            raise ImageError(f"{what}: unsupported layer compression (bzip2/xz)")
        self.kind = self._kind

    def _new_decompressor(self) -> Any:
        if self._kind == "bzip2":
            import bz2

            return bz2.BZ2Decompressor()
        import lzma

        return lzma.LZMADecompressor()

    def _limit(self) -> int | None:
        """What the output may reach now; None: no cap (an uncompressed archive)."""
        if self.archive:
            if self._decomp is None:
                return None
            base = self.compressed_size or self.raw.count
            return max(self.limits.ratio_floor, base * self.limits.max_ratio)
        cap = self.limits.max_layer_bytes
        if self.compressed_size:
            cap = min(
                cap, max(self.limits.ratio_floor, self.compressed_size * self.limits.max_ratio)
            )
        return cap

    def _account(self, n: int) -> None:
        self.total_out += n
        limit = self._limit()
        if limit is not None and self.total_out > limit:
            noun = "archive" if self.archive else "layer"
            compressed = self.compressed_size or (self.raw.count if self.archive else 0)
            raise ImageError(
                f"{self.what}: {noun} decompresses to more than {limit >> 20} MiB"
                f" from {compressed >> 10} KiB (decompression bomb?)"
            )

    def _fill(self, want: int) -> None:
        while len(self._buf) - self._pos < want and not self._eof:
            if self._decomp is None:
                data = self._next_input()
                if not data:
                    self._eof = True
                    break
                self._append(data)
                continue
            try:
                out = self._decompress_step()
            except zlib.error as exc:
                raise ImageError(f"{self.what}: corrupt gzip data ({exc})") from None
            except ImageError:
                raise
            except Exception as exc:  # zstandard's ZstdError
                raise ImageError(f"{self.what}: corrupt {self._kind} data ({exc})") from None
            if out is None:
                self._finish_compressed()
                break
            self._account(len(out))
            self._append(out)

    def _next_input(self) -> bytes:
        data = self._pending or self.raw.read(CHUNK)
        self._pending = b""
        return data

    def _decompress_step(self) -> bytes | None:
        """The next piece of output, never more than about ``OUT_CHUNK`` bytes however much the
        input expands (a 1 MiB gzip of zeros is 1 GiB: the size cap must hold *before* memory is
        spent, not after); None at the end of the input."""
        d = self._decomp
        if self._kind in ("bzip2", "xz"):
            # both decompressors bound their output per call (max_length) and keep the rest
            if d.eof:
                # several streams back to back (pbzip2 writes many)
                rest = d.unused_data or self._next_input()
                if not rest:
                    return None
                self._decomp = d = self._new_decompressor()
                data = rest
            elif d.needs_input:
                data = self._next_input()
                if not data:
                    return None
            else:
                data = b""
            produced: bytes = d.decompress(data, OUT_CHUNK)
            return produced
        if self._kind == "gzip":
            if d.eof:
                # Several gzip members back to back: start the next one. The end of a member
                # is looked at first: when a member ends on the very step that fills
                # OUT_CHUNK, CPython leaves unconsumed_tail holding a stale copy of
                # unused_data, and feeding that to the finished decompressor only appends it
                # to unused_data again, forever (a loop that grew memory without end).
                data = d.unused_data or self._next_input()
                if not data:
                    return None
                self._decomp = d = zlib.decompressobj(31)
            elif d.unconsumed_tail:
                data = d.unconsumed_tail
            else:
                data = self._next_input()
                if not data:
                    return None
            out: bytes = d.decompress(data, OUT_CHUNK)
            return out
        # zstd: its decompressor has no output bound, so feed it small slices of input (zstd
        # expands at most ~32,000:1, so a slice yields at most ~16 MiB).
        if d.eof:
            # Several frames back to back (zstd:chunked layers are made of many).
            rest = d.unused_data + self._zstd_input
            if not rest:
                rest = self._next_input()
                if not rest:
                    return None
            import zstandard

            self._decomp = d = zstandard.ZstdDecompressor().decompressobj()
            self._zstd_input = rest
        if not self._zstd_input:
            self._zstd_input = self._next_input()
            if not self._zstd_input:
                return None
        piece, self._zstd_input = self._zstd_input[:ZSTD_SLICE], self._zstd_input[ZSTD_SLICE:]
        out = d.decompress(piece)
        return out

    def _append(self, data: bytes) -> None:
        # keep one buffer and a read position: slicing the whole buffer on every small read
        # would copy megabytes per tar header
        if self._pos:
            self._buf = self._buf[self._pos :] + data
            self._pos = 0
        else:
            self._buf += data

    def _finish_compressed(self) -> None:
        self._eof = True
        if self._decomp is not None and not self._decomp.eof:
            raise ImageError(f"{self.what}: truncated {self._kind} stream")

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = CHUNK
        if len(self._buf) - self._pos < n:
            self._fill(n)
        out = self._buf[self._pos : self._pos + n]
        self._pos += len(out)
        if self._decomp is None:
            self._account(len(out))
        return out

    def drain_is_zero(self) -> bool:
        """Read to the end; True when everything left is NUL padding."""
        while True:
            data = self.read(CHUNK)
            if not data:
                return True
            if data.count(0) != len(data):
                return False


def _strict_tarinfo(limits: Limits, what: str) -> type[tarfile.TarInfo]:
    """A TarInfo that refuses what tarfile silently treats as the end of the archive."""

    class StrictTarInfo(tarfile.TarInfo):
        @classmethod
        def frombuf(cls, buf: Any, encoding: str, errors: str) -> Any:
            try:
                return super().frombuf(buf, encoding, errors)
            except tarfile.EOFHeaderError:  # type: ignore[attr-defined]
                raise
            except tarfile.EmptyHeaderError:  # type: ignore[attr-defined]
                raise
            except tarfile.TruncatedHeaderError:  # type: ignore[attr-defined]
                raise ImageError(f"{what}: tar stream ends inside a header (truncated)") from None
            except tarfile.HeaderError as exc:
                raise ImageError(
                    f"{what}: invalid tar header ({exc}): a member lies about its size,"
                    " or the layer is corrupt"
                ) from None

        def _proc_member(self, tf: tarfile.TarFile) -> Any:
            if (
                self.type in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK)
                or self.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE)
            ) and self.size > limits.max_header_bytes:
                raise ImageError(f"{what}: oversized extended tar header ({self.size} bytes)")
            return super()._proc_member(tf)  # type: ignore[misc]

    return StrictTarInfo


@dataclass
class LayerTable:
    """What one layer adds and removes. Resolved against the layers below at the end."""

    what: str
    entries: dict[str, FileEntry] = field(default_factory=dict)
    whiteouts: set[str] = field(default_factory=set)
    opaque: set[str] = field(default_factory=set)
    secrets: list[FileEntry] = field(default_factory=list)
    members: int = 0
    uncompressed: int = 0


def _clean(name: str, what: str, member: str) -> str:
    if name.startswith("/"):
        raise ImageError(f"{what}: member {member!r} has an absolute path")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ImageError(f"{what}: member {member!r} has '..' in its path")
    return "/".join(parts)


def _check_symlink(path: str, target: str, what: str) -> None:
    if target.startswith("/"):
        return  # resolved against the container's root at run time
    depth = path.count("/")  # components of the parent directory
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise ImageError(f"{what}: symlink {path!r} -> {target!r} points outside the image")
        elif part not in ("", "."):
            depth += 1


def scan_layer(
    raw: Readable,
    what: str,
    layer_id: str,
    limits: Limits,
    compressed_size: int | None = None,
    sniff: Callable[[str], str | None] | None = None,
) -> LayerTable:
    """Read one layer blob (compressed or not) from ``raw`` to its end."""
    from hullcheck.inputs.image import secrets

    sniffer = sniff or secrets.candidate
    reader = DecompressingReader(raw, what, limits, compressed_size)
    table = LayerTable(what=what)
    try:
        tf = tarfile.open(  # noqa: SIM115 - closed with the stream, read to its end here
            fileobj=reader,  # type: ignore[call-overload]
            mode="r|",
            tarinfo=_strict_tarinfo(limits, what),
            errorlevel=2,
        )
    except tarfile.ReadError as exc:
        if reader.total_out == 0:
            return table  # an empty layer blob
        raise ImageError(f"{what}: not a tar layer ({exc})") from None
    try:
        while True:
            member = tf.next()
            if member is None:
                break
            tf.members.clear()  # keep memory flat: we hold our own table
            table.members += 1
            if table.members > limits.max_members:
                raise ImageError(f"{what}: more than {limits.max_members} members in one layer")
            _add_member(tf, member, table, what, layer_id, limits, sniffer)
        end = tf.offset
    except (tarfile.TarError, EOFError, OSError) as exc:
        if "unexpected end of data" in str(exc):
            raise ImageError(TRUNCATED.format(what=what)) from None
        raise ImageError(f"{what}: unreadable layer ({exc})") from None
    if reader.total_out < end:
        raise ImageError(TRUNCATED.format(what=what))
    if not reader.drain_is_zero():
        raise ImageError(f"{what}: data after the end of the tar (a member lies about its size?)")
    table.uncompressed = reader.total_out
    return table


def _add_member(
    tf: tarfile.TarFile,
    m: tarfile.TarInfo,
    table: LayerTable,
    what: str,
    layer_id: str,
    limits: Limits,
    sniffer: Callable[[str], str | None],
) -> None:
    path = _clean(m.name, what, m.name)
    if not path:
        return
    base = posixpath.basename(path)
    if base.startswith(WHITEOUT_PREFIX):
        parent = posixpath.dirname(path)
        if base == OPAQUE_MARKER:
            table.opaque.add(parent)
        else:
            name = base[len(WHITEOUT_PREFIX) :]
            table.whiteouts.add(f"{parent}/{name}" if parent else name)
        return
    linkname = ""
    if m.isreg():
        kind = FILE
    elif m.isdir():
        kind = DIR
    elif m.issym():
        kind = SYMLINK
        linkname = m.linkname
        _check_symlink(path, linkname, what)
    elif m.islnk():
        kind = HARDLINK
        linkname = _clean(m.linkname, what, f"{m.name} -> {m.linkname}")
    elif m.ischr():
        kind = CHAR
    elif m.isblk():
        kind = BLOCK
    elif m.isfifo():
        kind = FIFO
    else:
        kind = FILE
    entry = FileEntry(path, kind, m.mode, m.size, layer_id, m.uid, m.gid, linkname)
    if kind == FILE:
        category = sniffer(path)
        if category is not None and m.size <= limits.max_sniff_bytes:
            fh = tf.extractfile(m)
            data = fh.read() if fh is not None else b""
            from hullcheck.inputs.image import secrets

            entry.secret = secrets.confirm(category, path, data)
            if entry.secret:
                table.secrets.append(entry)
    table.entries[path] = entry


def resolve(tables: list[LayerTable]) -> dict[str, FileEntry]:
    """Apply the layers in order (whiteouts and opaque directories) into the final view."""
    final: dict[str, FileEntry] = {}
    for t in tables:
        if t.whiteouts or t.opaque:
            gone = t.whiteouts
            opaque = t.opaque

            def removed(p: str, gone: set[str] = gone, opaque: set[str] = opaque) -> bool:
                if p in gone:
                    return True
                i = p.rfind("/")
                while i > 0:
                    parent = p[:i]
                    if parent in gone or parent in opaque:
                        return True
                    i = p.rfind("/", 0, i)
                return "" in opaque

            final = {p: e for p, e in final.items() if not removed(p)}
        final.update(t.entries)
    return final


def read_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ImageError(f"{what}: invalid JSON ({exc})") from None


DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
