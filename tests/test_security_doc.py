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
    ("hullcheck.inputs.shell", "MAX_SHELL_DEPTH", 200, "200 levels (deeper"),
    ("hullcheck.inputs.compose", "MAX_MERGE_WORK", 2_000_000, "2,000,000 steps"),
    ("hullcheck.inputs.compose", "MAX_EXTENDS_DEPTH", 64, "| 64 |"),
    ("hullcheck.inputs.compose", "MAX_NAMED", 10, "| 10, then \"and N more\" |"),
    ("hullcheck.yamlutil", "MAX_DEPTH", 500, "500 levels"),
    ("hullcheck.inputs.k8s_objects", "MAX_LISTED", 100, "100 lines each, then one line"),
    ("hullcheck.yamlutil", "MAX_NODES", 5_000_000, "5,000,000"),
    ("hullcheck.yamlutil", "MAX_EXPANDED", 4_000_000, "4,000,000 and 10x"),
    ("hullcheck.yamlutil", "MAX_MERGED_KEYS", 1_000_000, "1,000,000 (counted"),
    ("hullcheck.models.lines", "MAX_SHARED_SHAPES", 200_000, "200,000 per process"),
    ("hullcheck.yamlutil", "MAX_REMEMBERED_TAGS", 50_000, "50,000 per process"),
    ("hullcheck.config", "MAX_CONFIG_BYTES", MiB, "1 MiB, regular file only"),
    ("hullcheck.config", "MAX_CONFIG_DEPTH", 16, "16 levels"),
    ("hullcheck.config", "MAX_TRUST_STORE_BYTES", 4 * MiB, "4 MiB, regular file only"),
    ("hullcheck.trust.cosign", "MAX_KEY_FILE", 64 << 10, "64 KiB"),
    ("hullcheck.inputs.image.sources", "MAX_SAVE_METADATA_BYTES", 64 * MiB, "64 MiB (each"),
    ("hullcheck.inputs.image.sources", "MAX_INDEX_DEPTH", 4, "| 4 levels |"),
    ("hullcheck.trust.oci_layout", "MAX_INDEX_ENTRIES", 256, "| 256 |"),
    ("hullcheck.trust.registry_http", "DEFAULT_DEADLINE", 300.0, "300 s"),
    ("hullcheck.trust.registry_http", "MAX_PENDING_LOOKUPS", 8, "| 8 at once (more"),
    ("hullcheck.trust.registry_http", "MAX_ADDRESSES", 16, "| 16, all within the same"),
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
    ("hullcheck.inputs.node", "MAX_NODE_FILE_BYTES", MiB, "1 MiB per node file"),
    ("hullcheck.inputs.node", "MAX_CMDLINE_BYTES", MiB, "1 MiB per command line"),
    ("hullcheck.inputs.node", "MAX_PROC_ENTRIES", 200_000, "| 200,000 |"),
    ("hullcheck.inputs.node", "MAX_UNIT_FILES", 64, "64 unit files"),
    ("hullcheck.inputs.node", "MAX_LINK_HOPS", 40, "40 links per path"),
    ("hullcheck.progress", "MAX_DESCRIPTION", 60, "cut to 60 characters"),
    ("hullcheck.rules.cluster.configmap_secrets", "MAX_VALUE_CHARS", MiB, "first 1,048,576"),
    ("hullcheck.inputs.render", "MAX_RENDER_SECONDS", 60.0, "60 s deadline"),
    ("hullcheck.inputs.render", "MAX_RENDER_BYTES", 64 * MiB, "64 MiB of output"),
    ("hullcheck.inputs.render", "MAX_RENDER_DOCUMENTS", 10_000, "10,000 documents"),
    ("hullcheck.inputs.render", "MAX_RENDER_STDERR", 64 << 10, "up to 64 KiB"),
    ("hullcheck.inputs.render", "MAX_RENDERS", 1_000, "1,000 renders and 600 s in total"),
    ("hullcheck.inputs.render", "MAX_RENDER_TOTAL_SECONDS", 600.0, "1,000 renders and 600 s"),
    ("hullcheck.inputs.render", "MAX_RENDER_TREE_ENTRIES", 10_000, "| 10,000 entries"),
    ("hullcheck.inputs.kustomize", "VERSION_TIMEOUT", 10.0, "| 10 s, once per run"),
    ("hullcheck.suppress", "MAX_SUGGESTED_LENGTH", 64, "names up to 64 characters"),
    ("hullcheck.suppress", "MAX_SUGGESTION_LOOKUPS", 100, "100 lookups a run"),
    ("hullcheck.reporters.github", "ANNOTATIONS_PER_KIND", 10, "first 10 annotations of a kind"),
    ("hullcheck.rules.dockerfile.healthcheck", "MAX_SHELL_NESTING", 4, "4 `sh -c` levels"),
    ("hullcheck.rules.dockerfile.last_user_root", "MAX_ENTRYPOINT_WORDS", 8, "the first 8 words"),
    ("hullcheck.results", "MAX_RESULT_BYTES", 64 * MiB, "One result file | 64 MiB"),
    ("hullcheck.results", "MAX_RESULT_FINDINGS", 500_000, "500,000 / 10,000"),
    ("hullcheck.results", "MAX_RESULT_CHECKS", 10_000, "500,000 / 10,000"),
    ("hullcheck.results", "MAX_FIELD_CHARS", 16_384, "16,384 characters"),
    ("hullcheck.results", "MAX_ERRORS_PER_FILE", 10, "10 lines per file"),
    ("hullcheck.commands.merge", "MAX_MERGE_INPUTS", 100_000, "merge reads | 100,000"),
    ("hullcheck.commands.merge", "MAX_MERGED_FINDINGS", 1_000_000, "keeps | 1,000,000"),
    ("hullcheck.commands.merge", "MAX_MERGED_PLACES", 5_000_000, "5,000,000 in all"),
    ("hullcheck.commands.merge", "MAX_MERGED_CHECKS", 10_000, "merge keeps | 10,000"),
    ("hullcheck.commands.merge", "MAX_MERGED_KUBE_ENTRIES", 100_000, "100,000 each"),
    ("hullcheck.kube_overview", "MAX_WORKLOADS_LISTED", 1_000, "| 1,000; 10,000 |"),
    ("hullcheck.kube_overview", "MAX_EXPOSURE_ENTRIES", 10_000, "| 1,000; 10,000 |"),
    ("hullcheck.models.graph", "MAX_SHARED_SETS", 4_096, "| 4,096 (then the table starts"),
    ("hullcheck.inputs.k8s_container", "MAX_QUANTITIES", 4_096, "| 4,096 distinct, each"),
    ("hullcheck.inputs.k8s_container", "MAX_QUANTITY_TEXT", 64, "at most 64 characters"),
    ("hullcheck.inputs.compose_build", "MAX_BUILD_DOCKERFILES", 64, "64 distinct per project"),
    ("hullcheck.inputs.image.resolve", "MAX_RESOLVED_IMAGES", 64, "64 distinct references a run"),
    ("hullcheck.inputs.image.resolve", "RESOLVE_BUDGET_SECONDS", 600.0, "600 s a run in total"),
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
