"""Discovery of real Notation signature manifests (notaryproject test data) through the referrers
tag schema, served by a stand-in registry client: the verdict for the whole image."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from test_notation_vectors import E2E, EXPIRED_SUBJECT, UNRELATED, VALID_SUBJECT, VECTORS

from hullcheck.trust import policy


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class FakeClient:
    """get_manifest / read_blob / referrers over files, as RegistryClient answers them."""

    def __init__(self, files: list[str], referrers_tag: dict[str, bytes]) -> None:
        self.objects = {_digest(d): d for d in ((VECTORS / f).read_bytes() for f in files)}
        self.tags = referrers_tag
        self.asked: list[str] = []

    def get_manifest(self, repo: str, ref: str, accept: Any = ()) -> tuple[bytes, str, str] | None:
        self.asked.append(ref)
        body = self.tags.get(ref) or self.objects.get(ref)
        if body is None:
            return None
        return body, json.loads(body).get("mediaType", ""), _digest(body)

    def read_blob(self, repo: str, digest: str, limit: int = 0) -> bytes:
        return self.objects[digest]

    def referrers(self, repo: str, digest: str) -> tuple[list[dict[str, Any]], str]:
        found = self.get_manifest(repo, digest.replace(":", "-"))
        return (json.loads(found[0])["manifests"] if found else []), "referrers tag"


def test_expired_signature_found_through_notations_own_referrers_index() -> None:
    client = FakeClient(
        ["e2e-expired-signature.manifest.json", "e2e-expired-signature.jws"],
        {EXPIRED_SUBJECT.replace(":", "-"):
         (VECTORS / "e2e-expired-signature.referrers-tag-index.json").read_bytes()},
    )
    verdicts = policy.find_and_verify(client, "e2e", EXPIRED_SUBJECT, [], E2E,  # type: ignore[arg-type]
                                      cosign_wanted=False)
    assert [v.code for v in verdicts] == ["expired"]
    summary = policy.summarise(verdicts, EXPIRED_SUBJECT, cosign_wanted=False,
                               notation_wanted=True)
    assert summary.code == "expired" and not summary.ok
    assert summary.references == ("cis-docker-1.6:4.12",)
    assert not any(r.endswith(".sig") for r in client.asked)  # no cosign look-up without keys


def _valid_index() -> dict[str, bytes]:
    manifest = (VECTORS / "e2e-valid-signature.manifest.json").read_bytes()
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                        "manifests": [{"mediaType": "application/vnd.oci.artifact.manifest.v1+json",
                                       "digest": _digest(manifest), "size": len(manifest),
                                       "artifactType": "application/vnd.cncf.notary.signature"}]})
    return {VALID_SUBJECT.replace(":", "-"): index.encode()}


def test_valid_signature_in_artifact_manifest_form() -> None:
    client = FakeClient(["e2e-valid-signature.manifest.json", "e2e-valid-signature.jws"],
                        _valid_index())
    verdicts = policy.find_and_verify(client, "e2e", VALID_SUBJECT, [], E2E,  # type: ignore[arg-type]
                                      cosign_wanted=False)
    summary = policy.summarise(verdicts, VALID_SUBJECT, cosign_wanted=False, notation_wanted=True)
    assert summary.ok and summary.code == "signed", summary.message
    assert "(notation JWS form)" in summary.message
    verdicts = policy.find_and_verify(client, "e2e", VALID_SUBJECT, [], UNRELATED,  # type: ignore[arg-type]
                                      cosign_wanted=False)
    assert [v.code for v in verdicts] == ["untrusted-certificate"]


def test_signature_listed_for_another_subject_is_ignored() -> None:
    # the valid signature's manifest names cc2a... as its subject; listed under another image's
    # referrers tag it is not that image's signature
    index = _valid_index()[VALID_SUBJECT.replace(":", "-")]
    client = FakeClient(["e2e-valid-signature.manifest.json", "e2e-valid-signature.jws"],
                        {EXPIRED_SUBJECT.replace(":", "-"): index})
    verdicts = policy.find_and_verify(client, "e2e", EXPIRED_SUBJECT, [], E2E,  # type: ignore[arg-type]
                                      cosign_wanted=False)
    assert verdicts == []
    summary = policy.summarise(verdicts, EXPIRED_SUBJECT, cosign_wanted=False,
                               notation_wanted=True)
    assert summary.code == "no-signature"
    assert "no Notation signature" in summary.message and "cosign" not in summary.message


def test_signature_manifest_with_two_envelopes_is_invalid() -> None:
    manifest = json.loads((VECTORS / "e2e-valid-signature.manifest.json").read_bytes())
    manifest["blobs"] = manifest["blobs"] * 2
    body = json.dumps(manifest).encode()
    index = json.dumps({"manifests": [{"digest": _digest(body),
                                       "artifactType": "application/vnd.cncf.notary.signature"}]})
    client = FakeClient(["e2e-valid-signature.jws"], {VALID_SUBJECT.replace(":", "-"):
                                                      index.encode()})
    client.objects[_digest(body)] = body
    verdicts = policy.find_and_verify(client, "e2e", VALID_SUBJECT, [], E2E,  # type: ignore[arg-type]
                                      cosign_wanted=False)
    assert [v.code for v in verdicts] == ["invalid-envelope"]
    assert "exactly one envelope layer" in verdicts[0].message


def test_policy_names_the_notation_artifact_type_it_looks_for() -> None:
    # policy.py spells the artifact type out so that importing it loads no Notation code.
    from hullcheck.trust import notation, policy

    assert notation.SIGNATURE_ARTIFACT in policy._NO_NOTATION
