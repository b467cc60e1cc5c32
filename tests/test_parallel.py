"""A Dockerfile batch judged in several processes gives the report one process gives.

The end-to-end tests run the CLI as a subprocess: in this (pytest) process the ``dockerfile``
extension, and with it Go's runtime, is already loaded, and ``hullcheck.parallel`` refuses to
fork then (a child would hang at its first parse).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import ROOT
from hullcheck import parallel

FIXTURES = ROOT / "tests" / "fixtures" / "dockerfile"


def test_chunks_are_contiguous_non_empty_and_in_order() -> None:
    for n in range(0, 25):
        items = list(range(n))
        for parts in range(1, 6):
            for weight in (None, lambda i: (i * 37) % 11):
                out = parallel.chunks(items, parts, weight)
                assert [x for chunk in out for x in chunk] == items
                assert len(out) == max(1, min(parts, n))
                assert n == 0 or all(out)


def test_chunks_balance_by_weight() -> None:
    # One large file and many small ones: the large one is a chunk on its own.
    assert parallel.chunks([100, 1, 1, 1, 1, 1], 2, lambda x: x) == [[100], [1, 1, 1, 1, 1]]
    assert parallel.chunks(list(range(10)), 2) == [list(range(5)), list(range(5, 10))]


def test_no_fork_once_the_go_runtime_is_loaded() -> None:
    import dockerfile  # noqa: F401 - loading it is the point

    assert not parallel.can_fork()
    assert parallel.jobs_for(10_000) == 1
    assert parallel.jobs_for(10_000, requested=4) == 1


def test_jobs_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    assert parallel.jobs_for(1) == 1
    assert parallel.jobs_for(parallel.MIN_PER_PROCESS * 2 - 1) == 1
    assert parallel.jobs_for(parallel.MIN_PER_PROCESS * 2) == 2
    assert parallel.jobs_for(100_000) == 2  # never more processes than CPUs by default
    assert parallel.jobs_for(10, requested=4) == 4  # --jobs is honoured
    assert parallel.jobs_for(3, requested=8) == 3  # but never more than one per file
    monkeypatch.setattr(parallel, "available_cpus", lambda: 1)
    assert parallel.jobs_for(100_000) == 1


def test_jobs_by_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The work (bytes, and FILE_WORK a file), not the file count, decides: the real corpus's
    174 Dockerfiles (983,134 bytes) are judged in two processes, 200 generated ones of 400
    bytes in one, as before."""
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 2)
    assert parallel.MIN_WORK_PER_PROCESS == 128 * 1024 and parallel.FILE_WORK == 512
    real = 983_134 + 174 * parallel.FILE_WORK
    assert parallel.jobs_for(174, work=real) == 2
    assert parallel.jobs_for(200, work=200 * parallel.work_of(400)) == 1
    assert parallel.jobs_for(300, work=300 * parallel.work_of(400)) == 2
    # One huge file is still one process; --jobs still wins.
    assert parallel.jobs_for(1, work=10 << 20) == 1
    assert parallel.jobs_for(174, requested=1, work=real) == 1


