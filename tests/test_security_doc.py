"""docs/security.md states each bound hullcheck enforces: the numbers there are the code's."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parent.parent / "docs" / "security.md").read_text()

MiB = 1 << 20
# (module, constant, value, how docs/security.md writes it)
BOUNDS = [
    ("hullcheck.sources", "MAX_FILE_BYTES", 64 * MiB, "64 MiB"),
    ("hullcheck.inputs.dockerfile", "MAX_DOCKERFILE_BYTES", MiB, "1 MiB"),
    ("hullcheck.inputs.compose_env_files", "MAX_ENV_FILE_BYTES", MiB, "1 MiB"),
    ("hullcheck.inputs.compose_env", "_MAX_NESTING", 32, "32 levels"),
    ("hullcheck.inputs.compose", "MAX_MERGE_WORK", 2_000_000, "2,000,000 steps"),
    ("hullcheck.inputs.compose", "MAX_EXTENDS_DEPTH", 64, "| 64 |"),
    ("hullcheck.yamlutil", "MAX_DEPTH", 500, "500 levels"),
    ("hullcheck.inputs.k8s_objects", "MAX_LISTED", 100, "100 lines each, then one line"),
    ("hullcheck.yamlutil", "MAX_NODES", 5_000_000, "5,000,000"),
    ("hullcheck.yamlutil", "MAX_EXPANDED", 4_000_000, "4,000,000 and 10x"),
    ("hullcheck.yamlutil", "MAX_MERGED_KEYS", 1_000_000, "1,000,000 (counted"),
    ("hullcheck.config", "MAX_CONFIG_BYTES", MiB, "1 MiB, regular file only"),
    ("hullcheck.config", "MAX_CONFIG_DEPTH", 16, "16 levels"),
    ("hullcheck.config", "MAX_TRUST_STORE_BYTES", 4 * MiB, "4 MiB, regular file only"),
    ("hullcheck.trust.cosign", "MAX_KEY_FILE", 64 << 10, "64 KiB"),
    ("hullcheck.inputs.image.sources", "MAX_SAVE_METADATA_BYTES", 64 * MiB, "64 MiB (each"),
    ("hullcheck.inputs.image.sources", "MAX_INDEX_DEPTH", 4, "| 4 levels |"),
    ("hullcheck.trust.oci_layout", "MAX_INDEX_ENTRIES", 256, "| 256 |"),
    ("hullcheck.trust.registry_http", "DEFAULT_DEADLINE", 300.0, "300 s"),
    ("hullcheck.trust.registry", "MAX_REDIRECTS", 10, "| 10 |"),
    ("hullcheck.trust.registry", "MAX_TOKEN_BODY", MiB, "token answer | 1 MiB"),
    ("hullcheck.trust.registry", "MAX_MANIFEST", 4 * MiB, "referrers list | 4 MiB"),
    ("hullcheck.trust.policy", "MAX_SIGNATURE_BLOB", MiB, "Sigstore bundle | 1 MiB"),
    ("hullcheck.trust.policy", "MAX_ATTACHED_BYTES", 16 * MiB, "image | 16 MiB"),
    ("hullcheck.trust.policy", "MAX_ATTACHED", 64, "64 each"),
    ("hullcheck.trust.notation_registry", "MAX_ENVELOPE", MiB, "1 MiB (declared"),
    ("hullcheck.trust.notation_certs", "MAX_CHAIN", 16, "chain | 16"),
    ("hullcheck.trust.notation_cose", "MAX_DEPTH", 8, "nesting | 8"),
    ("hullcheck.trust.credentials", "HELPER_TIMEOUT", 10.0, "10 s, 1 MiB"),
    ("hullcheck.trust.credentials", "MAX_HELPER_OUTPUT", MiB, "10 s, 1 MiB"),
    ("hullcheck.trust.registry_tls", "MAX_CERT_FILE", MiB, "1 MiB, regular file only"),
    ("hullcheck.trust.registry_tls", "MAX_CERTS_ENTRIES", 1000, "1,000"),
    ("hullcheck.inputs.host_system", "MAX_HOST_FILE_BYTES", 16 * MiB, "16 MiB, regular files"),
    ("hullcheck.progress", "MAX_DESCRIPTION", 60, "cut to 60 characters"),
    ("hullcheck.rules.cluster.configmap_secrets", "MAX_VALUE_CHARS", MiB, "first 1,048,576"),
    ("hullcheck.suppress", "MAX_SUGGESTED_LENGTH", 64, "names up to 64 characters"),
    ("hullcheck.suppress", "MAX_SUGGESTION_LOOKUPS", 100, "100 lookups a run"),
    ("hullcheck.reporters.github", "ANNOTATIONS_PER_KIND", 10, "first 10 annotations of a kind"),
    ("hullcheck.fix.yamledit", "MAX_FIX_YAML_BYTES", MiB, "| 1 MiB (larger ones are scanned"),
    ("hullcheck.fix.yamledit", "RESYNC_WINDOW", 64, "| 64 on each side (linear alignment"),
    ("hullcheck.fix.yamledit", "INDENT_TRIES", 6, "| 6 round trips |"),
    ("hullcheck.fix.digests", "ENGINE_TIMEOUT", 30, "| 30 s per Engine API call"),
]


@pytest.mark.parametrize(("module", "name", "value", "written"), BOUNDS,
                         ids=[f"{m.rsplit('.', 1)[-1]}.{n}" for m, n, _, _ in BOUNDS])
def test_the_documented_bound_is_the_code(module: str, name: str, value: float,
                                          written: str) -> None:
    assert getattr(importlib.import_module(module), name) == value
    assert written in DOC, f"docs/security.md does not state {name} as {written!r}"
    short = module.removeprefix("hullcheck.").replace(".", "/")
    assert name in DOC or short in DOC


def test_limits_of_image_layers_are_documented() -> None:
    from hullcheck.inputs.image.layers import Limits

    limits = Limits()
    assert (limits.max_layer_bytes, limits.max_ratio, limits.ratio_floor) == (
        64 << 30, 200, 512 * MiB)
    assert (limits.max_members, limits.max_header_bytes, limits.max_sniff_bytes,
            limits.max_json_bytes) == (2_000_000, MiB, MiB, 16 * MiB)
    for text in ("64 GiB", "200x", "above 512 MiB", "2,000,000 |", "16 MiB |"):
        assert text in DOC
