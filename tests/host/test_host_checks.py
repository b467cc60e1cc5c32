"""The check table: every CIS Docker 1.6 check (sections 1-7) has a verdict and a result."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fake_container_rules import FAKE_RULES
from hostfixtures import ctx, make_host

from hullcheck.commands.host import filter_checks
from hullcheck.findings import CheckResult
from hullcheck.hostaudit.audit import audit
from hullcheck.hostaudit.catalog import checks
from hullcheck.hostaudit.checks import VERDICTS
from hullcheck.models.host import DockerHost
from hullcheck.reporters.docker_bench import document
from hullcheck.rules.host import RULES as HOST_RULES

REFERENCE = Path("/work/shared/reference/cis-docker-benchmark-1.6.tsv")
RULES = [*HOST_RULES, *FAKE_RULES]


def results(host: DockerHost, rules=RULES) -> dict[str, CheckResult]:  # type: ignore[no-untyped-def]
    report = audit(host, ctx(), rules)
    return {c.id.split(":", 1)[1]: c.result for c in report.checks}


def test_table_matches_the_benchmark() -> None:
    ids = [c.id for c in checks()]
    assert len(ids) == 117 and len(set(ids)) == 117
    assert set(VERDICTS) == set(ids)
    if REFERENCE.exists():  # the shared reference: sections 1-7 are the default run
        with REFERENCE.open() as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        wanted = [r for r in rows if r["default run"] == "yes"]
        assert [r["id"] for r in wanted] == ids
        assert [r["title"] for r in wanted] == [c.title for c in checks()]


def test_every_check_reported_once_with_reasons() -> None:
    report = audit(make_host(), ctx(), RULES)
    assert [c.id for c in report.checks] == [c.tag for c in checks()]
    catalog = {c.tag: c for c in checks()}
    for check in report.checks:
        if check.result is CheckResult.MANUAL:
            assert catalog[check.id].manual, check.id  # manual only where the table says so
            assert check.reason
        if check.result in (CheckResult.NOT_APPLICABLE, CheckResult.ERROR):
            assert check.reason, check.id
        if check.result is CheckResult.FAIL:
            assert check.evidence


def test_docker_bench_misjudgments_from_captured_containers() -> None:
    got = results(make_host())
    # No AppArmor or SELinux here: not applicable, not a warning per container.
    assert got["5.2"] is CheckResult.NOT_APPLICABLE
    assert got["5.3"] is CheckResult.NOT_APPLICABLE
    assert got["5.5"] is CheckResult.FAIL  # the created-only privileged container
    assert got["5.15"] is CheckResult.FAIL
    assert got["5.32"] is CheckResult.FAIL
    report = audit(make_host(), ctx(), RULES)
    restart = sorted(f.location.container for f in report.findings if f.rule == "CT915")
    assert restart == ["hullcheck-host-capture-etc-seccomp-device",
                       "hullcheck-host-capture-root-netadmin-usr"]
    ports = sorted(f.location.container for f in report.findings if f.rule == "CT914")
    assert ports == ["hullcheck-host-capture-sysadmin-pidhost"]  # not the 127.0.0.1 one
    assert all(f.location.container_id for f in report.findings if f.rule.startswith("CT"))
    assert not [f for f in report.findings if f.rule in ("CT901", "CT902")]


def test_loopback_port_is_not_in_5_9() -> None:
    report = audit(make_host(containers=("hardened", "sysadmin-pidhost")), ctx(), RULES)
    (check,) = [c for c in report.checks if c.id == "cis-docker-1.6:5.9"]
    assert check.result is CheckResult.MANUAL
    assert "sysadmin-pidhost: 0.0.0.0:81->8081/tcp" in check.evidence
    assert "hardened" not in check.evidence


def test_only_the_hardened_container_passes() -> None:
    got = results(make_host(containers=("hardened",)))
    for cid in ("5.5", "5.8", "5.14", "5.15", "5.32"):
        assert got[cid] is CheckResult.PASS, cid


def test_lsm_branches() -> None:
    host = make_host(containers=("hardened", "sysadmin-pidhost"))
    host.info["SecurityOptions"] = ["name=apparmor", "name=selinux", "name=seccomp,profile=default"]
    host.containers[0].inspect["AppArmorProfile"] = "docker-default"
    host.containers[0].inspect["ProcessLabel"] = "system_u:system_r:container_t:s0:c1,c2"
    host.containers[1].inspect["AppArmorProfile"] = "unconfined"
    from hostfixtures import host_container

    host.containers = [host_container(c.inspect, host) for c in host.containers]
    got = results(host)
    assert got["5.2"] is CheckResult.FAIL and got["5.3"] is CheckResult.FAIL
    host.containers = host.containers[:1]
    got = results(host)
    assert got["5.2"] is CheckResult.PASS and got["5.3"] is CheckResult.PASS


def test_without_container_rules_section5_is_an_error_not_a_pass() -> None:
    got = results(make_host(), HOST_RULES)
    assert got["5.5"] is CheckResult.ERROR


def test_no_containers_is_not_applicable() -> None:
    got = results(make_host(containers=()))
    assert got["5.5"] is CheckResult.NOT_APPLICABLE
    assert got["5.7"] is CheckResult.NOT_APPLICABLE


def test_crashing_rule_makes_its_checks_errors() -> None:
    from hullcheck.rules.host.host006_file_permissions import DaemonFilePermissions

    class Boom(DaemonFilePermissions):
        def check_host(self, ctx, host):  # type: ignore[no-untyped-def,override]
            raise RuntimeError("boom")

    host = make_host(containers=())
    host.local = True
    host.files = {"/etc/docker": __import__("hullcheck.models.host").models.host.HostFile(
        "/etc/docker", True, 0, 0, 0o755, "root", "root")}
    report = audit(host, ctx(), [Boom])
    by_id = {c.id: c for c in report.checks}
    assert by_id["cis-docker-1.6:3.5"].result is CheckResult.ERROR
    assert any("HOST006" in e.message for e in report.errors)


def test_remote_engine_file_checks_not_applicable() -> None:
    got = results(make_host(containers=()))  # local=False
    assert got["3.1"] is CheckResult.NOT_APPLICABLE and got["1.1.3"] is CheckResult.NOT_APPLICABLE


def test_engine_down_is_error_but_file_checks_run() -> None:
    host = DockerHost(endpoint="unix:///nope.sock", local=True, engine_error="no Docker socket")
    from hullcheck.models.host import HostFile

    host.files["/etc/docker"] = HostFile("/etc/docker", True, 0, 0, 0o777, "root", "root")
    report = audit(host, ctx(), RULES)
    got = {c.id.split(":", 1)[1]: c.result for c in report.checks}
    assert got["5.5"] is CheckResult.ERROR and got["1.2.2"] is CheckResult.ERROR
    assert got["3.6"] is CheckResult.FAIL and got["3.5"] is CheckResult.PASS
    assert [e.path for e in report.errors] == ["unix:///nope.sock"]
    # The rules that judge what only the engine lists are reported skipped, with the reason.
    skipped = {s.rule: s.reason for s in report.skipped}
    assert skipped and all(r.startswith(("CT", "IMG")) for r in skipped)
    assert set(skipped.values()) == {"needs the Docker engine: no Docker socket"}
    assert not audit(make_host(containers=()), ctx(), RULES).skipped


def test_swarm_checks() -> None:
    got = results(make_host(containers=()))
    assert all(got[f"7.{n}"] is CheckResult.NOT_APPLICABLE for n in range(1, 10))
    host = make_host(containers=())
    from test_host_rules import swarm_manager

    swarm_manager(host)
    got = results(host)
    assert got["7.1"] is CheckResult.FAIL and got["7.3"] is CheckResult.FAIL
    assert got["7.4"] is CheckResult.MANUAL and got["2.15"] is CheckResult.NOT_APPLICABLE


def test_score_and_docker_bench_json() -> None:
    report = audit(make_host(), ctx(), RULES)
    doc = json.loads(json.dumps(document(report, report.findings, 1.0, 2.0)))
    assert doc["checks"] == 117 and doc["score"] == report.score
    assert [t["id"] for t in doc["tests"]] == ["1", "2", "3", "4", "5", "6", "7"]
    entries = {r["id"]: r for t in doc["tests"] for r in t["results"]}
    assert entries["5.5"]["result"] == "WARN"
    assert entries["5.5"]["items"] == ["hullcheck-host-capture-privileged"]
    assert entries["5.2"]["result"] == "INFO"
    assert entries["4.2"]["result"] == "NOTE"
    assert set(entries["1.2.2"]) >= {"id", "desc", "result", "details"}
    scored_pass = sum(1 for c in report.checks if c.result is CheckResult.PASS
                      and not next(x for x in checks() if x.tag == c.id).manual)
    scored_fail = sum(1 for c in report.checks if c.result is CheckResult.FAIL
                      and not next(x for x in checks() if x.tag == c.id).manual)
    assert doc["score"] == scored_pass - scored_fail


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (["cis-docker-1.6:5.4"], [], ["cis-docker-1.6:5.4"]),
        (["cis-docker-1.6:7"], ["cis-docker-1.6:7.9"], [f"cis-docker-1.6:7.{n}" for n in
                                                         range(1, 9)]),
        (["HOST005"], ["cis-docker-1.6:1", "cis-docker-1.6:2", "cis-docker-1.6:3",
                       "cis-docker-1.6:4", "cis-docker-1.6:5", "cis-docker-1.6:6"],
         [f"cis-docker-1.6:7.{n}" for n in range(1, 10)]),
    ],
)
def test_select_and_ignore_checks_by_tag(select, ignore, expected) -> None:  # type: ignore[no-untyped-def]
    report = audit(make_host(containers=()), ctx(), RULES)
    assert [c.id for c in filter_checks(report.checks, select, ignore)] == expected


def test_engine_unreachable_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from hullcheck.cli import main

    code = main(["host", "--docker-host", f"unix://{tmp_path}/none.sock", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2
    errors = [line for line in captured.err.splitlines() if "error" in line]
    assert len(errors) == 1 and "no Docker socket" in errors[0]
    doc = json.loads(captured.out)
    # host files are still judged
    assert any(c["id"] == "cis-docker-1.6:3.5" and c["result"] in ("pass", "fail")
               for c in doc["checks"]) or not Path("/etc/docker").exists()


# Newest first, as the Engine API returns history.
HISTORY = [
    {"CreatedBy": 'CMD ["app"]', "Size": 0},
    {"CreatedBy": "RUN /bin/sh -c apt-get install -y curl # buildkit", "Size": 10},
    {"CreatedBy": "RUN /bin/sh -c apt-get update # buildkit", "Size": 10},
    {"CreatedBy": "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends"
                  " ca-certificates && rm -rf /var/lib/apt/lists/* # buildkit", "Size": 10},
    {"CreatedBy": "ADD https://example.com/app.tgz /opt/ # buildkit", "Size": 10},
    {"CreatedBy": '/bin/sh -c #(nop)  CMD ["bash"]', "Size": 0},
    {"CreatedBy": "/bin/sh -c #(nop) ADD file:5d673d25da3a14ce1f6cf66e4c7fd4f4b85a3759a9d93efb3"
                  "fd9ff852b5b56e4 in / ", "Size": 100},
]


def image(config: dict[str, object], history: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    from hullcheck.models.host import HostImage

    # RootFS.Layers lists the layers oldest first, one per step that has a size.
    layers = [f"sha256:{n:064x}" for n in range(sum(1 for h in history if h["Size"]))]
    return HostImage(
        inspect={"Id": "sha256:" + "a" * 64, "RepoTags": ["app:1"], "Config": config,
                 "RootFS": {"Type": "layers", "Layers": layers}},
        history=history,
    )


def test_images_judged_by_the_image_rules() -> None:
    from hullcheck.rules import all_rules

    host = make_host(containers=())
    host.images = [image({"User": "", "Healthcheck": None}, HISTORY)]
    report = audit(host, ctx(), list(all_rules()))
    got = {c.id.split(":", 1)[1]: c.result for c in report.checks}
    for cid in ("4.1", "4.6", "4.7", "4.9"):
        assert got[cid] is CheckResult.FAIL, cid
    by_rule: dict[str, list[str]] = {}
    for f in report.findings:
        by_rule.setdefault(f.rule, []).append(f.evidence)
    assert by_rule["IMG005"] == ["RUN /bin/sh -c apt-get update # buildkit"]
    assert by_rule["IMG004"] == ["ADD https://example.com/app.tgz /opt/ # buildkit"]
    (root,) = [f for f in report.findings if f.rule == "IMG001"]
    assert root.location.image is not None and root.location.image.ref == "app:1"
    (add,) = [f for f in report.findings if f.rule == "IMG004"]
    assert add.location.layer == f"sha256:{1:064x}"  # the second layer, which that step made


def test_images_near_misses() -> None:
    from hullcheck.rules import all_rules

    host = make_host(containers=())
    host.images = [image({"User": "1000:1000", "Healthcheck": {"Test": ["CMD", "true"]}},
                         [HISTORY[3], HISTORY[5], HISTORY[6]])]
    report = audit(host, ctx(), list(all_rules()))
    got = {c.id.split(":", 1)[1]: c.result for c in report.checks}
    for cid in ("4.1", "4.6", "4.7", "4.9"):
        assert got[cid] is CheckResult.PASS, cid


def test_content_trust_from_the_image_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from hullcheck.rules import all_rules

    monkeypatch.setenv("DOCKER_CONTENT_TRUST", "1")
    got = {c.id: c.result for c in audit(make_host(containers=()), ctx(), list(all_rules())).checks}
    assert got["cis-docker-1.6:4.5"] is CheckResult.PASS
    monkeypatch.delenv("DOCKER_CONTENT_TRUST")
    got = {c.id: c.result for c in audit(make_host(containers=()), ctx(), list(all_rules())).checks}
    assert got["cis-docker-1.6:4.5"] is CheckResult.FAIL


def test_real_container_rules_on_captured_containers() -> None:
    """The container family (issue 3) on the captured specs: the hardened container passes
    everything but the health check; the six together fail what Docker Bench should."""
    from hullcheck.rules import all_rules

    rules = list(all_rules())
    hardened = results(make_host(containers=("hardened",)), rules)
    failing = {cid for cid, r in hardened.items() if r is CheckResult.FAIL and cid.startswith("5")}
    assert failing == {"5.27"}
    assert hardened["5.2"] is CheckResult.NOT_APPLICABLE
    assert hardened["5.3"] is CheckResult.NOT_APPLICABLE
    everything = results(make_host(), rules)
    for cid in ("5.4", "5.5", "5.6", "5.8", "5.10", "5.14", "5.15", "5.16", "5.17", "5.21",
                "5.22", "5.25", "5.32"):
        assert everything[cid] is CheckResult.FAIL, cid
    report = audit(make_host(), ctx(), rules)
    port_findings = {f.location.container for f in report.findings
                     if "cis-docker-1.6:5.14" in f.references}
    assert port_findings == {"hullcheck-host-capture-sysadmin-pidhost"}
    restart = {f.location.container for f in report.findings
               if "cis-docker-1.6:5.15" in f.references}
    assert restart == {"hullcheck-host-capture-etc-seccomp-device",
                       "hullcheck-host-capture-root-netadmin-usr"}
