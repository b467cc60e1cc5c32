"""Run the host audit: host rules on the host, container rules on each container, then every
benchmark check's result from the findings (``checks.VERDICTS``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hullcheck.findings import Check, CheckResult, Finding, InputError, Report, Skipped
from hullcheck.hostaudit.catalog import TAG_PREFIX, checks, tag_of
from hullcheck.hostaudit.images import judge_images
from hullcheck.hostaudit.verdicts import Facts
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule

# Tags that mean nothing on a host without the matching LSM: a container rule may still emit
# them from platform-neutral fields, so they are dropped there (the check is not applicable).
# Start and end (epoch seconds) of the last ``hullcheck host`` run in this process, for the
# docker-bench-json reporter (the Report contract has no timestamps).
LAST_RUN: dict[str, float] = {}

LSM_TAGS = {TAG_PREFIX + "5.2": "apparmor", TAG_PREFIX + "5.3": "selinux"}


def container_rules(rules: Iterable[type[Rule]]) -> list[type[Rule]]:
    return [r for r in rules if r.implements("check_container") and "docker" in r.platforms]


def audit(host: DockerHost, ctx: Context, rules: Sequence[type[Rule]] | None = None) -> Report:
    from hullcheck.engine import Engine

    if rules is None:
        from hullcheck.rules import all_rules

        rules = all_rules()
    report = Report()
    facts = Facts(host=host)
    if host.engine_error:
        report.errors.append(InputError(path=host.endpoint, message=host.engine_error))
        # The rules that judge what only the engine lists (its containers and images) cannot run:
        # each is reported skipped, with the reason (the benchmark checks they carry say
        # `error`); host rules still judge what they can read without the engine.
        from hullcheck.hostaudit.images import CONFIG_RULES

        engine_bound = [*container_rules(rules), *(r for r in rules if r.id in CONFIG_RULES)]
        report.skipped.extend(
            Skipped(r.id, f"needs the Docker engine: {host.engine_error}")
            for r in dict.fromkeys(engine_bound)
        )
    if host.daemon.daemon_json_error:
        report.errors.append(
            InputError(path=host.daemon.daemon_json_path or "daemon.json",
                       message=host.daemon.daemon_json_error)
        )

    engine = Engine(list(rules), ctx, debug=bool(ctx.options.get("debug")))
    report.findings.extend(engine.run("check_host", host, where=host.endpoint))
    for rule_cls in rules:
        for cid in tag_of(rule_cls.references):
            facts.carried.setdefault(cid, []).append(rule_cls.id)
    for rule_cls in container_rules(rules):
        for cid in tag_of(rule_cls.references):
            facts.container_rules.setdefault(cid, []).append(rule_cls.id)
    engine.run_containers([c.spec for c in host.containers], report)
    report.findings.extend(judge_images(host, ctx, rules, engine))
    _attribute_crashes(engine.crashes, rules, facts)
    report.errors.extend(_unique(engine.crashes))
    engine.crashes = []

    report.findings = [f for f in report.findings if _meaningful(f, host)]
    for finding in report.findings:
        for cid in tag_of(finding.references):
            facts.findings.setdefault(cid, []).append(finding)

    from hullcheck.hostaudit.checks import VERDICTS

    for cis in checks():
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


def _attribute_crashes(
    crashes: list[InputError], rules: Sequence[type[Rule]], facts: Facts
) -> None:
    """A crashed rule's checks become errors (not passes)."""
    for crash in crashes:
        for rule_cls in rules:
            if f"rule {rule_cls.id} crashed" in crash.message:
                for cid in tag_of(rule_cls.references):
                    facts.errors.setdefault(cid, crash.message)


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
    by_id = {c.tag: c for c in checks()}
    total = 0
    for check in results:
        cis = by_id.get(check.id)
        if cis is None or not cis.scored:
            continue
        if check.result is CheckResult.PASS:
            total += 1
        elif check.result is CheckResult.FAIL:
            total -= 1
    return total
