"""``hullcheck diff`` and ``hullcheck merge`` over real result files written by ``scan``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from hullcheck.cli import main
from hullcheck.commands import merge as merge_mod
from hullcheck.results import MAX_RESULT_BYTES, read_result


def scan_json(tmp_path: Path, name: str, files: dict[str, str],
              capsys: pytest.CaptureFixture[str], *extra: str) -> Path:
    """Scan ``files`` (written under tmp_path/<name>/) with --format json into <name>.json."""
    root = tmp_path / name
    root.mkdir()
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    out = tmp_path / f"{name}.json"
    import os

    cwd = os.getcwd()
    os.chdir(root)  # relative paths: the same file in two scans has one fingerprint
    try:
        main(["scan", ".", "--format", "json", "-o", str(out), "--fail-on", "never", *extra])
    finally:
        os.chdir(cwd)
    capsys.readouterr()
    return out


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


OLD = "FROM node:latest\nUSER root\n"          # DF (latest tag), root user...
NEW = "FROM node:latest\nRUN curl http://x | sh\n"


def rules_of(doc: dict[str, Any], change: str) -> list[str]:
    return sorted(f["rule"] for f in doc["findings"] if f["change"] == change)


def test_diff_appeared_fixed_stayed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = scan_json(tmp_path, "old", {"Dockerfile": OLD}, capsys)
    new = scan_json(tmp_path, "new", {"Dockerfile": NEW}, capsys)
    old_doc, new_doc = json.loads(old.read_text()), json.loads(new.read_text())
    old_fp = {f["fingerprint"] for f in old_doc["findings"]}
    new_fp = {f["fingerprint"] for f in new_doc["findings"]}
    code, out, err = run(capsys, "diff", str(old), str(new), "--format", "json",
                         "--fail-on", "never")
    assert code == 0 and err == ""
    doc = json.loads(out)
    got = {f["change"]: set() for f in doc["findings"]}
    for f in doc["findings"]:
        got[f["change"]].add(f["fingerprint"])
    assert got.get("appeared", set()) == new_fp - old_fp != set()
    assert got.get("fixed", set()) == old_fp - new_fp != set()
    assert got.get("stayed", set()) == old_fp & new_fp != set()
    assert doc["summary"]["diff"] == {"appeared": len(new_fp - old_fp),
                                      "fixed": len(old_fp - new_fp),
                                      "stayed": len(old_fp & new_fp)}
    # appeared first, then fixed, then stayed
    order = [f["change"] for f in doc["findings"]]
    assert order == sorted(order, key=["appeared", "fixed", "stayed"].index)
    assert doc["diffed"] == {"old": str(old), "new": str(new)}
    # the summary counts what appeared, the exit code follows it
    assert doc["summary"]["findings"] == len(new_fp - old_fp)


def test_diff_exit_code_follows_new_findings_only(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    old = scan_json(tmp_path, "old", {"Dockerfile": OLD}, capsys)
    new = scan_json(tmp_path, "new", {"Dockerfile": NEW}, capsys)
    _, out, _ = run(capsys, "diff", str(old), str(new))
    appeared = [line for line in out.splitlines() if line.startswith("[appeared]")]
    assert appeared and "DF" in appeared[0]
    severities = {f["severity"] for f in json.loads(new.read_text())["findings"]
                  if f["fingerprint"] not in {g["fingerprint"] for g in
                                               json.loads(old.read_text())["findings"]}}
    worst = max(severities, key=["info", "low", "medium", "high", "critical"].index)
    # --fail-on at the worst new severity fails; above it passes even though old findings stay
    assert run(capsys, "diff", str(old), str(new), "--fail-on", worst)[0] == 1
    assert run(capsys, "diff", str(old), str(old), "--fail-on", "info")[0] == 0
    assert run(capsys, "diff", str(new), str(new), "--fail-on", "info")[0] == 0
    assert "0 appeared, 0 fixed" in run(capsys, "diff", str(new), str(new))[1]


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "junit", "html"])
def test_diff_writes_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  fmt: str) -> None:
    old = scan_json(tmp_path, "old", {"Dockerfile": OLD}, capsys)
    new = scan_json(tmp_path, "new", {"Dockerfile": NEW}, capsys)
    code, out, err = run(capsys, "diff", str(old), str(new), "-f", fmt, "--fail-on", "never")
    assert code == 0 and err == "" and out.strip()
    if fmt == "sarif":
        states = {r["baselineState"] for r in json.loads(out)["runs"][0]["results"]}
        assert states == {"new", "absent", "unchanged"}


def test_diff_matches_duplicates_as_a_multiset() -> None:
    from hullcheck.commands.diff import diff
    from hullcheck.findings import Finding, Location, Severity

    def f(fp: str) -> Finding:
        return Finding("DF001", "t", Severity.LOW, "m", Location(path="Dockerfile"),
                       fingerprint=fp)

    appeared, fixed, stayed = diff([f("a"), f("b"), f("b")], [f("b"), f("c"), f("c")])
    assert [x.fingerprint for x in appeared] == ["c", "c"]
    assert [x.fingerprint for x in fixed] == ["a", "b"]
    assert [x.fingerprint for x in stayed] == ["b"]


@pytest.mark.parametrize(("content", "says"), [
    ("{}", "not a hullcheck JSON result (expected an object with \"tool\": \"hullcheck\""),
    ("not json at all", "not a hullcheck JSON result: not JSON"),
    ('{"tool": "trivy", "findings": []}', "not a hullcheck JSON result (expected"),
    ('{"tool": "hullcheck", "findings": {}}', "not a hullcheck JSON result (expected"),
    ("[" * 100_000, "not a hullcheck JSON result: not JSON"),
    ('{"tool": "hullcheck", "findings": [], "fingerprint_version": 2}',
     "fingerprint_version 2 is newer than this hullcheck reads (1)"),
])
def test_diff_refuses_what_is_not_a_result(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           content: str, says: str) -> None:
    good = scan_json(tmp_path, "good", {"Dockerfile": OLD}, capsys)
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for args in (("diff", str(good), str(bad)), ("diff", str(bad), str(good))):
        code, out, err = run(capsys, *args)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith(f"hullcheck: error: {bad}: ")
        assert says in err


def test_diff_refuses_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "diff", str(tmp_path / "no.json"), str(tmp_path / "no.json"))
    assert code == 2 and err == f"hullcheck: error: {tmp_path / 'no.json'}: cannot read: " \
                                "No such file or directory\n"


def test_result_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert MAX_RESULT_BYTES == 64 * 1024 * 1024
    good = scan_json(tmp_path, "good", {"Dockerfile": OLD}, capsys)
    monkeypatch.setattr("hullcheck.results.MAX_RESULT_BYTES", good.stat().st_size - 1)
    code, _, err = run(capsys, "diff", str(good), str(good))
    assert code == 2 and "MiB, not read" in err


def test_malformed_findings_are_error_lines(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    good = scan_json(tmp_path, "good", {"Dockerfile": OLD}, capsys)
    doc = json.loads(good.read_text())
    n = len(doc["findings"])
    doc["findings"] += [{"rule": "DF001"}, {"rule": "DF001", "fingerprint": "x",
                                            "severity": "urgent"}, "text"] * 5
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = read_result(bad)
    assert len(result.findings) == n
    assert [e.message for e in result.errors[:3]] == [
        f"finding {n + 1}: no 'fingerprint', left out",
        f"finding {n + 2}: unknown severity 'urgent' (expected one of: info, low, medium, high,"
        " critical), left out",
        f"finding {n + 3}: not an object, left out"]
    assert len(result.errors) == 11 and result.errors[-1].message == \
        "5 more malformed findings or checks left out"
    code, _, err = run(capsys, "merge", str(bad), str(good))
    assert code == 2 and err.count("\n") == 11


# ------------------------------------------------------------------------------------ merge

def host_result(name: str, failing: list[str], checks: int = 117) -> dict[str, Any]:
    """A ``hullcheck host --format json`` shaped result of one node."""
    findings = [{"rule": rule, "title": f"title {rule}", "severity": "high",
                 "message": f"{rule} on the daemon", "references": ["cis-docker-1.6:2.1"],
                 "location": {"setting": rule.lower()}, "remediation": "fix it",
                 "fingerprint": f"fp-{rule}"} for rule in failing]
    return {"tool": "hullcheck", "version": "x", "fingerprint_version": 1,
            "source": {"kind": "host", "name": None, "host": name},
            "findings": findings,
            "checks": [{"id": f"cis-docker-1.6:{i}", "title": f"check {i}",
                        "result": "fail" if f"HOST{i:03}" in failing else "pass",
                        "reason": "", "evidence": ""} for i in range(checks)],
            "skipped": [], "errors": [],
            "summary": {"findings": len(findings), "by_severity": {}, "score": 10}}


def test_merge_dedups_by_fingerprint_with_every_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = []
    for i in range(4):
        p = tmp_path / f"node-{i}.json"
        p.write_text(json.dumps(host_result(f"node-{i}", ["HOST001"] + (["HOST002"] if i % 2
                                                                          else []))))
        paths.append(str(p))
    code, out, err = run(capsys, "merge", *paths, "-f", "json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert [f["rule"] for f in doc["findings"]] == ["HOST001", "HOST002"]
    assert [o["source"] for o in doc["findings"][0]["occurrences"]] == [0, 1, 2, 3]
    assert [o["source"] for o in doc["findings"][1]["occurrences"]] == [1, 3]
    assert [s["host"] for s in doc["sources"]] == [f"node-{i}" for i in range(4)]
    assert [s["file"] for s in doc["sources"]] == paths
    assert [s["summary"]["findings"] for s in doc["sources"]] == [1, 2, 1, 2]
    assert doc["sources"][1]["summary"]["checks"] == {"fail": 2, "pass": 115}
    checks = {c["id"]: c for c in doc["checks"]}
    assert len(checks) == 117
    assert checks["cis-docker-1.6:2"]["result"] == "fail"
    assert checks["cis-docker-1.6:2"]["reason"] == \
        "fail on 2 of 4; pass on 2 of 4 (fail: node-1, node-3)"
    assert checks["cis-docker-1.6:2"]["counts"] == {"fail": 2, "pass": 2}
    assert checks["cis-docker-1.6:5"]["result"] == "pass"
    assert checks["cis-docker-1.6:5"]["counts"] == {"pass": 4}
    assert doc["summary"]["findings"] == 2
    text = run(capsys, "merge", *paths)[1]
    assert "in 2 of 4 results: node-1, node-3" in text
    assert "merged from 4 results" in text


def test_merge_keeps_differing_locations(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    a, b = host_result("a", ["HOST001"]), host_result("b", ["HOST001"])
    b["findings"][0]["location"]["line"] = 7  # same fingerprint, another place
    for name, doc in (("a", a), ("b", b)):
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    doc = json.loads(run(capsys, "merge", str(tmp_path), "-f", "json")[1])  # a directory
    assert doc["findings"][0]["occurrences"] == [
        {"source": 0}, {"source": 1, "location": {"line": 7, "setting": "host001"}}]


def test_merge_goes_on_past_a_bad_file_and_exits_2(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(host_result("a", ["HOST001"])))
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": "world"}')
    code, out, err = run(capsys, "merge", str(good), str(bad), "-f", "json")
    assert code == 2
    assert err == (f"hullcheck: error: {bad}: not a hullcheck JSON result (expected an object"
                   ' with "tool": "hullcheck" and a "findings" list, as --format json writes)\n')
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["HOST001"]


def test_merge_severity_and_suppression(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    a, b = host_result("a", ["HOST001"]), host_result("b", ["HOST001"])
    a["findings"][0]["suppressed"] = {"by": "config", "reason": "known"}
    b["findings"][0]["severity"] = "critical"
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "b.json").write_text(json.dumps(b))
    doc = json.loads(run(capsys, "merge", str(tmp_path), "-f", "json")[1])
    # counted where any source counts it, at the highest severity a source gave it
    assert doc["findings"][0]["severity"] == "critical"
    assert "suppressed" not in doc["findings"][0]
    assert doc["sources"][0]["summary"]["suppressed"] == 1


def test_merge_bounds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert merge_mod.MAX_MERGE_INPUTS == 100_000
    assert merge_mod.MAX_MERGED_FINDINGS == 1_000_000
    assert merge_mod.MAX_MERGED_PLACES == 5_000_000
    for i in range(3):
        (tmp_path / f"{i}.json").write_text(json.dumps(host_result(str(i), ["HOST001",
                                                                           f"HOST00{i + 2}"])))
    monkeypatch.setattr(merge_mod, "MAX_MERGED_FINDINGS", 2)
    monkeypatch.setattr(merge_mod, "MAX_MERGED_PLACES", 3)
    code, out, err = run(capsys, "merge", str(tmp_path), "-f", "json")
    doc = json.loads(out)
    assert [f["rule"] for f in doc["findings"]] == ["HOST001", "HOST002"]
    # places: HOST001 and HOST002 of 0.json, HOST001 of 1.json; HOST001 of 2.json is counted
    assert [o["source"] for o in doc["findings"][0]["occurrences"]] == [0, 1]
    assert doc["findings"][0]["occurrences_unlisted"] == 1
    assert "merge: more than 2 distinct findings; 2 left out" in err
    monkeypatch.setattr(merge_mod, "MAX_MERGE_INPUTS", 2)
    code, out, err = run(capsys, "merge", str(tmp_path))
    assert code == 2 and err == "hullcheck: error: merge: more than 2 result files\n"


def test_merge_of_scans_keeps_kubernetes_overview(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    out = tmp_path / "ex.json"
    main(["scan", str(examples / "k8s"), "-f", "json", "-o", str(out), "--fail-on", "never"])
    capsys.readouterr()
    doc = json.loads(run(capsys, "merge", str(out), str(out), "-f", "json")[1])
    assert [(n["name"], n["source"]) for n in doc["kubernetes"]["namespaces"]] == [
        ("shop", 0), ("shop", 1)]
    assert doc["kubernetes"]["exposure"][0]["via"] == "Service/shop/web"


# -------------------------------------------------------------- the kubernetes overview (JSON)

RESTRICTED_POD = """\
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: app
          image: registry.example/app@sha256:%s
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
""" % ("a" * 64)


def deployment(ns: str, name: str, pod: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}"
            f"\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n"
            f"    metadata: {{labels: {{app: {name}}}}}\n{pod}---\n")


KUBE = (
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: calm, labels: "
    "{pod-security.kubernetes.io/enforce: baseline}}\n---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n---\n"
    + deployment("tight", "ok", RESTRICTED_POD)
    + deployment("loose", "priv", RESTRICTED_POD.replace(
        "allowPrivilegeEscalation: false", "privileged: true"))
    + deployment("half", "root", RESTRICTED_POD.replace("runAsNonRoot: true", "runAsUser: 0"))
    + deployment("calm", "root", RESTRICTED_POD.replace("runAsNonRoot: true", "runAsUser: 0"))
    + "apiVersion: v1\nkind: Service\nmetadata: {name: ok, namespace: tight}\n"
      "spec: {type: LoadBalancer, selector: {app: ok}, ports: [{port: 443}]}\n---\n"
      "apiVersion: v1\nkind: Service\nmetadata: {name: inner, namespace: loose}\n"
      "spec: {selector: {app: priv}, ports: [{port: 80}]}\n---\n"
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: loose}\n"
      "spec:\n  rules:\n    - host: shop.example\n      http:\n        paths:\n"
      "          - {path: /, pathType: Prefix, backend: {service: {name: inner, port: "
      "{number: 80}}}}\n"
)


def kube_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    path = tmp_path / "k8s" / "all.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(KUBE)
    main(["scan", str(path), "-f", "json", "--fail-on", "never", *extra])
    return json.loads(capsys.readouterr().out)["kubernetes"]  # type: ignore[no-any-return]


def levels(kube: dict[str, Any]) -> dict[str, tuple[Any, Any, Any]]:
    return {n["name"]: (n["judged_at"], n["reaches"], n["enforce"]) for n in kube["namespaces"]}


def test_namespace_levels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kube = kube_json(tmp_path, capsys)
    assert levels(kube) == {
        "calm": ("baseline", "baseline", "baseline"),  # its label: judged at baseline only
        "empty": (None, None, None),                   # no pod: no level claimed
        "tight": ("restricted", "restricted", None),
        "loose": ("restricted", "privileged", None),   # a privileged container
        "half": ("restricted", "baseline", None),      # runs as root: restricted broken
    }
    # suppressing or tag-ignoring a finding does not lift the namespace's level
    assert levels(kube_json(tmp_path, capsys, "--ignore", "pss:baseline"))["loose"][1] == \
        "privileged"
    # what is not judged is not claimed
    assert levels(kube_json(tmp_path, capsys, "--pss-level", "baseline"))["tight"][:2] == (
        "baseline", "baseline")
    assert {v[1] for v in levels(kube_json(tmp_path, capsys, "--select", "KNS")).values()} == \
        {None}


def test_exposure_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exposure = kube_json(tmp_path, capsys)["exposure"]
    assert exposure == [
        {"via": "Service/tight/ok", "type": "LoadBalancer", "path": str(tmp_path / "k8s/all.yaml"),
         "line": exposure[0]["line"], "ports": ["443"], "workloads": ["Deployment/tight/ok"]},
        {"via": "Ingress/loose/web", "type": "Ingress", "path": str(tmp_path / "k8s/all.yaml"),
         "line": exposure[1]["line"], "hosts": ["shop.example"], "service": "Service/loose/inner",
         "workloads": ["Deployment/loose/priv"]},
    ]
    lines = KUBE.splitlines()
    assert "name: ok, namespace: tight" in lines[exposure[0]["line"] - 1]
    assert "service: {name: inner" in lines[exposure[1]["line"] - 1]


def test_diff_junit_passes_what_was_fixed(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    old = scan_json(tmp_path, "old", {"Dockerfile": OLD}, capsys)
    new = scan_json(tmp_path, "new", {"Dockerfile": NEW}, capsys)
    _, out, _ = run(capsys, "diff", str(old), str(new), "-f", "json", "--fail-on", "never")
    changes = [f["change"] for f in json.loads(out)["findings"]]
    _, out, _ = run(capsys, "diff", str(old), str(new), "-f", "junit", "--fail-on", "never")
    root = ET.fromstring(out)
    cases = root.findall(".//testcase")
    assert len(cases) == len(changes)
    assert len(root.findall(".//failure")) == len(changes) - changes.count("fixed")


def test_merged_results_merge_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(4):
        (tmp_path / f"n{i}.json").write_text(json.dumps(host_result(f"n{i}", ["HOST001"])))
    first = tmp_path / "first.json"
    main(["merge", str(tmp_path / "n0.json"), str(tmp_path / "n1.json"), "-f", "json", "-o",
          str(first)])
    doc = json.loads(run(capsys, "merge", str(first), str(tmp_path / "n2.json"),
                         str(tmp_path / "n3.json"), "-f", "json")[1])
    # each file is one source: the first merge's own sources are not unfolded
    assert [s["file"] for s in doc["sources"]] == [str(first), str(tmp_path / "n2.json"),
                                                   str(tmp_path / "n3.json")]
    assert [o["source"] for o in doc["findings"][0]["occurrences"]] == [0, 1, 2]
    assert len(doc["checks"]) == 117


def test_merge_of_nothing_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a result")
    code, out, err = run(capsys, "merge", str(tmp_path / "empty"))
    assert code == 2 and out == ""
    assert err == f"hullcheck: error: merge: no result files found in {tmp_path / 'empty'}\n"


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "result.json"
    os.mkfifo(fifo)  # nothing ever writes: opening it for reading would block for ever
    code, _, err = run(capsys, "merge", str(fifo))
    assert code == 2 and err == f"hullcheck: error: {fifo}: not a regular file\n"
