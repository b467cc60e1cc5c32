"""The node audit's post-processor: what the node rules found on a Kubernetes node becomes the
result of each check of CIS Kubernetes Benchmark 1.10 section 4 (worker node), plus the score,
as ``hostaudit.audit`` does for the CIS Docker Benchmark.

A check is not applicable when what it judges is not on the node (no kubelet at all, no
kube-proxy, a file it names absent), an error when what it judges could not be read or its rule
crashed, failed when a finding carries its tag, else passed with the evidence read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from hullcheck.findings import Check, CheckResult, Finding, InputError, Report, RuleCrash
from hullcheck.hostaudit import verdicts
from hullcheck.hostaudit.verdicts import MAX_EVIDENCE, summarise
from hullcheck.models.node import KubeNode

if TYPE_CHECKING:
    from hullcheck.engine import Engine
    from hullcheck.rules.base import Rule

TAG_PREFIX = "cis-k8s-1.10:"


@dataclass(frozen=True, slots=True)
class NodeCheck:
    id: str  # "4.1.1"
    title: str
    assessment: str  # Automated | Manual

    @property
    def tag(self) -> str:
        return TAG_PREFIX + self.id

    @property
    def scored(self) -> bool:
        return self.assessment != "Manual"


@cache
def checks() -> tuple[NodeCheck, ...]:
    """The 24 checks of section 4 (package data, from the benchmark's list)."""
    text = resources.files("hullcheck").joinpath("data", "cis-k8s-1.10-node.tsv") \
        .read_text("utf-8")
    out = []
    for line in text.splitlines()[1:]:
        if line.strip():
            cid, title, assessment = line.split("\t")[:3]
            out.append(NodeCheck(cid, title, assessment))
    return tuple(out)


def tag_of(references: Iterable[str]) -> list[str]:
    return [r[len(TAG_PREFIX):] for r in references if r.startswith(TAG_PREFIX)]


# check id -> (NodeFile role, what it is), for section 4.1 (mode check, owner check).
FILE_ROLES: dict[str, tuple[str, str]] = {}
for _mode, _owner, _role, _what in (
    ("4.1.1", "4.1.2", "kubelet-unit", "kubelet systemd unit"),
    ("4.1.3", "4.1.4", "proxy-kubeconfig", "kube-proxy kubeconfig"),
    ("4.1.5", "4.1.6", "kubelet-kubeconfig", "kubelet kubeconfig"),
    ("4.1.7", "4.1.8", "client-ca", "kubelet client CA file"),
    ("4.1.9", "4.1.10", "kubelet-config", "kubelet config file"),
):
    FILE_ROLES[_mode] = FILE_ROLES[_owner] = (_role, _what)


def in_node_audit(rule: type[Rule]) -> bool:
    return "node" in rule.inputs


def judge(node: KubeNode, engine: Engine, unselected: Iterable[type[Rule]] = ()) -> Report:
    """Run ``engine`` on ``node`` and turn what it found into section 4's checks.
    ``unselected``: the node rules the selection left out; checks only they carry are not
    listed."""
    report = Report()
    for error in node.errors:
        report.errors.append(InputError(path=node.root, message=error))
    for path_error in (node.kubelet_config_error, node.proxy_config_error):
        if path_error:
            path, _, message = path_error.partition(": ")
            report.errors.append(InputError(path=path, message=message or path_error))
    report.findings = engine.judge_node(node)
    ran = [type(r) for r in engine.rules]
    carried = {cid for r in ran for cid in tag_of(r.references)}
    crashed: dict[str, str] = {}
    for crash in engine.crashes:
        if isinstance(crash, RuleCrash):
            for r in ran:
                if r.id == crash.rule:
                    for cid in tag_of(r.references):
                        crashed.setdefault(cid, crash.message)
    report.errors.extend(engine.crashes)
    engine.crashes = []
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        for cid in tag_of(finding.references):
            found.setdefault(cid, []).append(finding)
    left_out = {cid for r in unselected for cid in tag_of(r.references)} - carried
    for check in checks():
        if check.id in left_out:
            continue
        result, reason, evidence = verdict(node, check.id, found.get(check.id, []),
                                           crashed.get(check.id))
        report.checks.append(Check(id=check.tag, title=check.title, result=result,
                                   reason=reason, evidence=evidence))
    report.score = score(report.checks)
    return report


def verdict(node: KubeNode, cid: str, findings: list[Finding], crash: str | None
            ) -> tuple[CheckResult, str, str]:
    """One check's (result, reason, evidence)."""
    na = CheckResult.NOT_APPLICABLE
    if cid.startswith(("4.1.", "4.2.")) and not node.has_kubelet:
        return na, (f"no kubelet on this node: no kubelet process, systemd unit, config file or "
                    f"kubeconfig under {node.root}"), ""
    if cid == "4.3.1" and not node.has_proxy:
        return na, "no kube-proxy on this node: no kube-proxy process or config file", ""
    if crash:
        return CheckResult.ERROR, crash, ""
    if cid in FILE_ROLES:
        role, what = FILE_ROLES[cid]
        entries = node.files_of(role)
        present = [e for e in entries if e.info.exists]
        if not present:
            where = ", ".join(f"{e.info.path} ({e.why})" for e in entries)
            missing = f": {where} does not exist" if where else ""
            return na, f"no {what} on this node{missing}", ""
        broken = [e for e in present if e.info.error]
        if broken:
            return CheckResult.ERROR, "; ".join(
                f"{e.info.path}: {e.info.error}" for e in broken[:MAX_EVIDENCE]), ""
        evidence = "\n".join(
            f"{e.info.path} {e.info.owner}:{e.info.group} {e.info.mode_text} ({e.why})"
            for e in present[:MAX_EVIDENCE])
        if findings:
            return CheckResult.FAIL, _count(findings), summarise(findings)
        return CheckResult.PASS, f"{len(present)} file{'s' if len(present) != 1 else ''}", \
            evidence
    if cid.startswith("4.2."):
        if node.kubelet_config_error:
            return CheckResult.ERROR, node.kubelet_config_error, ""
        where = node.kubelet_args_source or "no kubelet command line found"
        config = node.kubelet_config_path or "no config file"
        reason = f"the kubelet's effective settings ({config}; flags from {where})"
        if findings:
            return CheckResult.FAIL, _count(findings), summarise(findings)
        return CheckResult.PASS, reason, ""
    # 4.3.1
    if node.proxy_config_error:
        return CheckResult.ERROR, node.proxy_config_error, ""
    if findings:
        return CheckResult.FAIL, _count(findings), summarise(findings)
    address = node.proxy_metrics_address()
    return CheckResult.PASS, (f"{address[0]} ({address[1]})" if address else ""), ""


def _count(findings: list[Finding]) -> str:
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"


def score(results: Iterable[Check]) -> int:
    """As Docker Bench and kube-bench count: +1 per scored pass, -1 per scored failure."""
    return verdicts.score(results, (c.tag for c in checks() if c.scored))
