"""Build images in tests: layers from member specs, OCI layouts, docker save archives, and
cosign signatures made exactly as the cosign spec says."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass
class M:
    """One tar member."""

    name: str
    data: bytes = b""
    mode: int = 0o644
    kind: bytes = tarfile.REGTYPE
    linkname: str = ""


def layer_tar(members: list[M]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.type = m.kind
            info.mode = m.mode
            info.linkname = m.linkname
            if m.kind == tarfile.REGTYPE:
                info.size = len(m.data)
                tf.addfile(info, io.BytesIO(m.data))
            else:
                tf.addfile(info)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_for(
    tars: list[bytes],
    config: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "architecture": "amd64",
        "os": "linux",
        "config": config or {},
        "rootfs": {"type": "layers", "diff_ids": [sha(t) for t in tars]},
        "history": history or [{"created_by": f"step {i}"} for i in range(len(tars))],
    }


def image_blobs(
    layers: list[bytes],
    config: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    compress: bool = True,
) -> tuple[bytes, bytes, dict[str, bytes]]:
    """(manifest bytes, config bytes, blobs by digest) for an OCI image."""
    blobs: dict[str, bytes] = {}
    cfg = json.dumps(config_for(layers, config, history)).encode()
    blobs[sha(cfg)] = cfg
    descs = []
    for t in layers:
        blob = gzip.compress(t, mtime=0) if compress else t
        blobs[sha(blob)] = blob
        descs.append(
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"
                if compress
                else "application/vnd.oci.image.layer.v1.tar",
                "digest": sha(blob),
                "size": len(blob),
            }
        )
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha(cfg),
                "size": len(cfg),
            },
            "layers": descs,
        }
    ).encode()
    return manifest, cfg, blobs


def write_oci_layout(
    root: Path, manifest: bytes, blobs: dict[str, bytes], name: str | None = None
) -> Path:
    (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    for digest, data in {**blobs, sha(manifest): manifest}.items():
        (root / "blobs" / "sha256" / digest.split(":")[1]).write_bytes(data)
    desc: dict[str, Any] = {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha(manifest),
        "size": len(manifest),
    }
    if name:
        desc["annotations"] = {"org.opencontainers.image.ref.name": name}
    (root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [desc]}))
    return root


def write_docker_save(
    path: Path,
    layers: list[bytes],
    config: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    tag: str = "t/app:1",
    manifest_last: bool = True,
) -> Path:
    """A docker save (v1.2) archive; like docker 20.10, manifest.json comes last."""
    cfg = json.dumps(config_for(layers, config, history)).encode()
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    names = [f"{hashlib.sha256(t).hexdigest()}/layer.tar" for t in layers]
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]).encode()
    entries = [(n, t) for n, t in zip(names, layers, strict=True)] + [(cfg_name, cfg)]
    entries.append(("manifest.json", manifest))
    if not manifest_last:
        entries.insert(0, entries.pop())
    with tarfile.open(path, "w") as tf:
        for n, data in entries:
            info = tarfile.TarInfo(n)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


# --- cosign ------------------------------------------------------------------------------------


class Signer:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.public_pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def write_public(self, path: Path) -> Path:
        path.write_bytes(self.public_pem)
        return path

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data, ec.ECDSA(hashes.SHA256()))

    @property
    def hint(self) -> str:
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(hashlib.sha256(der).digest()).decode()


def simple_signing_payload(repo: str, digest: str) -> bytes:
    return json.dumps(
        {
            "critical": {
                "identity": {"docker-reference": repo},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": None,
        },
        separators=(",", ":"),
    ).encode()


def rekor_annotation(payload: bytes, signature: bytes, public_pem: bytes) -> str:
    """The ``dev.sigstore.cosign/bundle`` annotation cosign writes after a Rekor upload (its
    SignedEntryTimestamp is empty here: no log is involved)."""
    body = {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
            "signature": {
                "content": base64.b64encode(signature).decode(),
                "publicKey": {"content": base64.b64encode(public_pem).decode()},
            },
        },
    }
    return json.dumps(
        {
            "SignedEntryTimestamp": "",
            "Payload": {
                "body": base64.b64encode(json.dumps(body).encode()).decode(),
                "integratedTime": 0,
                "logIndex": 0,
                "logID": "",
            },
        }
    )


def classic_signature(
    payload: bytes, signature: bytes, rekor: str | None = None
) -> tuple[bytes, dict[str, bytes]]:
    """The ``sha256-<hex>.sig`` manifest and its blobs."""
    cfg = b"{}"
    annotations = {"dev.cosignproject.cosign/signature": base64.b64encode(signature).decode()}
    if rekor:
        annotations["dev.sigstore.cosign/bundle"] = rekor
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": sha(cfg),
                "size": len(cfg),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                    "digest": sha(payload),
                    "size": len(payload),
                    "annotations": annotations,
                }
            ],
        }
    ).encode()
    return manifest, {sha(cfg): cfg, sha(payload): payload}


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


SIGN_TYPE = "https://sigstore.dev/cosign/sign/v1"  # cosign 3's image signature statement
SLSA1 = "https://slsa.dev/provenance/v1"


def dsse_envelope(
    signer: Signer, subject_digest: str, *, tamper: bool = False,
    predicate_type: str = SIGN_TYPE, predicate: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A DSSE envelope (as cosign writes it) over an in-toto statement about the digest."""
    statement: dict[str, Any] = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "image", "digest": {"sha256": subject_digest.split(":")[1]}}],
        "predicateType": predicate_type,
        "predicate": predicate if predicate is not None else {},
    }
    payload = json.dumps(statement).encode()
    sig = signer.sign(pae("application/vnd.in-toto+json", payload))
    if tamper:
        statement["predicate"] = {"altered": True}
        payload = json.dumps(statement).encode()
    return {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": "application/vnd.in-toto+json",
        "signatures": [{"sig": base64.b64encode(sig).decode(), "keyid": ""}],
    }


