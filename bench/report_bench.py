"""Reports at scale (not run in CI): ``hullcheck merge`` of many node results, and the HTML page
of 10,000 findings in a real browser.

    .venv/bin/python bench/report_bench.py merge --nodes 250 500 1000 2000
    .venv/bin/python bench/report_bench.py html --findings 10000

``merge``: generates N ``hullcheck host --format json`` results of a fleet (every node the 117
checks of CIS Docker Benchmark 1.6 from hullcheck's catalogue, the findings of its failing checks
on daemon settings shared by the fleet, and findings on its own containers: names shared, ids its
own, so their places differ), then times ``hullcheck merge DIR --format json`` as a subprocess
and reads its peak RSS (``getrusage(RUSAGE_CHILDREN)`` of that one child).

``html``: scans a generated Kubernetes corpus (``bench/k8s_corpus.py``) sized to give at least
the asked number of findings, writes ``--format html``, and opens it in Debian's Chromium,
headless (tests/browser.py): time to a built page, then the time of each filter (severity,
family, rule, text) until the page has laid out again.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from hullcheck.findings import Finding, Location, Severity  # noqa: E402
from hullcheck.hostaudit.catalog import checks as cis_checks  # noqa: E402

SEVERITIES = [Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]


def node_result(i: int, rng: random.Random) -> dict[str, Any]:
    """One node's result, shaped as ``hullcheck host --format json`` writes it."""
    name = f"node-{i:04d}"
    findings: list[dict[str, Any]] = []
    checks = []
    for c in cis_checks():
        roll = rng.random()
        result = ("manual" if c.assessment == "Manual" else "fail" if roll < 0.25 else
                  "not-applicable" if roll < 0.35 else "pass")
        checks.append({"id": c.tag, "title": c.title, "result": result, "reason": "",
                       "evidence": ""})
        if result != "fail":
            continue
        if c.id.startswith("5."):  # a container check: on some of the node's containers
            for n in rng.sample(range(20), 3):
                f = Finding(f"CT{int(c.id.split('.')[1]):03d}", c.title, SEVERITIES[n % 4],
                            f"container app-{n}: {c.title}",
                            Location(container=f"app-{n}", container_id=f"{i:08x}{n:056x}"),
                            references=(c.tag,), remediation="See the benchmark.",
                            evidence=f"app-{n}:{c.id}")
                findings.append(f.to_json())
        else:
            f = Finding(f"HOST{int(c.id.replace('.', '')):03d}"[:7], c.title,
                        SEVERITIES[len(c.id) % 4], f"{c.title} (not met)",
                        Location(setting=f"cis {c.id}"), references=(c.tag,),
                        remediation="See the benchmark.", evidence=c.id)
            findings.append(f.to_json())
    return {"tool": "hullcheck", "version": "bench", "fingerprint_version": 1,
            "source": {"kind": "host", "name": None, "host": name},
            "findings": findings, "checks": checks, "skipped": [], "errors": [],
            "summary": {"findings": len(findings), "by_severity": {}, "score": rng.randint(0, 40)}}


