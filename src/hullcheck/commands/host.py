"""``hullcheck host``: audit the Docker host (CIS Docker Benchmark v1.6.0, sections 1 to 7).

The CLI applies selection, suppressions, the output format and the exit code to the returned
``Report``; this module adds the host's own flags, collects the host, runs the audit, and keeps
only the benchmark checks a tag selection asks for (``--select cis-docker-1.6:5``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from hullcheck.findings import Report
from hullcheck.rules.base import Context, Rule


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("host")
    group.add_argument("--all", action="store_true", dest="all_containers",
                       help="also audit created and stopped containers (default: running ones)")
    group.add_argument("--container", action="append", default=[], metavar="NAME",
                       help="only these containers: names or id prefixes (repeatable)")
    group.add_argument("--image", action="append", default=[], metavar="NAME",
                       help="only these images: name[:tag] or id prefixes (repeatable)")
    group.add_argument("--docker-host", metavar="URL",
                       help="the engine to audit (default: DOCKER_HOST, then "
                            "unix:///var/run/docker.sock); TLS from DOCKER_TLS_VERIFY and "
                            "DOCKER_CERT_PATH")
    group.add_argument("--trusted-user", action="append", default=[], metavar="USER",
                       help="a user trusted to be in the docker group (1.1.2; repeatable)")


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in str(item).split(",") if v.strip()]


def run(args: argparse.Namespace, ctx: Context,
        accept: Callable[[type[Rule]], bool] = lambda _rule: True) -> Report:
    """``accept``: the selection. The engine holds only the benchmark's rules it accepts, built
    once: an unselected rule never runs; the checks only it carries are not listed."""
    import time

    from hullcheck.engine import Engine
    from hullcheck.hostaudit.audit import in_benchmark, judge
    from hullcheck.inputs.docker_host import HostOptions, collect
    from hullcheck.rules import rules_for_kinds

    options = HostOptions(
        docker_host=getattr(args, "docker_host", None),
        all_containers=bool(getattr(args, "all_containers", False)),
        container_filters=_split(getattr(args, "container", [])),
        image_filters=_split(getattr(args, "image", [])),
        trusted_users=_split(getattr(args, "trusted_user", [])),
    )
    started = time.time()
    engine = Engine.for_kinds(("host",), ctx, lambda r: in_benchmark(r) and accept(r),
                              debug=bool(getattr(args, "debug", False)))
    unselected = [r for r in rules_for_kinds(("host",)) if in_benchmark(r) and not accept(r)]
    host = collect(options)
    report = judge(host, engine, unselected)
    report.started, report.ended = started, time.time()
    select = _split(getattr(args, "select", [])) or list(ctx.config.select)
    ignore = _split(getattr(args, "ignore", [])) + list(ctx.config.ignore)
    report.checks = filter_checks(report.checks, select, ignore)
    return report


def filter_checks(checks: list[Any], select: list[str], ignore: list[str],
                  benchmark: str = "cis-docker-1.6") -> list[Any]:
    """Tag selectors pick benchmark checks too; rule-id selectors only pick findings."""
    from hullcheck.suppress import selector_matches

    def tags(selectors: list[str]) -> list[str]:
        return [s for s in selectors if s.startswith(benchmark)]

    wanted, unwanted = tags(select), tags(ignore)
    out = []
    for check in checks:
        if wanted and not any(selector_matches(s, "", (check.id,)) for s in wanted):
            continue
        if any(selector_matches(s, "", (check.id,)) for s in unwanted):
            continue
        out.append(check)
    return out
