"""The daemon-setting rules HOST013 to HOST028 (CIS Docker Benchmark 2.2 to 2.18), which replace
the retired HOST005: each fires on its own setting and stays quiet on a near miss.

Every case starts from a hardened local host on which no daemon-setting rule fires, changes one
thing, and asserts the exact set of daemon-setting findings: ``fire`` cases exactly one finding
of the rule (its tag, severity, setting and where it was set), ``near-miss`` cases none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hostfixtures import ctx, make_host, weak_daemon_host

from hullcheck.deprecations import RETIRED
from hullcheck.findings import Finding, Severity, compute_fingerprint
from hullcheck.models.host import DockerHost, Setting
from hullcheck.rules.host import DAEMON_RULES, RULES

DAEMON_JSON = "/etc/docker/daemon.json"
COMMAND_LINE = "dockerd command line"
BY_ID = {r.id: r for r in DAEMON_RULES}


def daemon_findings(host: DockerHost) -> list[Finding]:
    return [f for rule in DAEMON_RULES for f in rule().check_host(ctx(), host)]


def configure(host: DockerHost, source: str = DAEMON_JSON, **settings: Any) -> None:
    for key, value in settings.items():
        name = key.replace("_", "-")
        host.daemon.settings[name] = Setting(name, value, source)


def bridge(host: DockerHost) -> dict[str, Any]:
    net: dict[str, Any] = next(n for n in host.networks if n["Name"] == "bridge")
    return net


def hardened() -> DockerHost:
    """The captured engine with every daemon option of section 2 set as the benchmark wants."""
    host = make_host(containers=())
    host.local = True
    bridge(host)["Options"]["com.docker.network.bridge.enable_icc"] = "false"
    configure(host, no_new_privileges=True, userland_proxy=False, live_restore=True)
    host.info["LiveRestoreEnabled"] = True
    host.info["LoggingDriver"] = "syslog"
    host.info["SecurityOptions"].append("name=userns")
    host.info["Plugins"]["Authorization"] = ["authz-broker"]
    return host


def security_options(host: DockerHost, *options: str) -> None:
    host.info["SecurityOptions"] = [*host.info["SecurityOptions"], *options]


@dataclass(frozen=True)
class Case:
    rule: str
    label: str  # "fire" or "near-miss"
    what: str
    change: Callable[[DockerHost], None]
    setting: str = ""
    path: str | None = None
    message: str = ""  # a part of the message a fire case must show


def fire(rule: str, what: str, change: Callable[[DockerHost], None], setting: str,
         message: str, path: str | None = None) -> Case:
    return Case(rule, "fire", what, change, setting, path, message)


def near(rule: str, what: str, change: Callable[[DockerHost], None]) -> Case:
    return Case(rule, "near-miss", what, change)


CASES = [
    fire("HOST013", "bridge-option-enable-icc-true",
         lambda h: bridge(h)["Options"].update({"com.docker.network.bridge.enable_icc": "true"}),
         "icc", "icc is not false"),
    fire("HOST013", "no-bridge-option-icc-default",
         lambda h: bridge(h)["Options"].pop("com.docker.network.bridge.enable_icc"),
         "icc", "icc is not false"),
    near("HOST013", "config-icc-true-but-bridge-says-false",
         lambda h: configure(h, icc=True)),
    fire("HOST014", "log-level-warn", lambda h: configure(h, log_level="warn"),
         "log-level", "level 'warn'", DAEMON_JSON),
    fire("HOST014", "debug-without-level", lambda h: configure(h, debug=True),
         "log-level", "level 'debug'"),
    near("HOST014", "log-level-INFO-any-case", lambda h: configure(h, log_level="INFO")),
    fire("HOST015", "iptables-false", lambda h: configure(h, iptables=False),
         "iptables", "iptables: false", DAEMON_JSON),
    near("HOST015", "iptables-true", lambda h: configure(h, iptables=True)),
    fire("HOST016", "index-not-secure",
         lambda h: h.info["RegistryConfig"]["IndexConfigs"].update(
             {"reg.local:5000": {"Secure": False}}),
         "insecure-registries", "reg.local:5000"),
    near("HOST016", "only-the-loopback-default",
         lambda h: h.info["RegistryConfig"].update(
             {"InsecureRegistryCIDRs": ["127.0.0.0/8", "::1/128"]})),
    fire("HOST017", "aufs", lambda h: h.info.update({"Driver": "aufs"}),
         "storage-driver", "aufs"),
    near("HOST017", "overlay2", lambda h: h.info.update({"Driver": "overlay2"})),
    fire("HOST018", "tcp-with-tlsverify-but-no-key",
         lambda h: configure(h, COMMAND_LINE, hosts=["tcp://0.0.0.0:2376"], tlsverify=True,
                             tlscacert="/ca", tlscert="/cert"),
         "hosts", "without client TLS verification (tlskey)"),
    near("HOST018", "tcp-with-full-tls",
         lambda h: configure(h, hosts=["tcp://0.0.0.0:2376"], tlsverify=True, tlscacert="/ca",
                             tlscert="/cert", tlskey="/key")),
    near("HOST018", "unix-socket-only-without-tls",
         lambda h: configure(h, hosts=["unix:///var/run/docker.sock"])),
    fire("HOST019", "no-userns",
         lambda h: h.info.update({"SecurityOptions": [
             o for o in h.info["SecurityOptions"] if o != "name=userns"]}),
         "userns-remap", "remapping is off"),
    near("HOST019", "rootless-without-userns",
         lambda h: h.info.update({"SecurityOptions": [
             *(o for o in h.info["SecurityOptions"] if o != "name=userns"), "name=rootless"]})),
    fire("HOST020", "cgroup-parent", lambda h: configure(h, cgroup_parent="/custom"),
         "cgroup-parent", "(/custom)", DAEMON_JSON),
    near("HOST020", "cgroup-parent-empty", lambda h: configure(h, cgroup_parent="")),
    fire("HOST021", "dm-basesize", lambda h: configure(h, storage_opts=["dm.basesize = 20G"]),
         "storage-opts", "dm.basesize = 20G", DAEMON_JSON),
    near("HOST021", "other-storage-opt",
         lambda h: configure(h, storage_opts=["overlay2.size=10G"])),
    fire("HOST022", "no-authorization-plugin",
         lambda h: h.info["Plugins"].update({"Authorization": None}),
         "authorization-plugins", "no authorization plugin"),
    near("HOST022", "plugin-only-in-daemon-json",
         lambda h: (h.info["Plugins"].update({"Authorization": None}),
                    configure(h, authorization_plugins=["authz-broker"]))),
    fire("HOST023", "local-log-driver", lambda h: h.info.update({"LoggingDriver": "local"}),
         "log-driver", "log driver local"),
    near("HOST023", "journald", lambda h: h.info.update({"LoggingDriver": "journald"})),
    fire("HOST024", "no-new-privileges-false",
         lambda h: configure(h, no_new_privileges=False),
         "no-new-privileges", "no-new-privileges is not set", DAEMON_JSON),
    near("HOST024", "no-new-privileges-on-the-command-line",
         lambda h: configure(h, COMMAND_LINE, no_new_privileges=True)),
    fire("HOST025", "live-restore-off",
         lambda h: (h.info.update({"LiveRestoreEnabled": False}),
                    h.daemon.settings.pop("live-restore")),
         "live-restore", "live restore is off"),
    near("HOST025", "off-but-in-swarm-mode",
         lambda h: (h.info.update({"LiveRestoreEnabled": False}),
                    h.daemon.settings.pop("live-restore"),
                    h.info["Swarm"].update({"LocalNodeState": "active"}))),
    fire("HOST026", "userland-proxy-unset",
         lambda h: h.daemon.settings.pop("userland-proxy"),
         "userland-proxy", "userland proxy is enabled"),
    near("HOST026", "userland-proxy-false-on-the-command-line",
         lambda h: configure(h, COMMAND_LINE, userland_proxy=False)),
    fire("HOST027", "seccomp-unconfined",
         lambda h: security_options(h, "name=seccomp,profile=unconfined"),
         "seccomp-profile", "unconfined"),
    near("HOST027", "seccomp-builtin",
         lambda h: security_options(h, "name=seccomp,profile=builtin")),
    fire("HOST028", "experimental-server", lambda h: h.version.update({"Experimental": True}),
         "experimental", "experimental features are enabled"),
    near("HOST028", "experimental-false", lambda h: h.version.update({"Experimental": False})),
]


def test_the_hardened_host_is_clean() -> None:
    assert daemon_findings(hardened()) == []


def test_every_rule_has_a_fire_and_a_near_miss_case() -> None:
    assert {c.rule for c in CASES if c.label == "fire"} == set(BY_ID)
    assert {c.rule for c in CASES if c.label == "near-miss"} == set(BY_ID)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}-{c.label}-{c.what}")
def test_daemon_setting_rule(case: Case) -> None:
    host = hardened()
    case.change(host)
    found = daemon_findings(host)
    if case.label == "near-miss":
        assert found == []
        return
    (f,) = found
    rule = BY_ID[case.rule]
    assert (f.rule, f.title, f.severity) == (rule.id, rule.title, rule.severity)
    assert f.references == (f"cis-docker-1.6:{rule.check_id}",)
    assert (f.location.setting, f.location.path) == (case.setting, case.path)
    assert case.message in f.message
    assert f.remediation == rule.fix
    # HOST005's evidence, so that a HOST005 baseline entry still matches (see below)
    assert f.evidence == f"{case.setting}: {f.message}"


def test_severities_are_those_host005_gave_each_setting() -> None:
    assert {r.id: r.severity for r in DAEMON_RULES} == {
        "HOST013": Severity.MEDIUM, "HOST014": Severity.LOW, "HOST015": Severity.MEDIUM,
        "HOST016": Severity.HIGH, "HOST017": Severity.MEDIUM, "HOST018": Severity.CRITICAL,
        "HOST019": Severity.MEDIUM, "HOST020": Severity.INFO, "HOST021": Severity.LOW,
        "HOST022": Severity.LOW, "HOST023": Severity.LOW, "HOST024": Severity.MEDIUM,
        "HOST025": Severity.LOW, "HOST026": Severity.LOW, "HOST027": Severity.HIGH,
        "HOST028": Severity.LOW,
    }


def test_config_read_settings_only_on_a_local_engine() -> None:
    """daemon.json and the dockerd command line are read only where the engine runs here."""
    host = weak_daemon_host()
    host.local = False
    judged = {f.rule for f in daemon_findings(host)}
    assert judged == {r.id for r in DAEMON_RULES if not r.needs_config}
    assert judged == {"HOST013", "HOST016", "HOST017", "HOST019", "HOST022", "HOST023",
                      "HOST025", "HOST027", "HOST028"}


def test_only_registry_and_seccomp_judged_on_podman() -> None:
    host = weak_daemon_host()
    host.version["Components"] = [{"Name": "Podman Engine", "Version": "4.3.1"}]
    assert host.is_podman
    assert {f.rule for f in daemon_findings(host)} == {"HOST016", "HOST027"}


def test_engine_judged_settings_need_docker_info() -> None:
    host = weak_daemon_host()
    host.info = {}
    assert {f.rule for f in daemon_findings(host)} == {
        r.id for r in DAEMON_RULES if r.needs_config}


def test_successors_are_the_daemon_rules_in_the_registry() -> None:
    successors = RETIRED["HOST005"].successors
    assert [s.id for s in successors] == [r.id for r in DAEMON_RULES]
    assert [s.reference for s in successors] == [r.references[0] for r in DAEMON_RULES]
    # ids continue after the highest id the family had before (HOST012), none reused
    others = [r.id for r in RULES if r not in DAEMON_RULES]
    assert max(others) == "HOST012" and min(r.id for r in DAEMON_RULES) == "HOST013"


def test_findings_keep_host005_fingerprints() -> None:
    """The 0.1.0 baseline's HOST005 fingerprints are the successors' findings fingerprinted as
    HOST005, one each."""
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).parent / "data" / "baseline-host005-0.1.0.json").read_text())
    old = sorted(e["fingerprint"] for e in doc["findings"] if e["rule"] == "HOST005")
    found = daemon_findings(weak_daemon_host())
    assert len(found) == 16 == len(old)
    assert sorted(compute_fingerprint(f, "HOST005") for f in found) == old
    assert not {f.fingerprint for f in found} & set(old)  # their own ids make new fingerprints
