"""How a check's result follows from the facts: the building blocks of the check table.

A check is *judged* (pass/fail from the findings carrying its tag, after its applicability and
the engine/local-files preconditions), or *manual* (only for checks the benchmark marks Manual:
what to verify by hand, with the evidence the audit gathered).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hullcheck.findings import Check, CheckResult, Finding
from hullcheck.models.host import DockerHost


@dataclass(slots=True)
class Outcome:
    result: CheckResult
    reason: str = ""
    evidence: str = ""


@dataclass
class Facts:
    host: DockerHost
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by check id
    errors: dict[str, str] = field(default_factory=dict)  # check id -> a rule crashed
    container_rules: dict[str, list[str]] = field(default_factory=dict)  # check id -> rule ids
    carried: dict[str, list[str]] = field(default_factory=dict)  # check id -> any rule ids


Verdict = Callable[[Facts, str], Outcome]
Reason = Callable[[Facts], str | None]

MAX_EVIDENCE = 5


def remote_reason(host: DockerHost) -> str:
    if host.local_reason:
        return host.local_reason
    return (
        f"the engine at {host.endpoint} runs on another machine: its files and processes "
        "cannot be read from here"
    )


def summarise(findings: list[Finding]) -> str:
    lines = [f.message for f in findings[:MAX_EVIDENCE]]
    if len(findings) > MAX_EVIDENCE:
        lines.append(f"... and {len(findings) - MAX_EVIDENCE} more")
    return "\n".join(lines)


def judged(
    *,
    local: bool = False,
    engine: bool = False,
    na: Reason | None = None,
    passed: Reason | None = None,
    needs_rule: bool = False,
) -> Verdict:
    """Pass/fail from the findings tagged with the check. ``needs_rule``: the findings come from
    another family's rules (image rules for 4.x), so without one of them there is no verdict."""

    def verdict(facts: Facts, check_id: str) -> Outcome:
        host = facts.host
        if local and not host.local:
            return Outcome(CheckResult.NOT_APPLICABLE, remote_reason(host))
        if engine and host.engine_error:
            return Outcome(CheckResult.ERROR, host.engine_error)
        reason = na(facts) if na else None
        if reason:
            return Outcome(CheckResult.NOT_APPLICABLE, reason)
        if check_id in facts.errors:
            return Outcome(CheckResult.ERROR, facts.errors[check_id])
        if needs_rule and not facts.carried.get(check_id):
            return Outcome(
                CheckResult.ERROR, f"no registered rule carries cis-docker-1.6:{check_id}"
            )
        found = facts.findings.get(check_id) or []
        if found:
            noun = "finding" if len(found) == 1 else "findings"
            return Outcome(CheckResult.FAIL, f"{len(found)} {noun}", summarise(found))
        return Outcome(CheckResult.PASS, (passed(facts) if passed else None) or "")

    return verdict


def manual(
    text: str,
    *,
    evidence: Reason | None = None,
    na: Reason | None = None,
    engine: bool = False,
) -> Verdict:
    def verdict(facts: Facts, check_id: str) -> Outcome:
        if engine and facts.host.engine_error:
            return Outcome(CheckResult.ERROR, facts.host.engine_error)
        reason = na(facts) if na else None
        if reason:
            return Outcome(CheckResult.NOT_APPLICABLE, reason)
        return Outcome(CheckResult.MANUAL, text, (evidence(facts) if evidence else None) or "")

    return verdict


def containers_judged(na: Reason | None = None) -> Verdict:
    """A section-5 check judged by the container rules carrying its tag, on every container."""
    base = judged(engine=True, na=na)

    def verdict(facts: Facts, check_id: str) -> Outcome:
        host = facts.host
        if host.engine_error:
            return Outcome(CheckResult.ERROR, host.engine_error)
        reason = na(facts) if na else None
        if reason:
            return Outcome(CheckResult.NOT_APPLICABLE, reason)
        if not host.containers:
            which = (
                "no containers on this host" if host.all_containers
                else "no running containers on this host (--all adds created and stopped ones)"
            )
            return Outcome(CheckResult.NOT_APPLICABLE, which)
        rules = facts.container_rules.get(check_id) or []
        if not rules and not facts.findings.get(check_id):
            return Outcome(
                CheckResult.ERROR,
                f"no registered container rule carries cis-docker-1.6:{check_id}",
            )
        outcome = base(facts, check_id)
        if outcome.result is CheckResult.PASS:
            n = len(host.containers)
            outcome.reason = f"{n} container{'s' if n != 1 else ''} judged by {', '.join(rules)}"
        return outcome

    return verdict


def score(results: Iterable[Check], scored: Iterable[str]) -> int:
    """A benchmark's score as Docker Bench and kube-bench count it: +1 per pass and -1 per
    failure of the checks whose ids are in ``scored`` (the benchmark's scored items)."""
    ids = frozenset(scored)
    return sum({CheckResult.PASS: 1, CheckResult.FAIL: -1}.get(c.result, 0)
               for c in results if c.id in ids)
