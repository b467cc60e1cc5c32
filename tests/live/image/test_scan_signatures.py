"""scan --verify-signatures: the image policy judges references in Dockerfiles and manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from image_live import Registry
from test_image_registry import OTHER, SIGNER, push_image, sign_classic

from hullcheck.cli import main

pytestmark = pytest.mark.live


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> list[tuple[str, str, int]]:
    code = main(["scan", *args, "--format", "json", "--select", "IMG017"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    doc = json.loads(out)
    assert not doc["errors"], doc["errors"]
    return sorted((f["rule"], f["message"].split(": ")[1], f["location"]["line"])
                  for f in doc["findings"])


def test_scan_verifies_from_and_pod_images(registry: Registry, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    good, _ = push_image(registry, "signed", "1")
    sign_classic(registry, "signed", good)
    bad, _ = push_image(registry, "wrongkey", "1")
    sign_classic(registry, "wrongkey", bad, signer=OTHER)
    push_image(registry, "unsigned", "1")
    key = SIGNER.write_public(tmp_path / "cosign.pub")
    host = registry.host
    (tmp_path / "Dockerfile").write_text(
        f"FROM {host}/signed:1 AS a\nFROM {host}/unsigned:1\n"
        # Files copied or mounted from an image are that image's code as much as a base is.
        f"COPY --from={host}/wrongkey:1 /x /x\n"
        f"RUN --mount=type=bind,from={host}/unsigned:1,target=/m true\n"
        "COPY --from=a /y /y\n"  # a stage, not an image
        f"COPY --from={host}/signed:1 /z /z\n"
        "USER 1\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n"
        f"  - name: a\n    image: {host}/wrongkey:1\n  - name: b\n    image: {host}/signed:1\n"
    )
    args = ["--verify-signatures", "--key", str(key), "--insecure-registry", host]
    got = _scan(capsys, str(tmp_path / "Dockerfile"), str(tmp_path / "pod.yaml"), *args)
    assert got == [("IMG017", "no-signature", 2), ("IMG017", "no-signature", 4),
                   ("IMG017", "wrong-key", 3), ("IMG017", "wrong-key", 7)]
    # Without --verify-signatures nothing touches the registry and nothing is reported.
    got = _scan(capsys, str(tmp_path / "Dockerfile"), "--key", str(key))
    assert got == []
