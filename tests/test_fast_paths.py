"""The fast paths of a large Dockerfile scan give the answers of the slow ones they replaced."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hullcheck.rules.dockerfile._util import Keywords
from hullcheck.sources import MAX_FILE_BYTES, read_source, walk

WORDS = ("insecure", "no-check-certificate", "GIT_SSL_NO_VERIFY", "Verify-Peer", "gpg", "nosig")
PATTERN = r"\s-[a-zA-Z]*k"
KEYWORDS = Keywords(WORDS, pattern=PATTERN)
ALTERNATION = re.compile("|".join([*(re.escape(w) for w in WORDS), PATTERN]), re.IGNORECASE)
# Letters where str.lower and re's case folding disagree, next to the ones they stand in for.
TRICKY = "sS\u017fkK\u212aiI\u0130\u0131eE"  # s S long-s k K Kelvin i I dotted-I dotless-i


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([*WORDS, " -k", " -sSk", "\t-K", " -", "-k"]),
                          st.text(alphabet=TRICKY + " -_=\n", max_size=6),
                          st.text(max_size=4)), max_size=6))
def test_keywords_agree_with_the_alternation(parts: list[str]) -> None:
    text = "".join(parts)
    assert KEYWORDS.search(text) == (ALTERNATION.search(text) is not None)


@pytest.mark.parametrize("text", ["IN\u017fECURE", "no-check-certificate", "curl -s\u017fK x",
                                  "gpG", "apt-get install nothing", "curl -\u212a x",
                                  "\u0130nsecure"])
def test_keywords_non_ascii(text: str) -> None:
    assert KEYWORDS.search(text) == (ALTERNATION.search(text) is not None)


def test_read_source_reads_exactly_the_file(tmp_path: Path) -> None:
    for content in (b"", b"FROM alpine\n", "FROM caf\u00e9\n".encode() * 5000):
        path = tmp_path / "Dockerfile"
        path.write_bytes(content)
        src = read_source(path, "Dockerfile", explicit=False)
        assert src.text == content.decode()
        assert src.fs_path == path
        assert read_source(str(path), "Dockerfile", explicit=False).fs_path == path


def test_read_source_refuses_a_fifo_found_by_a_walk(tmp_path: Path) -> None:
    # A walked file that became a FIFO after the walk saw it: refused without blocking.
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        read_source(str(fifo), "Dockerfile", explicit=False)


def test_read_source_refuses_an_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    with path.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ValueError, match="file too large"):
        read_source(path, "Dockerfile", explicit=True)


def test_walk_gives_normalised_display_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "Dockerfile").write_text("FROM alpine\n")
    (tmp_path / "a" / "Dockerfile").write_text("FROM alpine\n")
    monkeypatch.chdir(tmp_path)
    for target in (".", "./", "a/..", "."):
        files = walk([target]).files
        assert [(display, explicit) for _, display, explicit, _ in files] == [
            ("a/Dockerfile", False), ("a/b/Dockerfile", False)]
        assert all(Path(os_path).is_file() for os_path, _, _, _ in files)
    assert walk(["./a/Dockerfile"]).files == [("a/Dockerfile", "a/Dockerfile", True, None)]


def test_dockerfile_scans_import_img017_and_img019_alone() -> None:
    code = (
        "import sys\n"
        "from hullcheck.rules import rules_for_kinds\n"
        "ids = [r.id for r in rules_for_kinds(['dockerfile'])]\n"
        "assert ids[-2:] == ['IMG017', 'IMG019'], ids\n"
        "assert not any(i.startswith('IMG') for i in ids[:-2]), ids\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('hullcheck.rules.image.'))\n"
        "assert loaded == ['hullcheck.rules.image.attestation',\n"
        "                  'hullcheck.rules.image.signature'], loaded\n"
        "assert 'cryptography' not in sys.modules\n"
        "from hullcheck.rules.image import RULES\n"
        "assert len(RULES) == 19 and [r.id for r in RULES[-3:]] == ['IMG017', 'IMG018', 'IMG019']\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_crashing_instruction_rule_is_reported_and_the_rest_still_run() -> None:
    from collections.abc import Iterator
    from typing import Any

    from hullcheck.config import Config
    from hullcheck.engine import Engine
    from hullcheck.findings import Finding, Severity
    from hullcheck.inputs import input_kinds
    from hullcheck.rules.base import Context, Rule
    from hullcheck.sources import Source

    class Boom(Rule):
        id, name, title, severity = "TST001", "boom", "Boom", Severity.LOW
        inputs = frozenset({"dockerfile"})
        instructions = frozenset({"RUN"})

        def check_instruction(self, ctx: Context, dockerfile: Any, stage: Any,
                              instruction: Any) -> Iterator[Finding]:
            raise RuntimeError("kaput")

    class Every(Rule):
        id, name, title, severity = "TST002", "every", "Every", Severity.LOW
        inputs = frozenset({"dockerfile"})

        def check_instruction(self, ctx: Context, dockerfile: Any, stage: Any,
                              instruction: Any) -> Iterator[Finding]:
            yield self.finding(dockerfile.location(instruction.line), instruction.cmd)

    for debug in (False, True):
        engine = Engine([Boom, Every], Context(config=Config()), debug=debug)
        (kind,) = [k for k in input_kinds() if k.name == "dockerfile"]
        report = engine.load_and_judge(
            kind, [Source("Dockerfile", "FROM alpine\nRUN true\nUSER 1\n")])
        assert [f.message for f in report.findings] == ["FROM", "RUN", "USER"]
        assert len(engine.crashes) == 1
        crash = engine.crashes[0]
        assert crash.path == "Dockerfile"
        assert "rule TST001 crashed (RuntimeError: kaput" in crash.message
        assert ("Traceback" in crash.message) == debug


def test_files_without_the_marker_have_no_inline_suppressions() -> None:
    # inputs.dockerfile.parse skips the per-line search when "hullcheck:" is not in the file,
    # which holds as long as every inline comment must contain it literally.
    from hullcheck.suppress import INLINE

    assert not INLINE.flags & re.IGNORECASE and "hullcheck:" in INLINE.pattern
    assert INLINE.search("# hullcheck: ignore=DF001") is not None


def test_kubernetes_scans_import_neither_compose_nor_dockerfile_inputs(tmp_path: Path) -> None:
    """Classifying YAML files asks every kind's ``claims_name`` and ``sniff``: for manifests
    they answer from the name and the text (no "compose" in the name, no ``services`` or
    ``FROM`` line in the text), without importing the compose or Dockerfile input, BuildKit's
    parser or tree-sitter."""
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: c, image: nginx}]}\n")
    code = (
        "import sys\n"
        "from hullcheck import cli\n"
        f"code = cli.main(['scan', {str(tmp_path)!r}, '--format', 'json', '-o', '/dev/null'])\n"
        "heavy = [m for m in ('hullcheck.inputs.compose', 'hullcheck.inputs.dockerfile',\n"
        "                     'dockerfile', 'tree_sitter', 'hullcheck.rules.dockerfile')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert 'hullcheck.inputs.kubernetes' in sys.modules\n"
        "assert code == 0, code\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# What a scan of plain manifests (no chart, no kustomization, no --resolve-images, no Dockerfile)
# never needs: the renderers and the bounded runner with subprocess, the image and Dockerfile
# models, the shell parser, the host and node audits and every other rule family.
NOT_FOR_PLAIN_MANIFESTS = (
    "hullcheck.bounded_process", "subprocess", "selectors", "tempfile", "socket",
    "hullcheck.inputs.kustomize", "hullcheck.inputs.image.resolve", "hullcheck.models.image",
    "hullcheck.models.layers", "hullcheck.models.dockerfile", "hullcheck.inputs.shell",
    "hullcheck.models.shell", "hullcheck.nodeaudit", "hullcheck.hostaudit.catalog",
    "hullcheck.rules.dockerfile", "hullcheck.rules.host", "hullcheck.rules.node",
    "hullcheck.rules.image.env_secret", "hashlib", "_hashlib", "shutil",
)


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_a_plain_manifest_scan_imports_only_what_manifests_need(tmp_path: Path, fmt: str
                                                                ) -> None:
    # An inline ignore naming other families' rules and ids: validated from the rule catalogue.
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n  hostPID: true  # hullcheck: ignore=K8S002,DF001,HOST001\n"
        "  containers: [{name: c, image: nginx}]\n")
    code = (
        "import sys\n"
        "from hullcheck import cli\n"
        f"code = cli.main(['scan', {str(tmp_path)!r}, '--format', {fmt!r}, '-o', '/dev/null',\n"
        "                 '--fail-on', 'never'])\n"
        f"loaded = [m for m in {NOT_FOR_PLAIN_MANIFESTS!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert 'hullcheck.rules.kubernetes' in sys.modules\n"
        "assert code == 0, code\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_chart_and_resolved_images_still_load_what_they_need(tmp_path: Path) -> None:
    # The lazy imports are taken where they are needed: a kustomization runs the renderer's
    # lookup (and, with kustomize absent, says so), --resolve-images reads images.
    (tmp_path / "kustomization.yaml").write_text("resources: [deploy.yaml]\n")
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec: {containers: [{name: c, image: nginx}]}\n")
    code = (
        "import sys\n"
        "from hullcheck import cli\n"
        f"code = cli.main(['scan', {str(tmp_path)!r}, '--format', 'json', '-o', '/dev/null',\n"
        "                 '--fail-on', 'never', '--resolve-images'])\n"
        "for m in ('hullcheck.inputs.kustomize', 'hullcheck.inputs.image.resolve',\n"
        "          'hullcheck.inputs.shell'):\n"
        "    assert m in sys.modules, m\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_formats_that_do_not_show_the_overview_are_the_same_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The Kubernetes overview is built only for the formats that show it; every other format
    # writes exactly what it wrote when the overview was built for all.
    from hullcheck import cli, reporters_table
    from hullcheck.reporters_table import SHOWS_KUBERNETES, formats_for

    fixtures = Path(__file__).parent / "fixtures" / "kubernetes"
    target = str(fixtures / "suppress")
    assert {"json", "html"} == SHOWS_KUBERNETES
    others = [f for f in formats_for("scan") if f not in SHOWS_KUBERNETES]
    assert len(others) == 6, others
    monkeypatch.setenv("NO_COLOR", "1")
    for fmt in others:
        written = []
        for shows in (SHOWS_KUBERNETES, frozenset(formats_for("scan"))):
            monkeypatch.setattr(reporters_table, "SHOWS_KUBERNETES", shows)
            out = tmp_path / f"{fmt}-{len(shows)}.out"
            cli.main(["scan", target, "--format", fmt, "-o", str(out), "--fail-on", "never"])
            written.append(out.read_text())
        assert written[0] == written[1], fmt
        assert written[0], fmt


def test_fingerprints_are_hashlib_sha256() -> None:
    # findings.py hashes with CPython's own SHA-256 (no OpenSSL at start-up): the same digest.
    import hashlib

    from hullcheck.findings import Finding, Location, Severity, compute_fingerprint

    f = Finding(rule="K8S002", title="t", severity=Severity.HIGH, message="m",
                location=Location(path="a.yaml", object="Pod/default/p", container="c"),
                evidence="hostPID: true \udcff caf\u00e9")
    parts = ["K8S002", "a.yaml", "Pod/default/p", "c", "", "", f.evidence]
    want = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    assert compute_fingerprint(f) == want[:32]


@pytest.mark.parametrize("columns", [None, "100", "57", "abc", "0", "-5"])
def test_help_is_as_wide_as_argparse_makes_it(monkeypatch: pytest.MonkeyPatch,
                                              columns: str | None) -> None:
    # The CLI's help formatter finds the width without shutil; the help reads as argparse's.
    import argparse
    import shutil

    from hullcheck import cli

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli.terminal_columns() == shutil.get_terminal_size().columns
    parser = cli.build_parser("scan")
    scan = parser._subparsers._group_actions[0].choices["scan"]  # type: ignore[union-attr]
    ours = (parser.format_help(), scan.format_help())
    for p in (parser, scan):
        p.formatter_class = argparse.HelpFormatter
    assert (parser.format_help(), scan.format_help()) == ours
