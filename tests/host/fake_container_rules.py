"""Test doubles for the container rules of issue 3: just enough to test how the host audit maps
findings tagged ``cis-docker-1.6:5.x`` to check results. The real rules live in
``hullcheck.rules.container`` and are exercised by the live tests."""

from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.base import Context, Rule


def _fake(rule_id: str, tag: str, predicate):  # type: ignore[no-untyped-def]
    class Fake(Rule):
        id = rule_id
        name = f"fake-{rule_id.lower()}"
        title = f"fake rule for {tag}"
        severity = Severity.HIGH
        inputs = frozenset({"compose", "kubernetes", "host"})
        references = (f"cis-docker-1.6:{tag}",)

        def check_container(self, ctx: Context, spec: ContainerSpec) -> Iterable[Finding]:
            if predicate(spec):
                yield self.finding(spec.loc(), f"{tag} on {spec.name}", evidence=tag)

    Fake.__name__ = f"Fake{rule_id}"
    return Fake


def _all_interfaces(spec: ContainerSpec) -> bool:
    return any(p.host_port and p.host_ip in (None, "", "0.0.0.0", "::") for p in spec.ports)


def _restart(spec: ContainerSpec) -> bool:
    if spec.restart_policy == "always":
        return True
    return spec.restart_policy == "on-failure" and (spec.restart_max_retries or 0) > 5


FAKE_RULES = [
    _fake("CT901", "5.2", lambda s: s.apparmor == "unconfined"),
    _fake("CT902", "5.3", lambda s: bool(s.selinux_disabled)),
    _fake("CT905", "5.5", lambda s: bool(s.privileged)),
    _fake("CT908", "5.8", lambda s: any(p.host_port and int(p.host_port) < 1024
                                         for p in s.ports)),
    _fake("CT914", "5.14", _all_interfaces),
    _fake("CT915", "5.15", _restart),
    _fake("CT932", "5.32", lambda s: any(m.source.endswith("docker.sock") for m in s.mounts)),
]
