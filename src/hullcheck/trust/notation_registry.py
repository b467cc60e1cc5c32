"""Finding Notation signatures in a registry: the image's referrers (the referrers API, else the
referrers tag schema ``sha256-<hex>``) whose artifact type is
``application/vnd.cncf.notary.signature``.

A signature manifest is an OCI image manifest with config media type
``application/vnd.cncf.notary.signature`` (Notation 1.x; OCI 1.1 ``artifactType`` too) or, from
Notation's release candidates, an ORAS/OCI artifact manifest whose ``blobs`` hold the envelope. It
holds exactly one envelope (``application/jose+json`` or ``application/cose``) and its ``subject``
is the signed image manifest.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hullcheck.trust.cosign import SignatureVerdict
from hullcheck.trust.notation import (
    ENVELOPE_TYPES,
    INVALID_ENVELOPE,
    SIGNATURE_ARTIFACT,
    verify_envelope,
)

if TYPE_CHECKING:
    from hullcheck.trust.notation import TrustStores
    from hullcheck.trust.policy import ArtifactStore

MAX_ENVELOPE = 1 << 20  # notation-go's own limit on a signature envelope blob is far below this


def is_signature(manifest: dict[str, Any]) -> bool:
    config = manifest.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    return SIGNATURE_ARTIFACT in (manifest.get("artifactType"), config_type)


def verify_referrers(
    client: ArtifactStore,
    repo: str,
    digest: str,
    referrers: list[dict[str, Any]],
    store: TrustStores,
) -> list[SignatureVerdict]:
    verdicts: list[SignatureVerdict] = []
    for desc in referrers:
        if not isinstance(desc, dict) or desc.get("artifactType") != SIGNATURE_ARTIFACT:
            continue
        got = client.get_manifest(repo, str(desc.get("digest")))
        if got is None:
            continue
        try:
            manifest = json.loads(got[0])
        except ValueError:
            continue
        if not isinstance(manifest, dict) or not is_signature(manifest):
            continue
        subject = manifest.get("subject") or {}
        if not isinstance(subject, dict) or subject.get("digest") != digest:
            continue  # a referrers index entry about another image: not this image's signature
        layers = manifest.get("layers")
        if layers is None:
            layers = manifest.get("blobs")  # the artifact-manifest form of Notation's RCs
        envelopes = [
            layer for layer in layers or []
            if isinstance(layer, dict) and layer.get("mediaType") in ENVELOPE_TYPES
        ]
        if len(layers or []) != 1 or len(envelopes) != 1:
            verdicts.append(SignatureVerdict(
                INVALID_ENVELOPE,
                f"signature manifest {got[2]} must hold exactly one envelope layer"
                f" ({' or '.join(ENVELOPE_TYPES)})",
                "notation",
            ))
            continue
        layer = envelopes[0]
        size = layer.get("size")
        if isinstance(size, int) and not isinstance(size, bool) and size > MAX_ENVELOPE:
            # Not fetched: one verdict for this signature, and the others are still judged.
            verdicts.append(SignatureVerdict(
                INVALID_ENVELOPE,
                f"the signature envelope is {size} bytes, over the {MAX_ENVELOPE >> 10} KiB cap"
                " (not read)",
                "notation",
            ))
            continue
        blob = client.read_blob(repo, str(layer.get("digest")), limit=MAX_ENVELOPE)
        verdicts.append(verify_envelope(str(layer["mediaType"]), blob, store, digest))
    return verdicts
