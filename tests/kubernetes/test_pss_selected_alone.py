"""A Pod Security baseline rule selected without its restricted successor reports at the default
restricted level (an explicitly selected rule always reports); a selection naming both, or none,
keeps restricted reporting in its place. The fixtures in tests/fixtures/kubernetes/pss/selected
prove the findings; this pins which selections count."""

from __future__ import annotations

import pytest

from hullcheck.rules.kubernetes._pss import selected_alone

ALL_FOUR = frozenset({"K8S004", "K8S005", "K8S009", "K8S010"})


@pytest.mark.parametrize(("select", "explicit", "alone"), [
    (["K8S004"], ["K8S004"], {"K8S004"}),
    (["K8S004", "K8S018"], ["K8S004", "K8S018"], {"K8S004"}),  # both named: both report
    (["pss:baseline"], [], ALL_FOUR),
    (["pss:baseline:hostPathVolumes"], [], {"K8S005"}),
    (["pss:baseline", "K8S018"], ["K8S018"], ALL_FOUR - {"K8S004"}),
    (["pss"], [], set()),
    (["K8S"], [], set()),
    (["cis-k8s-1.10:5.2.9"], [], set()),  # K8S004 and K8S018 both carry 5.2.9
    (["cis-k8s-1.10:5.2.12"], [], set()),  # K8S005 and K8S013 both carry 5.2.12
    (["K8S002"], ["K8S002"], set()),  # not overridden: judged at restricted anyway
    ([], [], set()),
])
def test_selected_alone(select: list[str], explicit: list[str], alone: set[str]) -> None:
    assert selected_alone(select, explicit) == frozenset(alone)
