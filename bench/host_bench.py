"""Host audit speed with real containers (not run in CI).

    PYTHONPATH=src python bench/host_bench.py            # 6 and 200 containers
    PYTHONPATH=src python bench/host_bench.py --counts 6 # just 6

Builds a busybox image with ``docker import`` (no pulls), starts N ``sleep`` containers labelled
``hullcheck.test=bench``, times ``hullcheck host`` end to end as a subprocess (start-up included)
and the audit in-process, counts Engine API requests, then removes everything it created. The
CLI runs also report CPU time (user+system) and peak RSS of the ``hullcheck host`` process.
Docker Bench's figures come from the issue: 19.4 s on a host with 6 containers (282 ``docker``
CLI calls); it cannot run here (no network to fetch it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from child_usage import Usage, load_average, run_child  # noqa: E402

from live.dockertest import busybox_rootfs_tar, find_busybox  # noqa: E402

LABELS = {"hullcheck.test": "bench"}
DOCKER_BENCH = {"containers": 6, "seconds": 19.4, "calls": 282}


def make_image(client: Any, tag: str) -> None:
    busybox = find_busybox()
    if busybox is None:
        sys.exit("no busybox: apt-get install busybox-static")
    repo, _, version = tag.partition(":")
    client.api.import_image_from_data(busybox_rootfs_tar(busybox), repository=repo, tag=version,
                                      changes=['LABEL hullcheck.test="bench"'])


def start_containers(client: Any, image: str, first: int, last: int, run: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> None:
        c = client.containers.create(image, ["sleep", "86400"], name=f"hcbench-{run}-{i}",
                                     labels={**LABELS, "hullcheck.bench.run": run})
        c.start()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(first, last)))


def cleanup(client: Any, run: str, image: str) -> None:
    """Remove every container of this run (also those of a batch that failed half-way)."""
    from concurrent.futures import ThreadPoolExecutor

    ids = [c["Id"] for c in client.api.containers(
        all=True, filters={"label": f"hullcheck.bench.run={run}"})]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda cid: client.api.remove_container(cid, force=True), ids))
    client.images.remove(image, force=True)


def count_requests() -> tuple[Any, dict[str, int]]:
    """Patch requests' Session.send to count Engine API calls made by an in-process audit."""
    import requests

    counts: dict[str, int] = {"requests": 0}
    original = requests.Session.send

    def send(self: Any, request: Any, **kw: Any) -> Any:
        counts["requests"] += 1
        return original(self, request, **kw)

    requests.Session.send = send  # type: ignore[method-assign]
    return original, counts


def time_cli(repeat: int) -> list[Usage]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    runs = []
    for _ in range(repeat):
        usage = run_child([sys.executable, "-m", "hullcheck", "host", "--format", "json",
                           "--fail-on", "never"], env=env)
        if usage.returncode != 0:
            raise subprocess.CalledProcessError(usage.returncode, "hullcheck host")
        runs.append(usage)
    return runs


def time_inprocess(repeat: int) -> tuple[list[float], int, int]:
    import requests

    from hullcheck.config import Config
    from hullcheck.hostaudit.audit import audit
    from hullcheck.inputs.docker_host import HostOptions, collect
    from hullcheck.rules.base import Context

    original, counts = count_requests()
    times = []
    containers = 0
    try:
        for _ in range(repeat):
            counts["requests"] = 0
            t0 = time.perf_counter()
            host = collect(HostOptions())
            audit(host, Context(config=Config()))
            times.append(time.perf_counter() - t0)
            containers = len(host.containers)
    finally:
        requests.Session.send = original  # type: ignore[method-assign]
    return times, counts["requests"], containers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[6, 200])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import docker

    client = docker.from_env(timeout=120)
    run = uuid.uuid4().hex[:6]
    image = f"hullcheck-bench/busybox:{run}"
    make_image(client, image)
    baseline = len(client.api.containers(quiet=True))
    print(f"engine {client.version()['Version']}, {os.cpu_count()} CPUs, "
          f"{baseline} other running containers")
    made = 0
    try:
        for count in sorted(args.counts):
            start_containers(client, image, made, count, run)
            made = count
            runs = time_cli(args.repeat)
            cli = [u.wall for u in runs]
            inproc, requests_made, audited = time_inprocess(args.repeat)
            print(f"{count:4d} containers ({audited} audited): hullcheck host (CLI) median "
                  f"{statistics.median(cli):.2f} s (min {min(cli):.2f}); in-process median "
                  f"{statistics.median(inproc):.2f} s; {requests_made} Engine API requests")
            print(f"     CLI CPU median {statistics.median(u.cpu for u in runs):.2f} s, peak RSS "
                  f"max {max(u.rss_mib for u in runs):.0f} MB; {load_average()}")
            if count == DOCKER_BENCH["containers"]:
                ratio = DOCKER_BENCH["seconds"] / statistics.median(cli)
                print(f"     Docker Bench (from the issue): {DOCKER_BENCH['seconds']} s, "
                      f"{DOCKER_BENCH['calls']} docker CLI calls -> {ratio:.0f}x faster")
    finally:
        cleanup(client, run, image)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
