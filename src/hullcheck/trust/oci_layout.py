"""Signatures kept inside an OCI image layout, read offline as a registry would serve them.

``cosign save --dir DIR IMAGE`` writes an OCI layout whose ``index.json`` lists the image and,
beside it, cosign's signature and attestation manifests (the classic ``sha256-<hex>.sig`` and
``.att`` images), told apart by the ``kind`` annotation (``dev.cosignproject.cosign/image``,
``.../imageIndex``, ``.../sigs``, ``.../atts``); ``cosign verify --local-image DIR`` verifies
them. Other tools that copy an image with what is attached to it (``oras copy -r``, ``skopeo
copy`` of the tags) keep the same material under names: an ``org.opencontainers.image.ref.name``
of ``sha256-<hex>.sig`` / ``.att`` (the tag, or a full reference ending in ``:<tag>``), OCI 1.1
referrer manifests (with a ``subject``) listed in ``index.json``, or a referrers index named
``sha256-<hex>`` (the referrers tag schema).

:class:`LayoutStore` answers the three questions signature verification asks of a registry
(:class:`hullcheck.trust.policy.ArtifactStore`) from such a layout, so the same verifiers judge
it. Everything is bounded: each manifest or blob read (4 MiB unless the caller says less), and
the number of ``index.json`` entries looked into for referrers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hullcheck.trust.registry import MAX_MANIFEST, RegistryError

REF_NAME = "org.opencontainers.image.ref.name"
KIND = "kind"  # cosign's annotation on the entries of a layout it writes
KIND_IMAGE = "dev.cosignproject.cosign/image"
KIND_INDEX = "dev.cosignproject.cosign/imageIndex"
KIND_SIGS = "dev.cosignproject.cosign/sigs"
KIND_ATTS = "dev.cosignproject.cosign/atts"
MAX_INDEX_ENTRIES = 256  # index.json entries read when looking for referrers (one blob each)
MAX_INDEX_JSON = 16 << 20


def entry_role(desc: dict[str, Any]) -> str | None:
    """``"sig"``, ``"att"`` or ``"referrers"`` for an ``index.json`` entry that holds signature
    material rather than an image, by its annotations; None for anything else."""
    annotations = desc.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    kind = annotations.get(KIND)
    if kind == KIND_SIGS:
        return "sig"
    if kind == KIND_ATTS:
        return "att"
    name = annotations.get(REF_NAME)
    if not isinstance(name, str):
        return None
    tag = name.rsplit(":", 1)[-1] if "/" in name or name.count(":") > 1 else name
    if tag.startswith("sha256-") and len(tag) >= 71 and all(
            c in "0123456789abcdef" for c in tag[7:71]):
        rest = tag[71:]
        return {".sig": "sig", ".att": "att", "": "referrers"}.get(rest)
    return None


class LayoutStore:
    """Read-only access to the signature material of an OCI layout at ``root``; ``repo``
    arguments are ignored (a layout is one repository)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: list[dict[str, Any]] | None = None
        # entry digest -> (its subject's digest, its referrer descriptor): each entry is read
        # once however many images of the layout ask for their referrers
        self._described: dict[str, tuple[str | None, dict[str, Any]]] = {}

    def __repr__(self) -> str:
        return f"LayoutStore({str(self.root)!r})"

    # --- reading, bounded -------------------------------------------------------------------
    def _fail(self, message: str) -> RegistryError:
        return RegistryError(f"{self.root}: {message}")

    def _blob_path(self, digest: str) -> Path:
        algo, _, hex_ = digest.partition(":")
        if algo != "sha256" or len(hex_) != 64 or not all(c in "0123456789abcdef" for c in hex_):
            raise self._fail(f"bad blob digest {digest[:80]!r}")
        return self.root / "blobs" / algo / hex_

    def _read(self, path: Path, limit: int, what: str) -> bytes | None:
        try:
            if not path.is_file():
                return None
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise self._fail(f"cannot read {what}: {exc.strerror or exc}") from None
        if len(data) > limit:
            raise self._fail(f"{what} is larger than {limit >> 10} KiB")
        return data

    def _blob(self, digest: str, limit: int) -> bytes | None:
        data = self._read(self._blob_path(digest), limit, f"blob {digest}")
        if data is not None and "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise self._fail(f"blob {digest} does not match its digest")
        return data

    def index(self) -> list[dict[str, Any]]:
        if self._index is None:
            data = self._read(self.root / "index.json", MAX_INDEX_JSON, "index.json")
            try:
                doc = json.loads(data) if data is not None else None
            except ValueError:
                doc = None
            manifests = doc.get("manifests") if isinstance(doc, dict) else None
            if not isinstance(manifests, list):
                raise self._fail("index.json lists no manifests")
            self._index = [m for m in manifests if isinstance(m, dict)]
        return self._index

    # --- what a registry answers --------------------------------------------------------------
    def get_manifest(self, repo: str, reference: str, accept: Iterable[str] = ()
                     ) -> tuple[bytes, str, str] | None:
        """A manifest by digest, or by the tags signature tools use (``sha256-<hex>.sig``,
        ``.att``, ``sha256-<hex>``): (body, media type, digest), or None."""
        if reference.startswith("sha256:"):
            digest: str | None = reference
        else:
            digest = self._tagged(reference)
        if digest is None:
            return None
        body = self._blob(digest, MAX_MANIFEST)
        if body is None:
            return None
        try:
            doc = json.loads(body)
        except ValueError:
            raise self._fail(f"manifest {digest} is not JSON") from None
        media_type = doc.get("mediaType") if isinstance(doc, dict) else None
        return body, media_type if isinstance(media_type, str) else "", digest

    def _tagged(self, tag: str) -> str | None:
        role = {".sig": "sig", ".att": "att"}.get(tag[-4:], "referrers")
        for desc in self.index():
            annotations = desc.get("annotations")
            annotations = annotations if isinstance(annotations, dict) else {}
            name = annotations.get(REF_NAME)
            named = isinstance(name, str) and (name == tag or name.endswith(":" + tag))
            # cosign's own layout names no tag: its one .sig/.att image goes with its one image
            by_kind = role != "referrers" and annotations.get(KIND) == (
                KIND_SIGS if role == "sig" else KIND_ATTS)
            if named or by_kind:
                return str(desc.get("digest"))
        return None

    def read_blob(self, repo: str, digest: str, limit: int = MAX_MANIFEST) -> bytes:
        data = self._blob(digest, limit)
        if data is None:
            raise self._fail(f"blob {digest} is missing from the layout")
        return data

    def referrers(self, repo: str, digest: str) -> tuple[list[dict[str, Any]], str]:
        """Descriptors of the layout's manifests whose ``subject`` is ``digest``: entries of
        ``index.json`` (the first :data:`MAX_INDEX_ENTRIES` that are not images) and the
        referrers index named ``sha256-<hex>``."""
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        looked = 0
        for desc in self.index():
            if desc.get("digest") == digest or entry_role(desc) in ("sig", "att"):
                continue
            if entry_role(desc) == "referrers":
                tagged = self._blob(str(desc.get("digest")), MAX_MANIFEST)
                doc = _json(tagged)
                listed = doc.get("manifests") if doc is not None else None
                for item in listed if isinstance(listed, list) else []:
                    if isinstance(item, dict) and str(item.get("digest")) not in seen:
                        seen.add(str(item.get("digest")))
                        out.append(item)
                continue
            looked += 1
            if looked > MAX_INDEX_ENTRIES:
                break
            described = self._describe(desc, digest)
            if described is not None and described["digest"] not in seen:
                seen.add(described["digest"])
                out.append(described)
        return out, "OCI layout"

    def _describe(self, desc: dict[str, Any], subject: str) -> dict[str, Any] | None:
        """The referrer descriptor of one ``index.json`` entry, if its manifest's ``subject``
        is ``subject`` (as the referrers API builds it: artifact type, annotations)."""
        target = str(desc.get("digest"))
        if target not in self._described:
            self._described[target] = self._read_referrer(target)
        about, described = self._described[target]
        return described if about == subject else None

    def _read_referrer(self, target: str) -> tuple[str | None, dict[str, Any]]:
        try:
            doc = _json(self._blob(target, MAX_MANIFEST))
        except RegistryError:
            doc = None  # an unrelated entry that cannot be read is not a referrer
        sub = doc.get("subject") if doc is not None else None
        if doc is None or not isinstance(sub, dict) or not isinstance(sub.get("digest"), str):
            return None, {}
        config = doc.get("config")
        artifact_type = doc.get("artifactType") or (
            config.get("mediaType") if isinstance(config, dict) else None)
        out: dict[str, Any] = {"digest": target, "mediaType": doc.get("mediaType"),
                               "artifactType": artifact_type}
        if isinstance(doc.get("annotations"), dict):
            out["annotations"] = doc["annotations"]
        return str(sub["digest"]), out


def _json(data: bytes | None) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None