@pytest.mark.parametrize(("size", "jobs"), [(40, 1), (16 * 1024, 2)])
def test_the_scan_splits_by_bytes(tmp_path: Path, size: int, jobs: int) -> None:
    """20 Dockerfiles: with short RUN lines one process judges them; with 16 KiB of shell each
    (320 KiB of work) two do."""
    for i in range(20):
        (tmp_path / f"d{i:02d}").mkdir()
        script = " && ".join(["apt-get install -y curl"] * (size // 26 + 1))
        (tmp_path / f"d{i:02d}" / "Dockerfile").write_text(f"FROM alpine:3.20\nRUN {script}\n")
    code = textwrap.dedent(f"""\
        import sys
        from hullcheck import cli, parallel
        parallel.available_cpus = lambda: 2
        decide = parallel.jobs_for
        def spy(*args, **kw):
            n = decide(*args, **kw)
            print("jobs", n, file=sys.stderr)
            return n
        parallel.jobs_for = spy
        cli.main(["scan", {str(tmp_path)!r}, "--format", "json", "-o", "/dev/null",
                  "--fail-on", "never"])
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert f"jobs {jobs}\n" in proc.stderr, proc.stderr


def _square_all(part: Sequence[int]) -> list[int]:
    return [i * i for i in part]


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow map_chunks to fork here: the work below is pure Python and never calls into Go."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork() on this platform")
    monkeypatch.setattr(parallel, "can_fork", lambda: True)


@pytest.mark.usefixtures("forking")
def test_map_chunks_joins_results_in_order() -> None:
    items = list(range(50))
    results = parallel.map_chunks(items, _square_all, 3)
    assert [x for part in results for x in part] == [i * i for i in items]


@pytest.mark.usefixtures("forking")
def test_a_failing_child_is_redone_here() -> None:
    parent = os.getpid()

    def work(part: Sequence[int]) -> list[int]:
        if os.getpid() != parent:
            os._exit(3)  # a child dies without a result
        return _square_all(part)

    results = parallel.map_chunks(list(range(9)), work, 3)
    assert [x for part in results for x in part] == [i * i for i in range(9)]


@pytest.mark.usefixtures("forking")
def test_an_unpicklable_child_result_is_redone_here() -> None:
    parent = os.getpid()

    def work(part: Sequence[int]) -> object:
        if os.getpid() != parent:
            return lambda: None  # can't be pickled
        return list(part)

    assert parallel.map_chunks([1, 2, 3, 4], work, 2) == [[1, 2], [3, 4]]


def _corpus(tmp_path: Path, copies: int) -> Path:
    """Every Dockerfile fixture, ``copies`` times, plus a broken one and one with inline
    suppressions (used and unused), so findings, errors and suppressions all cross the pipe."""
    root = tmp_path / "corpus"
    fixtures = sorted(p for p in FIXTURES.rglob("*") if p.is_file())
    for n in range(copies):
        for i, src in enumerate(fixtures):
            dest = root / f"copy{n:02d}" / f"{i:03d}" / "Dockerfile"
            dest.parent.mkdir(parents=True)
            shutil.copyfile(src, dest)
    (root / "broken").mkdir()
    (root / "broken" / "Dockerfile").write_text("FROM alpine\nRUN <<EOF\n")
    (root / "zz-suppressed").mkdir()
    (root / "zz-suppressed" / "Dockerfile").write_text(textwrap.dedent("""\
        FROM alpine:3.20
        # hullcheck: ignore=DF004 building needs root here
        RUN sudo apk add curl
        # hullcheck: ignore=DF017 nothing to hide here
        RUN echo done
        """))
    return root


def _scan(corpus: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullcheck", "scan", str(corpus), "--format", "json",
         "--fail-on", "never", *extra],
        capture_output=True, text=True, timeout=120,
    )


def test_parallel_scan_reports_exactly_what_one_process_reports(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, copies=3)
    one = _scan(corpus, "--jobs", "1")
    assert one.returncode == 2, one.stderr  # the broken Dockerfile is an input error
    report = json.loads(one.stdout)
    assert report["findings"] and report["errors"]
    assert "unused suppression" in one.stderr
    for jobs in ("2", "3"):
        many = _scan(corpus, "--jobs", jobs)
        assert many.returncode == one.returncode
        assert many.stdout == one.stdout  # byte for byte, order included
        assert many.stderr == one.stderr


def test_rule_crashes_in_a_child_come_back_in_order(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, copies=1)
    # A rule that crashes on every file: its crash lines are per file, so their order shows
    # whether the children's came back in chunk order.
    script = textwrap.dedent(f"""\
        import os, sys
        from hullcheck.rules.dockerfile.healthcheck import NoHealthcheck
        def boom(self, ctx, dockerfile):
            raise RuntimeError(f"boom in {{dockerfile.path}} (pid {{os.getpid()}})")
        NoHealthcheck.check_dockerfile = boom
        from hullcheck.cli import main
        sys.exit(main(["scan", {str(corpus)!r}, "--format", "json", "--fail-on", "never",
                       "--jobs", sys.argv[1]]))
        """)
    runs = {}
    for jobs in ("1", "3"):
        proc = subprocess.run([sys.executable, "-c", script, jobs], capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 2
        runs[jobs] = proc
    pids = {}
    for jobs, proc in runs.items():
        crashes = [e["message"] for e in json.loads(proc.stdout)["errors"]
                   if "crashed" in e["message"]]
        pids[jobs] = {m.group(1) for c in crashes if (m := re.search(r"pid (\d+)", c))}
        assert len(crashes) > 10
    assert len(pids["1"]) == 1 and len(pids["3"]) == 3  # it did run in three processes

    def same(text: str) -> str:
        return re.sub(r"pid \d+", "pid N", text)

    assert same(runs["3"].stdout) == same(runs["1"].stdout)
    assert same(runs["3"].stderr) == same(runs["1"].stderr)


@pytest.mark.parametrize("bad", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(bad: str, tmp_path: Path) -> None:
    proc = _scan(tmp_path, "--jobs", bad)
    assert proc.returncode == 2
    assert "--jobs" in proc.stderr and "Traceback" not in proc.stderr


def test_cgroup_quota_caps_the_cpus(tmp_path: Path) -> None:
    v2 = tmp_path / "v2"
    v2.mkdir()
    (v2 / "cpu.max").write_text("150000 100000\n")
    assert parallel.cgroup_cpu_quota(str(v2)) == 1.5
    (v2 / "cpu.max").write_text("max 100000\n")
    assert parallel.cgroup_cpu_quota(str(v2)) is None
    v1 = tmp_path / "v1"
    (v1 / "cpu").mkdir(parents=True)
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (v1 / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert parallel.cgroup_cpu_quota(str(v1)) == 0.5
    (v1 / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert parallel.cgroup_cpu_quota(str(v1)) is None
    assert parallel.cgroup_cpu_quota(str(tmp_path / "none")) is None


def test_available_cpus_honours_the_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cgroup_cpu_quota", lambda: 0.5)
    assert parallel.available_cpus() == 1
    monkeypatch.setattr(parallel, "cgroup_cpu_quota", lambda: None)
    assert parallel.available_cpus() >= 1


def test_never_more_than_the_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 64)
    assert parallel.jobs_for(1_000_000) == parallel.MAX_PROCESSES


# --- a Kubernetes batch: workloads in a child, the object graph here (issue 19) ----------------


def _k8s_corpus(tmp_path: Path, namespaces: int) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from k8s_corpus import generate
    finally:
        sys.path.pop(0)
    out = tmp_path / "k8s"
    generate(out, namespaces)
    return out


def test_kubernetes_split_reports_exactly_what_one_process_reports(tmp_path: Path) -> None:
    # 70 namespaces give about 560 workloads: past MIN_SPLIT_WORKLOADS, so two processes judge.
    corpus = _k8s_corpus(tmp_path, 70)
    script = textwrap.dedent(f"""\
        import os, sys
        from hullcheck import engine
        pids = set()
        walk = engine.Engine._walk_workloads
        def spy(self, manifests, out):
            pids.add(os.getpid())
            walk(self, manifests, out)
        engine.Engine._walk_workloads = spy
        from hullcheck.cli import main
        code = main(["scan", {str(corpus)!r}, "--format", "json", "--fail-on", "never",
                     "--jobs", sys.argv[1]])
        print("workloads judged in this process:", os.getpid() in pids, file=sys.stderr)
        sys.exit(code)
        """)
    runs = {jobs: subprocess.run([sys.executable, "-c", script, jobs], capture_output=True,
                                 text=True, timeout=300) for jobs in ("1", "2")}
    one, two = runs["1"], runs["2"]
    assert one.returncode == 0, one.stderr
    assert len(json.loads(one.stdout)["findings"]) > 1000
    assert "in this process: True" in one.stderr
    assert "in this process: False" in two.stderr  # a child judged them
    assert two.stdout == one.stdout  # byte for byte, order included
    assert two.stderr.replace("False", "True") == one.stderr


def test_kubernetes_split_brings_back_crashes_and_redoes_a_failed_child(tmp_path: Path) -> None:
    corpus = _k8s_corpus(tmp_path, 70)
    # K8S014 crashes on every pod (in the child), KNS001 on the graph (here); with KILL=1 the
    # child dies before it answers and its half is judged again in this process.
    script = textwrap.dedent(f"""\
        import os, sys
        from hullcheck.rules import all_rules
        rules = {{r.id: r for r in all_rules()}}
        parent = os.getpid()
        def pod_boom(self, ctx, pod):
            if os.environ.get("KILL") and os.getpid() != parent:
                os._exit(9)
            raise RuntimeError(f"pod boom {{pod.owner.ref}}")
        def graph_boom(self, ctx, graph):
            raise RuntimeError("graph boom")
        rules["K8S014"].check_pod = pod_boom
        rules["KNS001"].check_objects = graph_boom
        from hullcheck.cli import main
        sys.exit(main(["scan", {str(corpus)!r}, "--format", "json", "--fail-on", "never",
                       "--jobs", sys.argv[1]]))
        """)

    def run(jobs: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", script, jobs], capture_output=True,
                              text=True, timeout=300, env={**os.environ, **env})

    one = run("1")
    assert one.returncode == 2
    crashes = [e["message"] for e in json.loads(one.stdout)["errors"] if "crashed" in e["message"]]
    assert len(crashes) > 500 and any("graph boom" in c for c in crashes)  # one per unit
    assert run("2").stdout == one.stdout
    assert run("2", KILL="1").stdout == one.stdout


def test_yaml_parsed_ahead_in_children_gives_the_same_report(tmp_path: Path) -> None:
    corpus = _k8s_corpus(tmp_path, 20)
    (corpus / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [\n")
    (corpus / "zz-binary.yaml").write_bytes(b"apiVersion: v1\n\x00\n")  # a read error (-v)
    (corpus / "notes.yaml").write_text("just: yaml\n")
    script = textwrap.dedent(f"""\
        import os, sys
        from hullcheck import yamlutil
        load = yamlutil.load_documents
        def spy(text):  # each process that parses says so (a child's memory is its own)
            with open(sys.argv[2], "a") as log:
                log.write(f"{{os.getpid()}}\\n")
            return load(text)
        yamlutil.load_documents = spy
        from hullcheck.cli import main
        code = main(["scan", {str(corpus)!r}, {str(corpus / "notes.yaml")!r}, "--format",
                     "json", "--fail-on", "never", "-v", "--jobs", sys.argv[1]])
        pids = set(open(sys.argv[2]).read().split())
        print("parsed only here:", pids == {{str(os.getpid())}}, file=sys.stderr)
        sys.exit(code)
        """)
    runs = {jobs: subprocess.run([sys.executable, "-c", script, jobs, str(tmp_path / jobs)],
                                 capture_output=True, text=True, timeout=300)
            for jobs in ("1", "2")}
    one, two = runs["1"], runs["2"]
    assert one.returncode == 2, one.stderr  # the broken file, the unknown file named
    assert "parsed only here: True" in one.stderr
    assert "parsed only here: False" in two.stderr  # a child parsed its share
    assert two.stdout == one.stdout  # findings, errors and their order
    assert two.stderr.replace("False", "True") == one.stderr
