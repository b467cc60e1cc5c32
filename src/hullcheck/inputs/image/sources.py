"""Where images come from: the local engine, a ``docker save`` tarball, an OCI layout directory,
or a registry. Each source reads every layer once as a stream and hands the pieces to
``assemble``, which builds the same ``Image`` model whatever the source.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform as host_platform
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullcheck.findings import ImageRef
from hullcheck.inputs.image.layers import (
    CountingReader,
    DecompressingReader,
    ImageError,
    LayerTable,
    Limits,
    Readable,
    _strict_tarinfo,
    read_json,
    resolve,
    scan_layer,
)
from hullcheck.models.image import HistoryEntry, Image, ImageConfig, Layer

INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
# An index may list indexes (OCI allows it; buildx makes one level): this many levels at most.
MAX_INDEX_DEPTH = 4


@dataclass
class SourceOptions:
    remote: bool = False
    platform: str | None = None
    limits: Limits = field(default_factory=Limits)
    registry: Any = None  # hullcheck.trust.registry.RegistryOptions
    docker_client: Any = None  # a docker.APIClient, made on demand


def host_platform_name() -> str:
    machine = host_platform.machine().lower()
    arch = {
        "x86_64": "amd64",
        "amd64": "amd64",
        "aarch64": "arm64",
        "arm64": "arm64",
        "armv7l": "arm/v7",
        "ppc64le": "ppc64le",
        "s390x": "s390x",
    }.get(machine, machine)
    return f"linux/{arch}"


def pick_platform(
    index: dict[str, Any], wanted: str | None, what: str
) -> tuple[dict[str, Any], str]:
    """The manifest descriptor for ``wanted`` (default: the host's) and a note saying so."""
    target = wanted or host_platform_name()
    listed = index.get("manifests")
    manifests = [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []
    available: list[str] = []
    for m in manifests:
        p = m.get("platform") or {}
        if not isinstance(p, dict) or p.get("os") == "unknown":
            continue  # attestation manifests
        name = _platform_name(p)
        available.append(name)
        if name == target or (target.count("/") == 1 and name.startswith(target + "/")):
            return m, f"{what}: multi-platform index, picked {name} (of {len(manifests)})"
    raise ImageError(
        f"{what}: no manifest for platform {target} (available: {', '.join(available) or 'none'})"
    )


def _platform_name(p: dict[str, Any]) -> str:
    return f"{p.get('os')}/{p.get('architecture')}" + (
        f"/{p['variant']}" if p.get("variant") else ""
    )


def follow_index(
    doc: dict[str, Any], wanted: str | None, what: str, fetch: Callable[[str], dict[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """The image manifest ``doc`` leads to for platform ``wanted``: ``doc`` itself, or through
    at most MAX_INDEX_DEPTH levels of indexes. Each child is fetched by its digest, which must
    be a well-formed sha256 digest (``fetch`` checks the content against it): an entry naming a
    tag ("latest") would fetch the index again, without end."""
    from hullcheck.trust.registry import is_digest

    notes: list[str] = []
    while doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
        if len(notes) == MAX_INDEX_DEPTH:
            raise ImageError(f"{what}: image indexes nested more than {MAX_INDEX_DEPTH} deep")
        picked, note = pick_platform(doc, wanted, what)
        notes.append(note)
        child = picked.get("digest")
        if not is_digest(child):
            shown = repr(child) if len(repr(child)) <= 80 else repr(child)[:80] + "..."
            raise ImageError(
                f"{what}: the index entry for {_platform_name(picked['platform'])} has digest"
                f" {shown}, not sha256:<64 hex digits>"
            )
        doc = fetch(str(child))
    return doc, notes


def _descriptor_digest(doc: dict[str, Any], key: str, what: str) -> str:
    """The digest of the manifest's ``key`` descriptor, well-formed or an ImageError."""
    from hullcheck.trust.registry import is_digest

    desc = doc.get(key)
    digest = desc.get("digest") if isinstance(desc, dict) else None
    if not is_digest(digest):
        raise ImageError(f"{what}: the manifest's {key} has no sha256 digest")
    return str(digest)


def _layer_descriptors(doc: dict[str, Any], what: str) -> list[tuple[str, int | None]]:
    """(digest, size) of each layer the manifest lists, each well-formed or an ImageError."""
    from hullcheck.trust.registry import is_digest

    layers = doc.get("layers") or []
    if not isinstance(layers, list):
        raise ImageError(f"{what}: the manifest's layers are not a list")
    out: list[tuple[str, int | None]] = []
    for i, layer in enumerate(layers):
        digest = layer.get("digest") if isinstance(layer, dict) else None
        if not is_digest(digest):
            raise ImageError(f"{what}: layer {i} of the manifest has no sha256 digest")
        size = layer.get("size")
        ok = isinstance(size, int) and not isinstance(size, bool) and size >= 0
        out.append((str(digest), size if ok else None))
    return out


def assemble(
    ref: ImageRef,
    source: str,
    config_doc: Any,
    tables: list[LayerTable],
    requested: str | None,
    notes: list[str],
) -> Image:
    what = ref.ref
    if not isinstance(config_doc, dict):
        raise ImageError(f"{what}: image config is not a JSON object")
    rootfs = config_doc.get("rootfs") or {}
    diff_ids = [str(d) for d in (rootfs.get("diff_ids") or [])] if isinstance(rootfs, dict) else []
    if len(diff_ids) != len(tables):
        raise ImageError(
            f"{what}: config lists {len(diff_ids)} layers but the manifest has {len(tables)}"
        )
    history: list[HistoryEntry] = []
    non_empty = iter(diff_ids)
    for h in config_doc.get("history") or []:
        if not isinstance(h, dict):
            continue
        empty = bool(h.get("empty_layer"))
        history.append(
            HistoryEntry(
                str(h.get("created_by") or ""), empty, None if empty else next(non_empty, None)
            )
        )
    created_by = {h.layer: h.created_by for h in history if h.layer}
    layers = [Layer(d, i, created_by.get(d, "")) for i, d in enumerate(diff_ids)]
    secrets = []
    for table, diff_id in zip(tables, diff_ids, strict=True):
        for entry in table.entries.values():
            entry.layer = diff_id
        secrets.extend(table.secrets)
    config = ImageConfig.from_json(config_doc)
    plat = f"{config.os}/{config.architecture}" + (f"/{config.variant}" if config.variant else "")
    return Image(
        ref=ref,
        source=source,
        config=config,
        history=history,
        layers=layers,
        files=resolve(tables),
        secrets=secrets,
        requested=requested,
        platform=plat,
        notes=notes,
    )


# --- docker save tarballs (also what the Engine API streams) --------------------------------


class _Chain:
    """Put back bytes already read in front of a stream."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self.head = head
        self.rest = rest

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n is None or n < 0 or n >= len(self.head):
                out, self.head = self.head, b""
                more = self.rest.read(n - len(out) if n and n > 0 else -1)
                return out + more
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.rest.read(n)


# What one docker save archive's metadata may hold in memory at once: the image configs and,
# until manifest.json is read (docker save writes it last, or after the blobs), every member
# that may be one. Each is charged its size plus a tar block, so a flood of tiny members is
# bounded too. Real archives hold kilobytes to a few MB (a config is ~5-50 KB).
MAX_SAVE_METADATA_BYTES = 64 << 20
# Members docker save writes that hullcheck never reads.
_UNREAD = frozenset({"repositories", "index.json", "oci-layout"})


class _SaveArchive:
    """The members of one docker save archive worth keeping, and what its manifest names.

    Before manifest.json: every JSON member (a possible config) is held against
    MAX_SAVE_METADATA_BYTES and every other member that may be a layer is scanned. Once it is
    read: what it does not name is dropped, and later members it does not name are not read.
    """

    def __init__(self, what: str, limits: Limits) -> None:
        self.what = what
        self.limits = limits
        self.jsons: dict[str, bytes] = {}
        self.tables: dict[str, LayerTable] = {}
        self.aliases: dict[str, str] = {}
        self.held = 0
        self.manifest: list[dict[str, Any]] | None = None
        self.configs: set[str] = set()
        self.layers: set[str] = set()  # as named, and what their links point to

    def named(self, name: str) -> bool:
        return self.manifest is None or name in self.configs or name in self.layers

    def charge(self, n: int) -> None:
        self.held += n + 512
        if self.held > MAX_SAVE_METADATA_BYTES:
            raise ImageError(
                f"{self.what}: more than {MAX_SAVE_METADATA_BYTES >> 20} MiB of image metadata"
                " (configs, and JSON members before manifest.json); refusing the archive"
            )

    def alias(self, name: str, target: str) -> None:
        if self.manifest is not None:
            if name not in self.layers:
                return
            self.layers.add(target)
        self.charge(len(name) + len(target))
        self.aliases[name] = target

    def hold(self, name: str, data: bytes) -> None:
        old = self.jsons.get(name)
        if old is not None:
            self.held -= len(old) + 512
        self.charge(len(data))
        self.jsons[name] = data

    def read_manifest(self, data: bytes) -> None:
        if self.manifest is not None:
            raise ImageError(f"{self.what}: more than one manifest.json")
        manifest = read_json(data, f"{self.what}: manifest.json")
        if not isinstance(manifest, list) or not manifest:
            raise ImageError(f"{self.what}: manifest.json lists no image")
        self.manifest = [e for e in manifest if isinstance(e, dict)]
        for entry in self.manifest:
            self.configs.add(str(entry.get("Config", "")))
            for lname in entry.get("Layers") or []:
                self.layers.add(str(lname))
                self.layers.add(self.aliases.get(str(lname), str(lname)))
        # Drop what was kept in case the manifest named it, and it does not.
        for name in [n for n in self.jsons if n not in self.configs and n not in self.layers]:
            self.held -= len(self.jsons.pop(name)) + 512
        self.tables = {n: t for n, t in self.tables.items() if n in self.layers}
        self.aliases = {n: t for n, t in self.aliases.items() if n in self.layers}

    def layer_table(self, name: str) -> LayerTable:
        lname = self.aliases.get(name, name)
        if lname in self.tables:
            return self.tables[lname]
        if lname in self.jsons:  # a layer whose first member's name starts with "{"
            data = self.jsons[lname]
            return scan_layer(io.BytesIO(data), f"{self.what}: layer {lname}", lname,
                              self.limits, compressed_size=len(data))
        raise ImageError(f"{self.what}: layer {lname} missing from the archive")


def read_save_stream(
    stream: Readable,
    what: str,
    limits: Limits,
    source: str,
    requested: str | None,
    ref_for: Any = None,
    compressed_size: int | None = None,
) -> list[Image]:
    """Read a ``docker save`` archive from a stream, in one pass: only what its manifest.json
    names is kept (see ``_SaveArchive``), and the metadata held is bounded in total.

    A compressed archive (``docker save | gzip``; zstd, bzip2 and xz too) is decompressed by the
    layers' own bounded reader, under the same ratio cap as a layer (``Limits.max_ratio`` above
    ``Limits.ratio_floor``) against ``compressed_size`` (the file's size) or, for a stream, the
    bytes read so far. tarfile's own ``r|*`` has no cap at all, and inflates each 10 KB it reads
    at once (a bzip2 stream of zeros: gigabytes in one call)."""
    archive = _SaveArchive(what, limits)
    reader = DecompressingReader(stream, what, limits, compressed_size, archive=True)
    # an uncompressed archive is read as it is, the bytes sniffed put back (one copy less)
    body: Readable = reader if reader.kind != "tar" else _Chain(reader.head, stream)
    try:
        outer = tarfile.open(  # type: ignore[call-overload]  # noqa: SIM115
            fileobj=body, mode="r|", tarinfo=_strict_tarinfo(limits, what)
        )
        for member in outer:
            outer.members.clear()
            _read_save_member(outer, member, archive)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ImageError(f"{what}: not a readable image archive ({exc})") from None
    if archive.manifest is None:
        raise ImageError(f"{what}: no manifest.json (not a docker save archive)")
    images: list[Image] = []
    for entry in archive.manifest:
        config_name = str(entry.get("Config", ""))
        if config_name not in archive.jsons:
            raise ImageError(f"{what}: config {config_name} missing from the archive")
        config_bytes = archive.jsons[config_name]
        layer_tables = [archive.layer_table(str(n)) for n in entry.get("Layers") or []]
        tags = [str(t) for t in entry.get("RepoTags") or []]
        image_id = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        ref = ref_for(tags, image_id) if ref_for else ImageRef(tags[0] if tags else what, image_id)
        image = assemble(
            ref,
            source,
            read_json(config_bytes, f"{what}: {config_name}"),
            layer_tables,
            requested,
            [],
        )
        image.named = tags[0] if tags else None
        images.append(image)
    return images


def _read_save_member(outer: tarfile.TarFile, member: tarfile.TarInfo,
                      archive: _SaveArchive) -> None:
    what, limits = archive.what, archive.limits
    name = member.name.lstrip("./") if member.name.startswith("./") else member.name
    if member.issym() or member.islnk():
        target = member.linkname
        if member.issym():
            import posixpath

            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
        archive.alias(name, target)
        return
    if not member.isreg():
        return
    fh = outer.extractfile(member)
    if fh is None:
        return
    if name in _UNREAD or not (name == "manifest.json" or archive.named(name)):
        # Not kept: read through in large pieces (tarfile's own skip of a compressed stream
        # goes 10 KB at a time, copying its buffer each time: minutes for a 1 MiB gzip).
        while fh.read(1 << 20):
            pass
        return
    if name == "manifest.json":
        if member.size > limits.max_json_bytes:
            raise ImageError(f"{what}: manifest.json is too large for image metadata")
        archive.read_manifest(fh.read())
        return
    body: Readable = fh
    may_be_layer = name.endswith(".tar") or name.startswith("blobs/")
    if archive.manifest is not None:
        is_layer = name in archive.layers  # else a config it names
    else:
        # Before the manifest, by content: a config is JSON, a layer a (compressed) tar.
        head = fh.read(1)
        body = _Chain(head, fh)
        is_layer = head != b"{"
        if (is_layer or member.size > limits.max_json_bytes) and not may_be_layer:
            while body.read(1 << 20):  # VERSION, legacy per-layer json...: nothing to keep
                pass
            return
        # Too large for a config: a layer whose first member's name starts with "{".
        is_layer = is_layer or member.size > limits.max_json_bytes
    if is_layer:
        archive.tables[name] = scan_layer(
            body, f"{what}: layer {name}", name, limits, compressed_size=member.size
        )
    elif member.size > limits.max_json_bytes:
        raise ImageError(f"{what}: {name} is too large for image metadata")
    else:
        archive.hold(name, body.read(-1))


def load_archive(path: Path, limits: Limits) -> list[Image]:
    import os

    from hullcheck import progress

    with path.open("rb") as fh, progress.task(
        f"reading {path}", os.fstat(fh.fileno()).st_size, "bytes"
    ) as job:
        stream: Readable = fh if job is None else progress.Reading(fh, job)
        return read_save_stream(stream, str(path), limits, "archive", None,
                                compressed_size=os.fstat(fh.fileno()).st_size)


# --- OCI image layout directories ------------------------------------------------------------


IMAGE_CONFIG_TYPES = (
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
)
# what signature tools store as layers: cosign simple-signing, DSSE (.att), Sigstore bundles,
# Notation envelopes
_SIGNATURE_LAYERS = (
    "application/vnd.dev.cosign.simplesigning.v1+json",
    "application/vnd.dsse.envelope.v1+json",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.2+json",
    "application/jose+json",
    "application/cose",
)


def _is_attached(doc: dict[str, Any]) -> bool:
    """A manifest that is attached to an image (a signature, attestation or other referrer),
    not an image: it has a ``subject``, an artifact type, a config that is no image config, or
    only signature layers."""
    if "subject" in doc or doc.get("artifactType"):
        return True
    if doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
        return False
    config = doc.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    if config_type is not None and config_type not in IMAGE_CONFIG_TYPES:
        return True
    layers = [la for la in doc.get("layers") or [] if isinstance(la, dict)]
    return bool(layers) and all(la.get("mediaType") in _SIGNATURE_LAYERS for la in layers)


def load_oci_layout(path: Path, ref_name: str | None, opts: SourceOptions) -> list[Image]:
    """Every image the layout's ``index.json`` lists (or the one named ``ref_name``); what is
    attached to an image (signatures, attestations, referrers: ``cosign save`` keeps them beside
    the image) is not an image and is left to the signature check."""
    from hullcheck.trust.oci_layout import REF_NAME, entry_role

    what = str(path)
    index = _read_layout_json(path / "index.json", what)
    manifests = [m for m in index.get("manifests") or [] if isinstance(m, dict)]
    if ref_name:
        manifests = [
            m
            for m in manifests
            if (m.get("annotations") or {}).get(REF_NAME) == ref_name
        ]
        if not manifests:
            raise ImageError(f"{what}: no image named {ref_name!r} in the layout")
    images = []
    for desc in manifests:
        if entry_role(desc) is not None:
            continue
        top_digest = str(desc.get("digest"))
        doc = _read_blob_json(path, top_digest, what)
        if _is_attached(doc):
            continue
        doc, notes = follow_index(
            doc, opts.platform, what, lambda digest: _read_blob_json(path, digest, what)
        )
        name = (desc.get("annotations") or {}).get(REF_NAME)
        ref = ImageRef(f"{what}:{name}" if name else what, top_digest)
        config = _read_blob_json(path, _descriptor_digest(doc, "config", what), what)
        tables = _read_layout_layers(path, _layer_descriptors(doc, what), what, opts.limits)
        image = assemble(ref, "oci-layout", config, tables, None, notes)
        image.manifest_digest = top_digest  # what a signature in the layout signs
        image.named = str(name) if name else None
        images.append(image)
    if not images:
        raise ImageError(f"{what}: the layout holds no image (only signatures or other"
                         " artifacts)")
    return images


def _read_layout_layers(path: Path, descriptors: list[tuple[str, int | None]], what: str,
                        limits: Limits) -> list[LayerTable]:
    """Each layer blob of one image in the layout, read and checked against its digest."""
    from hullcheck import progress

    blobs = [(digest, _blob_path(path, digest, what)) for digest, _size in descriptors]
    sizes = [blob.stat().st_size for _digest, blob in blobs]
    tables = []
    with progress.task(f"reading {what}", sum(sizes), "bytes") as job:
        for i, ((digest, blob), size) in enumerate(zip(blobs, sizes, strict=True)):
            if job is not None:
                job.update(description=f"reading {what}: layer {i + 1}/{len(blobs)}")
            with blob.open("rb") as fh:
                hasher = hashlib.sha256()
                raw: Readable = fh if job is None else progress.Reading(fh, job)
                tables.append(
                    scan_layer(
                        CountingReader(raw, hasher),
                        f"{what}: layer {digest}",
                        digest,
                        limits,
                        compressed_size=size,
                    )
                )
                if "sha256:" + hasher.hexdigest() != digest:
                    raise ImageError(f"{what}: layer blob {digest} does not match its digest")
    return tables


def _blob_path(root: Path, digest: str, what: str) -> Path:
    algo, _, hex_ = digest.partition(":")
    if algo != "sha256" or len(hex_) != 64 or not all(c in "0123456789abcdef" for c in hex_):
        raise ImageError(f"{what}: bad blob digest {digest!r}")
    blob = root / "blobs" / algo / hex_
    if not blob.is_file():
        raise ImageError(f"{what}: blob {digest} missing")
    return blob


def _read_blob_json(root: Path, digest: str, what: str) -> dict[str, Any]:
    blob = _blob_path(root, digest, what)
    data = _read_limited(blob)
    if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
        raise ImageError(f"{what}: blob {digest} does not match its digest")
    doc = read_json(data, f"{what}: blob {digest}")
    if not isinstance(doc, dict):
        raise ImageError(f"{what}: blob {digest} is not a JSON object")
    return doc


def _read_layout_json(path: Path, what: str) -> dict[str, Any]:
    doc = read_json(_read_limited(path), str(path))
    if not isinstance(doc, dict):
        raise ImageError(f"{path}: not a JSON object")
    return doc


def _read_limited(path: Path, limit: int = 16 << 20) -> bytes:
    from hullcheck.sources import TooLarge, read_regular

    try:  # a regular file only (a FIFO in a layout would block), at most ``limit`` bytes
        return read_regular(path, str(path), limit)
    except TooLarge:
        raise ImageError(f"{path}: too large for image metadata") from None
    except ValueError as exc:
        raise ImageError(str(exc)) from None


# --- the local engine -------------------------------------------------------------------------


class _IterReader:
    """A ``read`` over the chunks the Engine API streams (``GET /images/{name}/get``)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.buf = b""
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = 1 << 62
        while len(self.buf) - self.pos < n:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buf = self.buf[self.pos :] + chunk
            self.pos = 0
        out = self.buf[self.pos : self.pos + n]
        self.pos += len(out)
        return out


def engine_client(opts: SourceOptions) -> Any:
    if opts.docker_client is None:
        import docker

        try:
            opts.docker_client = docker.APIClient(version="auto", timeout=120)
        except Exception as exc:
            raise ImageError(f"Docker Engine not reachable: {exc}") from None
    return opts.docker_client


def load_from_engine(name: str, opts: SourceOptions) -> list[Image] | None:
    """The image from the local engine, or None when the engine does not have it."""
    import docker.errors

    try:
        client = engine_client(opts)
        info = client.inspect_image(name)
    except docker.errors.ImageNotFound:
        return None
    except docker.errors.APIError as exc:
        if exc.status_code == 404:
            return None
        raise ImageError(f"{name}: Docker Engine error: {exc.explanation or exc}") from None
    except ImageError:
        return None
    except Exception:
        return None  # no engine: fall back to the registry
    image_id = str(info.get("Id"))
    # The digest of what will run: the engine's record of the manifest it pulled or pushed for
    # this repository. An image built or retagged locally has none, and the registry's image
    # under the same tag is other content (see the signature check).
    manifest_digest = _repo_digest(name, [str(d) for d in info.get("RepoDigests") or []])
    digest = manifest_digest or image_id

    def ref_for(_tags: list[str], _id: str) -> ImageRef:
        return ImageRef(name, digest)

    from hullcheck import progress

    # The stream is the image as `docker save` writes it: about its uncompressed size.
    size = info.get("Size")
    total = size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None
    with progress.task(f"reading {name} from the Docker Engine", total, "bytes",
                       ticking=True) as job:
        stream: Readable = _IterReader(iter(client.get_image(image_id, chunk_size=1 << 20)))
        if job is not None:
            stream = progress.Reading(stream, job)
        images = read_save_stream(
            stream,
            name,
            opts.limits,
            "engine",
            name,
            ref_for,
        )
    for image in images:
        image.manifest_digest = manifest_digest
        image.notes.append(f"{name}: read from the local Docker Engine (image {image_id[:19]})")
    return images


def _repo_digest(name: str, repo_digests: list[str]) -> str | None:
    """The repo digest recorded for the repository ``name`` names (pulled or pushed from it)."""
    from hullcheck.references import InvalidReference, parse_reference

    try:
        wanted = parse_reference(name).name
    except InvalidReference:
        return None
    for item in repo_digests:
        repo, _, digest = item.partition("@")
        try:
            if parse_reference(repo).name == wanted:
                return digest
        except InvalidReference:
            continue
    return None


# --- registries -------------------------------------------------------------------------------


def load_from_registry(name: str, opts: SourceOptions) -> tuple[Image, Any]:
    """The image and the client used (for signature checks on the same connection and under
    the same deadline)."""
    from hullcheck.trust.registry import RegistryError

    client, repository, doc, top_digest, notes = open_registry_image(name, opts)
    try:
        config = read_registry_config(client, repository, doc, name, opts)
        tables = _pull_layers(client, repository, _layer_descriptors(doc, name), name,
                              opts.limits)
    except RegistryError as exc:
        raise ImageError(str(exc)) from None
    image = assemble(ImageRef(name, top_digest), "registry", config, tables, name, notes)
    image.manifest_digest = top_digest
    image.notes.extend(client.options.notes)
    return image, client


def open_registry_image(name: str, opts: SourceOptions
                        ) -> tuple[Any, str, dict[str, Any], str, list[str]]:
    """The image manifest ``name`` leads to in its registry (through indexes, for
    ``opts.platform``): the client, the repository, the manifest, the digest asked for (the
    index's, when there is one) and notes on the platform picked."""
    from hullcheck.references import parse_reference
    from hullcheck.trust.registry import RegistryClient, RegistryError, RegistryOptions

    ref = parse_reference(name)
    options = opts.registry or RegistryOptions()
    client = RegistryClient(ref.registry, options)

    def fetch(digest: str) -> dict[str, Any]:
        got = client.get_manifest(ref.repository, digest)
        if got is None:
            raise ImageError(f"{name}: platform manifest {digest} missing")
        return dict(json.loads(got[0]))

    try:
        found = client.get_manifest(ref.repository, ref.digest or ref.tag_or_latest)
        if found is None:
            raise ImageError(f"{name}: not found in {ref.registry}")
        body, _media, top_digest = found
        doc, notes = follow_index(json.loads(body), opts.platform, name, fetch)
    except RegistryError as exc:
        raise ImageError(str(exc)) from None
    return client, ref.repository, doc, top_digest, notes


def read_registry_config(client: Any, repository: str, doc: dict[str, Any], name: str,
                         opts: SourceOptions) -> Any:
    """The image config a manifest names, as JSON (bounded by ``opts.limits``)."""
    return read_json(
        client.read_blob(repository, _descriptor_digest(doc, "config", name),
                         opts.limits.max_json_bytes),
        f"{name}: config",
    )


def _pull_layers(client: Any, repository: str, descriptors: list[tuple[str, int | None]],
                 name: str, limits: Limits) -> list[LayerTable]:
    """Each layer of the image, streamed from the registry, read and checked against its
    digest. Progress (on a terminal): the bytes pulled of the sizes the manifest declares (a
    registry can lie about them: they only size the bar), and which layer."""
    from hullcheck import progress

    declared = [size for _digest, size in descriptors]
    total = None if None in declared else sum(s or 0 for s in declared)
    tables = []
    with progress.task(f"pulling {name}", total, "bytes", ticking=True) as job:
        for i, (digest, size_declared) in enumerate(descriptors):
            if job is not None:
                job.update(description=f"pulling {name}: layer {i + 1}/{len(descriptors)}")
            raw, size = client.open_blob(repository, digest)
            hasher = hashlib.sha256()
            stream: Readable = _Blob(raw)
            if job is not None:
                stream = progress.Reading(stream, job)
            try:
                tables.append(
                    scan_layer(
                        CountingReader(stream, hasher),
                        f"{name}: layer {digest}",
                        digest,
                        limits,
                        compressed_size=size or size_declared,
                    )
                )
            finally:
                raw.close()
            if "sha256:" + hasher.hexdigest() != digest:
                raise ImageError(f"{name}: layer {digest} does not match its digest")
    return tables


class _Blob:
    """A registry blob stream whose errors (the deadline, a broken connection) are ImageErrors:
    the layer reader lets those through as they are, where it would wrap anything else as
    corrupt data."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def read(self, n: int = -1) -> bytes:
        from hullcheck.trust.registry import RegistryError

        try:
            data: bytes = self.raw.read(n)
        except RegistryError as exc:
            raise ImageError(str(exc)) from None
        return data
