"""The host audit's post-processor: what the engine found on a Docker host (findings, typed skips,
crashes) becomes the result of every benchmark check (``checks.VERDICTS``), plus the score.

The rules run in the one engine every command uses (``Engine.judge_host``), built once from the
selection and the catalogue (``in_benchmark``): a rule the selection leaves out never runs here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from hullcheck.findings import Check, Finding, InputError, Report, RuleCrash
from hullcheck.hostaudit import verdicts
from hullcheck.hostaudit.catalog import TAG_PREFIX, checks, tag_of
from hullcheck.hostaudit.images import unavailable_needs
from hullcheck.hostaudit.verdicts import Facts
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule

if TYPE_CHECKING:  # the engine is imported when a run needs it
    from hullcheck.engine import Engine

# Tags that mean nothing on a host without the matching LSM: a container rule may still emit
# them from platform-neutral fields, so they are dropped there (the check is not applicable).
LSM_TAGS = {TAG_PREFIX + "5.2": "apparmor", TAG_PREFIX + "5.3": "selinux"}


def in_benchmark(rule: type[Rule]) -> bool:
    """Whether the host audit runs ``rule``: every rule judging the host or its containers, and
    the image rules carrying a section-4 check the audit judges from the findings on the
    engine's images (``checks.JUDGED_FROM_IMAGE_RULES``; the rest of section 4 is manual on a
    host, or judged by ``hullcheck image``)."""
    from hullcheck.hostaudit.checks import JUDGED_FROM_IMAGE_RULES

    if "host" in rule.inputs:
        return True
    return any(cid in JUDGED_FROM_IMAGE_RULES for cid in tag_of(rule.references))


def container_rules(rules: Iterable[type[Rule]]) -> list[type[Rule]]:
    return [r for r in rules if r.implements("check_container") and "docker" in r.platforms]


def audit(host: DockerHost, ctx: Context, rules: Sequence[type[Rule]] | None = None) -> Report:
    """Judge ``host`` with the benchmark's rules among ``rules`` (default: every rule), in one
    engine: for tests and the benchmark script; ``hullcheck host`` builds its engine from the
    selection (``commands.host``)."""
    from hullcheck.engine import Engine

    if rules is None:
        from hullcheck.rules import all_rules

        rules = all_rules()
    engine = Engine([r for r in rules if in_benchmark(r)], ctx,
                    debug=ctx.options.debug)
    return judge(host, engine)


def judge(host: DockerHost, engine: Engine, unselected: Iterable[type[Rule]] = ()) -> Report:
    """Run ``engine`` on ``host`` and turn what it found into the benchmark's checks.

    ``unselected``: the benchmark's rules the selection left out; a check only they carry is
    not judged by this run, so it is not listed (rather than passed for want of findings)."""
    from hullcheck.hostaudit.images import image_model
    from hullcheck.models.environment import Environment

    report = Report()
    if host.engine_error:
        report.errors.append(InputError(path=host.endpoint, message=host.engine_error))
    if host.daemon.daemon_json_error:
        report.errors.append(
            InputError(path=host.daemon.daemon_json_path or "daemon.json",
                       message=host.daemon.daemon_json_error)
        )
    images = [(i.ref, image_model(i)) for i in host.images]
    findings = engine.judge_host(host, images, unavailable_needs(host), Environment.current())
    # The rules that judge what only the engine lists (its containers and images) could not run:
    # each is reported skipped, with the reason (the checks they carry say `error`); host rules
    # still judged what they could read without the engine.
    report.skipped.extend(s.skipped() for s in engine.skips)
    engine.skips = []
    ran = [type(r) for r in engine.rules]
    facts = Facts(host=host)
    for rule_cls in ran:
        for cid in tag_of(rule_cls.references):
            facts.carried.setdefault(cid, []).append(rule_cls.id)
    for rule_cls in container_rules(ran):
        for cid in tag_of(rule_cls.references):
            facts.container_rules.setdefault(cid, []).append(rule_cls.id)
    crashes = engine.crashes
    engine.crashes = []
    for crash in crashes:  # a crashed rule's checks become errors (not passes)
        if isinstance(crash, RuleCrash):
            for cid in tag_of(_references(crash.rule, ran)):
                facts.errors.setdefault(cid, crash.message)
    report.errors.extend(_unique(crashes))

    report.findings = [f for f in findings if _meaningful(f, host)]
    for finding in report.findings:
        for cid in tag_of(finding.references):
            facts.findings.setdefault(cid, []).append(finding)
    left_out = {cid for r in unselected for cid in tag_of(r.references)} - set(facts.carried)

    from hullcheck.hostaudit.checks import VERDICTS

    for cis in checks():
        if cis.id in left_out:
            continue
        outcome = VERDICTS[cis.id](facts, cis.id)
        report.checks.append(
            Check(
                id=cis.tag,
                title=cis.title,
                result=outcome.result,
                reason=outcome.reason,
                evidence=outcome.evidence,
            )
        )
    report.score = score(report.checks)
    return report


def environment_checks(findings: Iterable[Finding], engine: Engine) -> list[Check]:
    """The checks about the client environment (those the engine's ``check_environment`` rules
    carry, 4.5 content trust): all a run without a host (``hullcheck image``) can say of the
    benchmark, judged as the host audit judges them."""
    from hullcheck.hostaudit.catalog import by_id
    from hullcheck.hostaudit.checks import VERDICTS

    rules = [type(r) for r in engine.rules if type(r).implements("check_environment")]
    facts = Facts(host=DockerHost(endpoint="", local=False))
    for rule_cls in rules:
        for cid in tag_of(rule_cls.references):
            facts.carried.setdefault(cid, []).append(rule_cls.id)
    for finding in findings:
        for cid in tag_of(finding.references):
            if cid in facts.carried:
                facts.findings.setdefault(cid, []).append(finding)
    out = []
    for cid in facts.carried:
        cis = by_id()[cid]
        outcome = VERDICTS[cid](facts, cid)
        out.append(Check(id=cis.tag, title=cis.title, result=outcome.result,
                         reason=outcome.reason, evidence=outcome.evidence))
    return out


def _references(rule_id: str, rules: Sequence[type[Rule]]) -> tuple[str, ...]:
    return next((r.references for r in rules if r.id == rule_id), ())


def _unique(errors: list[InputError]) -> list[InputError]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in errors:
        key = (e.path, e.message.split(" (", 1)[0])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _meaningful(finding: Finding, host: DockerHost) -> bool:
    """Drop findings whose only CIS tags are AppArmor/SELinux ones on a host without them."""
    tags = [r for r in finding.references if r.startswith(TAG_PREFIX)]
    if not tags:
        return True
    enabled = {"apparmor": host.apparmor_enabled, "selinux": host.selinux_enabled}
    kept = [t for t in tags if t not in LSM_TAGS or enabled[LSM_TAGS[t]]]
    return bool(kept)


def score(results: Iterable[Check]) -> int:
    """Docker Bench's score: +1 per scored pass, -1 per scored failure."""
    return verdicts.score(results, (c.tag for c in checks() if c.scored))