def sigstore_bundle(
    signer: Signer, subject_digest: str, *, tamper: bool = False, hint: str | None = None,
    predicate_type: str = SIGN_TYPE, predicate: dict[str, Any] | None = None,
) -> bytes:
    """A Sigstore bundle v0.3 (key-based, as cosign 3 writes it): DSSE over an in-toto statement
    (an image signature by default; an attestation with another ``predicate_type``)."""
    return json.dumps(
        {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": hint or signer.hint}, "tlogEntries": []},
            "dsseEnvelope": dsse_envelope(signer, subject_digest, tamper=tamper,
                                          predicate_type=predicate_type, predicate=predicate),
        }
    ).encode()


def classic_attestation(envelopes: list[dict[str, Any]]) -> tuple[bytes, dict[str, bytes]]:
    """cosign 2's ``sha256-<hex>.att`` manifest: one DSSE envelope per layer."""
    cfg = b"{}"
    blobs = {sha(cfg): cfg}
    layers = []
    for envelope in envelopes:
        data = json.dumps(envelope).encode()
        blobs[sha(data)] = data
        statement = json.loads(base64.b64decode(envelope["payload"]))
        layers.append({"mediaType": "application/vnd.dsse.envelope.v1+json", "digest": sha(data),
                       "size": len(data),
                       "annotations": {"predicateType": statement["predicateType"]}})
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg),
                   "size": len(cfg)},
        "layers": layers,
    }).encode()
    return manifest, blobs


BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"


def bundle_referrer(
    bundle: bytes, subject_digest: str, subject_size: int, predicate_type: str = SIGN_TYPE
) -> tuple[bytes, dict[str, bytes]]:
    """An OCI 1.1 artifact manifest holding the bundle, with ``subject`` = the image."""
    empty = b"{}"
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": BUNDLE_TYPE,
            "config": {
                "mediaType": "application/vnd.oci.empty.v1+json",
                "digest": sha(empty),
                "size": 2,
            },
            "layers": [{"mediaType": BUNDLE_TYPE, "digest": sha(bundle), "size": len(bundle)}],
            "subject": {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": subject_digest,
                "size": subject_size,
            },
            "annotations": {
                "dev.sigstore.bundle.content": "dsse-envelope",
                "dev.sigstore.bundle.predicateType": predicate_type,
            },
        }
    ).encode()
    return manifest, {sha(empty): empty, sha(bundle): bundle}


def referrers_index(manifests: list[bytes]) -> bytes:
    """The referrers tag schema's index (``sha256-<hex>`` tag) listing referrer manifests."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "digest": sha(m),
                    "size": len(m),
                    "artifactType": BUNDLE_TYPE,
                }
                for m in manifests
            ],
        }
    ).encode()
