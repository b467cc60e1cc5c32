"""What every Pod Security Standards rule shares: when a control is judged, and how a violation
becomes a finding.

pod-security-admission (``policy/registry.go``) builds, for each level and version, the list of
checks to run: at ``baseline`` the baseline checks that exist at that version; at ``restricted``
the restricted checks that exist at that version plus every baseline check that none of those
overrides (``OverrideCheckIDs``). ``privileged`` runs nothing. Versions newer than the newest
check are clamped to it. ``PssRule.judged`` is that table.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from hullcheck.findings import Finding, Severity
from hullcheck.models.pod import Pod, PodContainer
from hullcheck.rules.base import Rule

# control -> (overriding restricted control, first version it overrides)
OVERRIDES: dict[str, tuple[str, tuple[int, int]]] = {
    "hostPathVolumes": ("restrictedVolumes", (1, 0)),
    "capabilities_baseline": ("capabilities_restricted", (1, 22)),
    "seccompProfile_baseline": ("seccompProfile_restricted", (1, 19)),
    "procMount": ("procMount_restricted", (1, 35)),
}
# Windows pods (``spec.os.name: windows``) are exempt from these from 1.25 on.
WINDOWS_EXEMPT_FROM = (1, 25)


@dataclass
class Violation:
    line: int
    message: str
    container: PodContainer | None = None  # None: a pod-level field
    evidence: str = ""
    cis: tuple[str, ...] | None = None  # the CIS ids this violation maps to (default: all)
    severity: Severity | None = None


class PssRule(Rule):
    """Base of the ``pss:*`` rules; subclasses implement ``violations``."""

    control: ClassVar[str]
    level: ClassVar[str]  # the level that defines the control: baseline | restricted
    min_version: ClassVar[tuple[int, int]] = (1, 0)
    windows_exempt: ClassVar[bool] = False
    cis: ClassVar[tuple[str, ...]] = ()  # cis-k8s-1.10 ids
    inputs = frozenset({"kubernetes"})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "control" in cls.__dict__:
            cls.references = cls.tags()

    @classmethod
    def judged(cls, level: str, version: tuple[int, int], alone: bool = False) -> bool:
        """Does pod-security-admission run this control for ``level`` at ``version``? With
        ``alone`` (the selection names this rule but not the restricted one overriding it), a
        baseline control is judged at restricted too: every pod restricted admits passes it."""
        if level not in ("baseline", "restricted"):
            return False
        if cls.level == "restricted" and level != "restricted":
            return False
        if version < cls.min_version:
            return False
        override = OVERRIDES.get(cls.control)
        return alone or not (level == "restricted" and override is not None
                             and version >= override[1])

    def check_pod(self, ctx: Any, pod: Pod) -> Iterator[Finding]:
        # Runs for every rule on every pod (20 x 50,000 in a large scan), and most pods pass:
        # the text of a finding is made once one is found.
        policy = pod.pss
        alone = self.id in getattr(ctx, "selected_alone", ())
        if not self.judged(policy.level, policy.version, alone):
            return
        if self.windows_exempt and pod.is_windows and policy.version >= WINDOWS_EXEMPT_FROM:
            return
        context = ""
        for v in self.violations(pod, policy.version):
            if not context:
                context = f" (PSS {policy.level} {policy.version_text}"
                context += f", from {policy.source})" if policy.source != "--pss-level" else ")"
            yield self.finding(
                pod.location(v.line, v.container),
                v.message + context,
                references=_tags(self.level, self.control, self.cis if v.cis is None else v.cis),
                severity=v.severity,
                evidence=f"{self.control}:{v.evidence or v.message}",
            )

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        raise NotImplementedError

    @classmethod
    def tags(cls) -> tuple[str, ...]:
        return _tags(cls.level, cls.control, cls.cis)


@functools.lru_cache(maxsize=256)
def _tags(level: str, control: str, cis: tuple[str, ...]) -> tuple[str, ...]:
    """``pss:<level>:<control>`` then the CIS ids in benchmark order (one tuple per distinct
    answer, shared by every finding carrying it)."""
    ordered = sorted(cis, key=lambda c: tuple(int(p) for p in c.split(".")))
    return (f"pss:{level}:{control}", *(f"cis-k8s-1.10:{c}" for c in ordered))


def show(value: object) -> str:
    """A field value as the manifest spells it (``true``, not ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def quote(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def selected_alone(select: Iterable[str], explicit: Iterable[str]) -> frozenset[str]:
    """The overridden baseline rules a selection names without their restricted successor: by
    id (``explicit``: ``--select K8S004``), or by a tag selector matching the baseline rule's
    tags when no selector names the successor (``pss:baseline``,
    ``pss:baseline:capabilities_baseline``; not ``pss``, ``K8S`` or ``cis-k8s-1.10:5.2.9``,
    which name both, so restricted reports as by default). Only these rules then judge at
    restricted, where the successor reports in their place otherwise."""
    from hullcheck.rules import rules_for_kinds
    from hullcheck.suppress import selector_matches

    named = set(explicit)
    given = [s.strip() for s in select]
    pss = {r.control: r for r in rules_for_kinds(("kubernetes",))
           if isinstance(r, type) and issubclass(r, PssRule) and "control" in r.__dict__}
    out: set[str] = set()
    for control, (successor, _since) in OVERRIDES.items():
        base, over = pss.get(control), pss.get(successor)
        if base is None:
            continue
        if base.id in named:
            out.add(base.id)
            continue
        # A family (``K8S``) or a tag naming both (``pss``) selects the successor too: it
        # reports in the baseline rule's place, as by default.
        over_named = over is not None and any(selector_matches(s, over.id, over.tags())
                                              for s in given)
        if not over_named and any(selector_matches(s, base.id, base.tags()) for s in given):
            out.add(base.id)
    return frozenset(out)
