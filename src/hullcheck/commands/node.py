"""``hullcheck node``: audit a Kubernetes node (CIS Kubernetes Benchmark 1.10, section 4: the
kubelet's files and settings, kube-proxy's metrics address), read-only, from its filesystem.

The CLI applies selection, suppressions, the output format and the exit code to the returned
``Report``; this module adds ``--root`` and ``--proc``, reads the node, runs the audit and keeps
only the checks a tag selection asks for (``--select cis-k8s-1.10:4.1``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from hullcheck.findings import Report
from hullcheck.rules.base import Context, Rule


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("node")
    group.add_argument("--root", default="/", metavar="DIR",
                       help="where the node's filesystem is (default: /; in a pod that mounts "
                            "the node's directories under /host: --root /host)")
    group.add_argument("--proc", metavar="DIR",
                       help="the node's /proc, for the kubelet's and kube-proxy's command lines "
                            "(default: ROOT/proc when it lists processes, else /proc: in a pod, "
                            "run with hostPID)")


def run(args: argparse.Namespace, ctx: Context,
        accept: Callable[[type[Rule]], bool] = lambda _rule: True) -> Report:
    import os
    import time

    from hullcheck.commands.host import _split, filter_checks
    from hullcheck.engine import Engine
    from hullcheck.errors import BadInput
    from hullcheck.inputs.node import collect
    from hullcheck.nodeaudit import in_node_audit, judge
    from hullcheck.rules import rules_for_kinds

    root = str(getattr(args, "root", "/") or "/")
    proc = getattr(args, "proc", None)
    for flag, path in (("--root", root), ("--proc", proc)):
        if path is not None and not os.path.isdir(path):
            raise BadInput(f"{flag} {path}: not a directory")
    started = time.time()
    engine = Engine.for_kinds(("node",), ctx, lambda r: in_node_audit(r) and accept(r),
                              debug=bool(getattr(args, "debug", False)))
    unselected = [r for r in rules_for_kinds(("node",)) if in_node_audit(r) and not accept(r)]
    node = collect(root, proc)
    report = judge(node, engine, unselected)
    report.started, report.ended = started, time.time()
    select = _split(getattr(args, "select", [])) or list(ctx.config.select)
    ignore = _split(getattr(args, "ignore", [])) + list(ctx.config.ignore)
    report.checks = filter_checks(report.checks, select, ignore, "cis-k8s-1.10")
    return report
