"""The rule catalogue (``hullcheck.rules.catalog``) says what the rule classes say, so selectors,
suppressions and SARIF's rule list read it instead of importing every rule family."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hullcheck.cli import catalogue, selector_names
from hullcheck.rules import FAMILIES, _family
from hullcheck.rules.catalog import RuleInfo, catalog, check_tags

MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: inline
spec:
  hostIPC: true  # hullcheck: ignore=K8S002,DF001,cis-docker-1.6:2.1 the node agent needs it
  containers:
    - name: one
      image: app:1
      securityContext:
        privileged: true
"""


def test_the_catalogue_is_the_rules_metadata() -> None:
    rules = catalogue()
    infos = catalog()
    assert [i.id for i in infos] == [r.id for r in rules]
    assert len(infos) == 169
    for info, rule in zip(infos, rules, strict=True):
        assert isinstance(info, RuleInfo)
        assert (info.name, info.title, info.severity, info.inputs, info.references,
                info.extra_references, info.fix) == (
            rule.name, rule.title, rule.severity, rule.inputs, rule.references,
            rule.extra_references, rule.fix), rule.id
        assert info.all_references() == rule.all_references()
        assert info.documentation() == rule.documentation()
        assert info.doc_sections() == rule.doc_sections()
        assert rule in _family(info.family)
        assert any(entry.partition(":")[0] == info.family for entry, _ in FAMILIES)


def test_the_check_tags_are_the_audits() -> None:
    from hullcheck.hostaudit.catalog import checks
    from hullcheck.nodeaudit import checks as node_checks

    assert check_tags() == tuple([c.tag for c in checks()] + [c.tag for c in node_checks()])
    assert len(check_tags()) == len(checks()) + 24


def test_selector_names_are_the_same_from_either() -> None:
    by_class, by_info = selector_names(catalogue()), selector_names(catalog())
    for selector in ("K8S", "K8S002", "cis-docker-1.6:2.1", "pss:baseline", "DF", "NODE001",
                     "cis-k8s-1.10:4.1.1", "hadolint:DL3002", "KNS999", "nope:1"):
        assert by_class.knows(selector) == by_info.knows(selector), selector
    assert by_info.unknown(["KNS999", "K8S002"]) == by_class.unknown(["KNS999", "K8S002"])
    assert by_info.explain_unknown("K8S02") == by_class.explain_unknown("K8S02")


def test_a_kubernetes_scan_validating_names_imports_no_other_family(tmp_path: Path) -> None:
    # An inline suppression naming rules of other families, --select and --ignore, SARIF (whose
    # rule list holds every rule): all answered from the catalogue, so only the families that
    # judge Kubernetes (container, kubernetes, cluster, and IMG017/IMG019 alone) are imported.
    manifest = tmp_path / "pod.yaml"
    manifest.write_text(MANIFEST)
    code = (
        "import sys\n"
        "from hullcheck.cli import main\n"
        f"code = main(['scan', {str(manifest)!r}, '--format', 'sarif', '-o', '/dev/null',\n"
        "             '--select', 'K8S,KNS,CT,IMG,DF001', '--ignore', 'HOST001',\n"
        "             '--fail-on', 'never'])\n"
        "assert code == 0, code\n"
        "families = sorted({m.split('.')[2] for m in sys.modules\n"
        "                   if m.startswith('hullcheck.rules.') and m.count('.') >= 3})\n"
        "assert families == ['cluster', 'container', 'image', 'kubernetes'], families\n"
        "images = sorted(m for m in sys.modules if m.startswith('hullcheck.rules.image.'))\n"
        "assert images == ['hullcheck.rules.image.attestation',\n"
        "                  'hullcheck.rules.image.signature'], images\n"
        "assert 'hullcheck.nodeaudit' not in sys.modules\n"
        "assert 'hullcheck.hostaudit.catalog' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