def run_child(args: list[str]) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one child process, its own rusage (``wait4``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{args}: exit {proc.returncode}")
    return took, usage.ru_maxrss


def bench_merge(counts: list[int], repeat: int = 3) -> None:
    rng = random.Random(22)
    print("| nodes | input MB | findings in | distinct | places listed | merge s (best of"
          f" {repeat}) | s per 1,000 nodes | peak RSS MB | peak RSS MB, text |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp) / "results"
            d.mkdir()
            total = size = 0
            for i in range(n):
                doc = node_result(i, rng)
                total += len(doc["findings"])
                text = json.dumps(doc)
                size += len(text)
                (d / f"node-{i:04d}.json").write_text(text)
            out = Path(tmp) / "merged.json"
            runs = [run_child([sys.executable, "-m", "hullcheck", "merge", str(d), "-f", "json",
                               "-o", str(out), "--fail-on", "never"]) for _ in range(repeat)]
            took = min(t for t, _ in runs)
            peak = max(r for _, r in runs)
            # The text report lists no places: the fold's own memory.
            _, text_peak = run_child([sys.executable, "-m", "hullcheck", "merge", str(d), "-f",
                                      "concise", "-o", str(out) + ".txt", "--fail-on", "never"])
            merged = json.loads(out.read_text())["findings"]
            places = sum(len(f["occurrences"]) for f in merged)
            print(f"| {n:,} | {size / 1e6:.1f} | {total:,} | {len(merged):,} | {places:,} |"
                  f" {took:.2f} | {took / n * 1000:.2f} | {peak / 1024:.0f} |"
                  f" {text_peak / 1024:.0f} |")


def bench_html(findings: int) -> None:
    from browser import Page, chromium, playwright, unavailable

    sys.path.insert(0, str(ROOT / "bench"))
    import k8s_corpus

    reason = unavailable()
    if reason:
        sys.exit(f"cannot run: {reason}")
    with tempfile.TemporaryDirectory() as tmp:
        namespaces = max(12, findings // 22)
        while True:
            corpus = Path(tmp) / f"k8s-{namespaces}"
            corpus.mkdir()
            k8s_corpus.generate(corpus, namespaces=namespaces)
            page = Path(tmp) / "report.html"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "hullcheck", "scan", str(corpus), "-f", "html",
                            "-o", str(page), "--fail-on", "never"], check=True)
            write = time.perf_counter() - start
            data = page.read_text()
            count = data.count('"fingerprint":')
            if count >= findings:
                break
            namespaces = int(namespaces * findings / max(count, 1)) + 1
        print(f"{count:,} findings ({namespaces} namespaces of bench/k8s_corpus.py): "
              f"scan + HTML {write:.2f} s, page {len(data) / 1e6:.1f} MB")
        with playwright() as pw, chromium(pw, Path(tmp) / "profile") as ctx:
            loads = []
            for _ in range(3):
                start = time.perf_counter()
                p = Page(ctx, page)
                loads.append(time.perf_counter() - start)
                p.page.close()
            print(f"open to a built, filtered page: median {statistics.median(loads):.2f} s"
                  f" (of 3: {', '.join(f'{x:.2f}' for x in loads)})")
            p = Page(ctx, page)
            assert not p.errors and not p.csp_violations()
            family, rule = p.page.evaluate(
                "[document.querySelector('#f-family option:nth-child(2)').value,"
                " document.querySelector('#f-rule option:nth-child(2)').value]")
            steps = [
                (f"family {family}", "const s = document.getElementById('f-family');"
                 f" s.value = '{family}'; s.dispatchEvent(new Event('change'))", 0),
                (f"rule {rule}", "const s = document.getElementById('f-rule');"
                 f" s.value = '{rule}'; s.dispatchEvent(new Event('change'))", 0),
                ("clear filters", "document.getElementById('f-reset').click()", 0),
                ("untick info and low", "document.querySelector('input[name=sev][value=info]')"
                 ".click(); document.querySelector('input[name=sev][value=low]').click()", 0),
                ("clear filters", "document.getElementById('f-reset').click()", 0),
                ("free text 'privileged'", "const s = document.getElementById('f-text');"
                 " s.value = 'privileged'; s.dispatchEvent(new Event('input'))", 150),
                ("clear filters", "document.getElementById('f-reset').click()", 0),
                ("show all", "document.getElementById('show-all').click()", 0),
            ]
            for label, act, debounce in steps:
                ms = p.page.evaluate(f"""async () => {{
                    const t0 = performance.now();
                    {act};
                    await new Promise(r => setTimeout(r, {debounce}));
                    await new Promise(r => setTimeout(r, 0));
                    document.body.offsetHeight;
                    return performance.now() - t0 - {debounce};
                }}""")
                print(f"- {label}: {ms:.0f} ms ({p.page.text_content('#shown-count')})")
            assert not p.errors and not p.csp_violations()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    m = sub.add_parser("merge")
    m.add_argument("--nodes", type=int, nargs="+", default=[250, 500, 1000, 2000])
    h = sub.add_parser("html")
    h.add_argument("--findings", type=int, default=10_000)
    args = ap.parse_args()
    if args.what == "merge":
        bench_merge(args.nodes)
    else:
        bench_html(args.findings)


if __name__ == "__main__":
    main()
