"""Every container rule speaks the platform's language in message and fix: compose keys for
compose, Kubernetes fields for Kubernetes, ``docker run`` flags for a live container; and the
fingerprint does not depend on those words."""

from __future__ import annotations

import re

import pytest

from hullcheck.config import Config
from hullcheck.findings import Finding, Location
from hullcheck.models.container import ContainerSpec, EnvVar, Mount, Platform, Port
from hullcheck.rules.base import Context
from hullcheck.rules.container import RULES

# Words only another platform uses: seeing one in a finding means the user is told to edit
# something that does not exist where the container is described.
COMPOSE_WORDS = re.compile(r"mem_limit|deploy\.resources|`read_only|security_opt|cap_drop:|"
                           r"`user:`|`restart:|`healthcheck:`|network_mode|cgroup_parent|"
                           r"`devices:`|seccomp:unconfined|apparmor:unconfined|label:disable|"
                           r"\bcpus /|pids_limit /")
DOCKER_FLAGS = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
KUBERNETES_WORDS = re.compile(r"securityContext|(?<!deploy\.)resources\.limits|"
                              r"readOnlyRootFilesystem|Secret\b|emptyDir|LimitRange")


def _worst(platform: Platform) -> ContainerSpec:
    """A container with every setting a container rule judges set badly."""
    return ContainerSpec(
        platform=platform, location=Location(path="x.yaml", line=3, container="c"), name="c",
        image="nginx:latest", user="root", privileged=True, cap_add=["SYS_ADMIN"],
        no_new_privileges=False, seccomp="unconfined", apparmor="unconfined",
        selinux_disabled=True, host_network=True, host_pid=True, host_ipc=True, host_uts=True,
        userns_host=True, read_only_rootfs=False,
        mounts=[Mount("/var/run/docker.sock", "/var/run/docker.sock"),
                Mount("/etc", "/host-etc", propagation="rshared")],
        devices=["/dev/sda"], ports=[Port("8080", "80")], restart_policy="always",
        healthcheck=False, cgroup_parent="/system.slice",
        env=[EnvVar("DB_PASSWORD", "correct-horse-battery"),
             EnvVar("POSTGRES_HOST_AUTH_METHOD", "trust")],
    )


def _findings(platform: Platform) -> list[Finding]:
    ctx = Context(config=Config())
    spec = _worst(platform)
    out: list[Finding] = []
    for rule in RULES:
        if str(platform) in rule.platforms:
            out.extend(rule().check_container(ctx, spec))
    return out


@pytest.mark.parametrize("platform", list(Platform), ids=str)
def test_every_container_rule_fires_on_the_worst_container(platform: Platform) -> None:
    fired = {f.rule for f in _findings(platform)}
    judged = {r.id for r in RULES if str(platform) in r.platforms}
    # CT027 needs a trust policy with allowed registries; CT003 says nothing on a privileged
    # container, CT020/CT021 nothing on the host network (ports are not published there): their
    # fixes are checked below. CT031 judges only a non-root user (the worst container is root).
    assert judged - fired <= {"CT003", "CT020", "CT021", "CT027", "CT031"}


def test_kubernetes_findings_use_kubernetes_fields() -> None:
    findings = _findings(Platform.KUBERNETES)
    assert findings
    for f in findings:
        assert not COMPOSE_WORDS.search(f.message + " " + f.remediation), (f.rule, f.message,
                                                                           f.remediation)
        assert not DOCKER_FLAGS.search(f.message + " " + f.remediation), (f.rule, f.remediation)
    by_rule = {f.rule: f for f in findings}
    assert by_rule["CT016"].remediation.startswith(
        "Set securityContext.readOnlyRootFilesystem: true")
    assert by_rule["CT017"].remediation == (
        "Set resources.limits.memory (or give the namespace a LimitRange default).")
    assert by_rule["CT018"].remediation == (
        "Set resources.limits.cpu (or give the namespace a LimitRange default).")


def test_live_containers_get_docker_run_flags() -> None:
    findings = _findings(Platform.DOCKER)
    assert len(findings) >= 25
    for f in findings:
        text = f.message + " " + f.remediation
        assert not COMPOSE_WORDS.search(text), (f.rule, text)
        assert not KUBERNETES_WORDS.search(text), (f.rule, text)
    by_rule = {f.rule: f for f in findings}
    assert "(--security-opt seccomp=unconfined)" in by_rule["CT011"].message
    assert "(--security-opt apparmor=unconfined)" in by_rule["CT012"].message
    assert "(--security-opt label=disable)" in by_rule["CT013"].message
    assert by_rule["CT017"].remediation.startswith("Set a memory limit: run it again with "
                                                   "--memory")
    assert by_rule["CT025"].remediation == (
        "Set --restart on-failure:5 (docker update --restart on-failure:5).")


def test_compose_findings_use_compose_keys() -> None:
    findings = _findings(Platform.COMPOSE)
    for f in findings:
        text = f.message + " " + f.remediation
        assert not DOCKER_FLAGS.search(text), (f.rule, text)
        assert not KUBERNETES_WORDS.search(text), (f.rule, text)
    by_rule = {f.rule: f for f in findings}
    assert "(seccomp:unconfined)" in by_rule["CT011"].message
    assert by_rule["CT024"].remediation.startswith("Move the secret to a compose `secrets:`")


def test_every_fix_of_every_platform_is_in_its_language() -> None:
    """Also the fixes of rules the worst container does not reach (CT027)."""
    for rule in RULES:
        for platform in rule.platforms:
            spec = _worst(Platform(platform))
            fix = rule().fix_for(spec)
            assert fix, (rule.id, platform)
            if platform != "docker":
                assert not DOCKER_FLAGS.search(fix), (rule.id, platform, fix)
            if platform != "compose":
                assert not COMPOSE_WORDS.search(fix), (rule.id, platform, fix)
            if platform != "kubernetes":
                assert not KUBERNETES_WORDS.search(fix), (rule.id, platform, fix)


def test_wording_is_not_fingerprinted() -> None:
    """The fingerprint hashes the rule, the place and the evidence, never the message or the
    fix: rewording them for a platform keeps baselines matching."""
    for f in _findings(Platform.DOCKER):
        assert f.evidence
        reworded = Finding(f.rule, f.title, f.severity, "other words", f.location,
                           remediation="other fix", evidence=f.evidence)
        assert reworded.fingerprint == f.fingerprint
