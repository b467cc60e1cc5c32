"""The engine: judges models with the rules, calling each rule's hooks once per model element.

Inputs only load (``hullcheck.inputs``: sources -> models, suppressions, errors); the engine
walks each model through a small table of walks, one per model type (``WALKS``), calls just the
rules that implement the matching hook, and keeps a crashing rule from taking the run down with
it. Splitting a large batch of independent files over the CPUs is its concern too
(``hullcheck.parallel``).
"""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from hullcheck.findings import (
    Finding,
    InputError,
    Report,
    RuleCrash,
    Skipped,
    compute_fingerprint,
)
from hullcheck.needs import MissingNeed, Need
from hullcheck.rules.base import Context, Rule, hooks

if TYPE_CHECKING:
    from hullcheck.inputs import InputKind, Loaded
    from hullcheck.models.compose import ComposeProject
    from hullcheck.models.container import ContainerSpec
    from hullcheck.models.dockerfile import Dockerfile
    from hullcheck.models.environment import Environment
    from hullcheck.models.host import DockerHost
    from hullcheck.models.image import Image
    from hullcheck.models.layers import RunImage
    from hullcheck.models.manifests import Manifests, Unit
    from hullcheck.models.node import KubeNode
    from hullcheck.sources import Source

# Model type -> the Engine method that walks it, by (module, class name): a model's module is
# already imported when one exists, so the table imports nothing (``Engine._walk_of``).
WALKS: tuple[tuple[str, str, str], ...] = (
    ("hullcheck.models.dockerfile", "Dockerfile", "walk_dockerfile"),
    ("hullcheck.models.compose", "ComposeProject", "walk_compose"),
    ("hullcheck.models.manifests", "Manifests", "walk_manifests"),
    ("hullcheck.models.layers", "RunImage", "walk_run_image"),
)


# Workloads a Kubernetes batch needs before its workloads and its object graph are judged in two
# processes (``Engine.walk_manifests``): about 40 ms of judging on each side, against about 20 ms
# for the fork and the findings' way back (measured on bench/k8s_corpus.py trees).
MIN_SPLIT_WORKLOADS = 500

# What a scan's progress line calls a batch of each input kind.
PROGRESS_LABELS = {"dockerfile": "Dockerfiles", "compose": "compose files",
                   "kubernetes": "Kubernetes manifests"}


class Engine:
    def __init__(self, rules: Sequence[type[Rule]], ctx: Context, debug: bool = False,
                 accept: Callable[[type[Rule]], bool] | None = None) -> None:
        self.ctx = ctx
        self.debug = debug
        self.rules: list[Rule] = []
        self._loaded: set[type[Rule]] = set()
        self._by_hook: dict[str, list[Rule]] = {hook: [] for hook in hooks()}
        # instruction kind -> (rule, its bound check_instruction), built on first use
        self._by_instruction: dict[str, list[tuple[Rule, Callable[..., Any]]]] = {}
        # hook -> (rule, its bound hook), for ``run``; platform -> the same for check_container
        self._bound: dict[str, list[tuple[Rule, Callable[..., Any]]]] = {}
        self._by_platform: dict[str, list[tuple[Rule, Callable[..., Any]]]] = {}
        self.crashes: list[InputError] = []
        # Rules a walk did not call because it could not provide what they need (image, host).
        self.skips: list[MissingNeed] = []
        # Rules not applicable to a container they would have judged (a Linux-only rule on a
        # WebAssembly service): moved into the report's ``skipped`` with the reason.
        self.not_applicable: list[Skipped] = []
        self._walks: dict[type, Callable[[Any, list[Finding]], None]] = {}
        # Which rules a lazily loaded family may contribute (the selection); see load_for.
        self._accept = accept or (lambda _rule: True)
        # Whether to build the Kubernetes overview (``Report.kubernetes``): only the formats
        # that show it need it (``reporters_table.SHOWS_KUBERNETES``; the CLI says).
        self.overview = True
        self._add(rules)

    def _add(self, rules: Iterable[type[Rule]]) -> None:
        new = [cls for cls in rules if cls not in self._loaded]
        if not new:
            return
        self._loaded.update(new)
        self.rules.extend(cls() for cls in new)
        self._by_hook = {
            hook: [r for r in self.rules if type(r).implements(hook)] for hook in hooks()
        }
        self._by_instruction = {}
        self._bound = {}
        self._by_platform = {}

    def load_for(self, kinds: Iterable[str]) -> None:
        """Add the (accepted) rules of every family that judges one of ``kinds``."""
        from hullcheck.rules import rules_for_kinds

        kinds = set(kinds)
        if kinds - {"kubernetes"} or self.ctx.options.get("resolve_images"):
            # Dockerfiles and image histories hold shell: register the models' parser. A scan
            # of manifests alone parses none, and need not load it.
            from hullcheck.inputs import shell  # noqa: F401
        self._add(cls for cls in rules_for_kinds(kinds) if self._accept(cls))

    def has(self, hook: str) -> bool:
        return bool(self._by_hook.get(hook))

    def run(self, hook: str, *args: Any, where: str = "") -> list[Finding]:
        """Call ``hook`` on every rule implementing it; a crash becomes an error line."""
        calls = self._bound.get(hook)
        if calls is None:  # bound once, not once per pod or file
            calls = self._bound[hook] = [(r, getattr(r, hook)) for r in self._by_hook[hook]]
        out: list[Finding] = []
        self._judge(out, calls, args, where)
        return out

    def run_instructions(self, out: list[Finding], judged: Iterable[tuple[str, Any]],
                         dockerfile: Any, stage: Any, where: str = "") -> None:
        """``check_instruction`` on each ``(kind, instruction)`` of ``judged``, in order,
        findings appended to ``out``, without a call or list per instruction (this runs for
        every instruction of every Dockerfile)."""
        cached = self._by_instruction
        for cmd, instruction in judged:
            calls = cached.get(cmd)
            if calls is None:  # an empty list is a cached answer too
                calls = self._instruction_checks(cmd)
            if calls:
                self._judge(out, calls, (dockerfile, stage, instruction), where)

    def _instruction_checks(self, cmd: str) -> list[tuple[Rule, Callable[..., Any]]]:
        """The rules judging instructions of kind ``cmd``, with their bound hook (looked up
        once per kind, not once per call)."""
        calls = self._by_instruction.get(cmd)
        if calls is None:
            calls = [(r, r.check_instruction) for r in self._by_hook["check_instruction"]
                     if r.instructions is None or cmd in r.instructions]
            self._by_instruction[cmd] = calls
        return calls

    def _judge(self, out: list[Finding], calls: list[tuple[Rule, Callable[..., Any]]],
               args: tuple[Any, ...], where: str) -> None:
        ctx = self.ctx
        for rule, check in calls:
            try:
                results: Iterable[Finding] | None = check(ctx, *args)
                if results:
                    out.extend(results)
            except Exception as exc:
                self._crashed(rule, exc, where)

    def _call(self, rules: list[Rule], hook: str, args: tuple[Any, ...], where: str
              ) -> list[Finding]:
        out: list[Finding] = []
        self._judge(out, [(rule, getattr(rule, hook)) for rule in rules], args, where)
        return out

    def _crashed(self, rule: Rule, exc: Exception, where: str) -> None:
        detail = f"{type(exc).__name__}: {exc}"
        if self.debug:
            import traceback

            detail += "\n" + traceback.format_exc()
        self.crashes.append(
            RuleCrash(where or "-", f"rule {rule.id} crashed ({detail}); please report",
                      rule=rule.id)
        )

    def run_containers(self, specs: Iterable[ContainerSpec], report: Report) -> None:
        """Judge normalised containers with every container rule."""
        self.judge_containers(specs, report.findings)
        report.skipped.extend(self.not_applicable)
        self.not_applicable = []

    def judge_containers(self, specs: Iterable[ContainerSpec], out: list[Finding]) -> None:
        """``check_container`` on each spec, by the rules judging its platform."""
        rules = self._by_hook["check_container"]
        if not rules:
            return
        by_platform = self._by_platform
        for spec in specs:
            platform = str(spec.platform)
            judging = by_platform.get(platform)
            if judging is None:
                judging = by_platform[platform] = [(r, r.check_container) for r in rules
                                                   if platform in type(r).platforms]
            if spec.wasm is not None:
                # A WebAssembly module has no Linux user, capabilities, setuid binaries, root
                # file system or processes to count: those rules do not apply (issue 24).
                skipped = [r for r, _check in judging if getattr(r, "linux_only", False)]
                judging = [(r, check) for r, check in judging if r not in skipped]
                where = f"{spec.location.path}:{spec.location.line}" if spec.location.path \
                    else spec.name
                self.not_applicable.extend(
                    Skipped(r.id, f"{where}: {spec.name} is a WebAssembly service "
                                  f"({spec.wasm}); the rule judges Linux containers")
                    for r in skipped)
            self._judge(out, judging, (spec,), spec.location.path or spec.name)

    # --- walks: one per model type ----------------------------------------------------------
    def judge(self, models: Iterable[Any], out: list[Finding]) -> None:
        """Walk each model with the walk of its type (``WALKS``), findings appended to ``out``."""
        walks = self._walks
        for model in models:
            walk = walks.get(type(model))
            if walk is None:
                walk = walks[type(model)] = self._walk_of(type(model))
            walk(model, out)

    def _walk_of(self, cls: type) -> Callable[[Any, list[Finding]], None]:
        for module, name, method in WALKS:
            owner = sys.modules.get(module)
            if owner is not None and issubclass(cls, getattr(owner, name)):
                walk: Callable[[Any, list[Finding]], None] = getattr(self, method)
                return walk
        raise TypeError(f"no walk for {cls.__qualname__} models")

    def walk_dockerfile(self, df: Dockerfile, out: list[Finding]) -> None:
        """The file, then each stage and its instructions (for ``ONBUILD X``, judged as X); ARG
        before the first FROM belongs to no stage: rules see stage=None."""
        where = df.path
        out.extend(self.run("check_dockerfile", df, where=where))
        walk_stages = self.has("check_stage")
        walk_instructions = self.has("check_instruction")
        if walk_instructions:
            self.run_instructions(out, [(ins.cmd, ins) for ins in df.global_instructions],
                                  df, None, where=where)
        for stage in df.stages:
            if walk_stages:
                out.extend(self.run("check_stage", df, stage, where=where))
            if walk_instructions:
                self.run_instructions(out, [(ins.judged_cmd, ins)
                                            for ins in stage.all_instructions()],
                                      df, stage, where=where)

    def walk_compose(self, project: ComposeProject, out: list[Finding]) -> None:
        """The project, then each service as a normalised container."""
        if self.has("check_compose"):
            out.extend(self.run("check_compose", project, where=project.path))
        self.judge_containers(project.containers, out)

    def walk_manifests(self, manifests: Manifests, out: list[Finding]) -> None:
        """Each workload's pod and containers, then the whole object graph for cross-resource
        rules.

        On a large batch the two halves run at once: a forked child judges the workloads while
        this process judges the graph (which it keeps for the report's overview), and the
        child's findings, crashes and skips come back pickled, joined in the order one process
        gives. The fork shares the loaded objects for free (nothing is sent to the child); a
        child that fails costs only time, its half is judged here again (``parallel``)."""
        if not self._split_manifests(manifests):
            self._walk_workloads(manifests, out)
            self._walk_graph(manifests, out)
            return
        from hullcheck import parallel

        def half(which: Sequence[str]) -> tuple[list[Finding], list[InputError], list[Skipped]]:
            found: list[Finding] = []
            crashes, skips = len(self.crashes), len(self.not_applicable)
            if which[0] == "graph":
                self._walk_graph(manifests, found)
            else:
                self._walk_workloads(manifests, found)
            taken = (found, self.crashes[crashes:], self.not_applicable[skips:])
            del self.crashes[crashes:], self.not_applicable[skips:]
            return taken

        # The graph half first: the first chunk is judged in this process, which keeps the graph.
        graph, workloads = parallel.map_chunks(["graph", "workloads"], half, 2)
        for found, crashes, skips in (workloads, graph):
            out.extend(found)
            self.crashes.extend(crashes)
            self.not_applicable.extend(skips)

    def _split_manifests(self, manifests: Manifests) -> bool:
        """Whether to judge workloads and graph in two processes: two CPUs and work enough on
        both sides to repay the fork (about 20 ms with the results' way back), no network
        verification (its caches live in the rules), and ``--jobs`` not 1."""
        from hullcheck import parallel

        options = self.ctx.options
        return (
            len(manifests.workloads) >= MIN_SPLIT_WORKLOADS
            and len(manifests.objects) >= 2 * MIN_SPLIT_WORKLOADS
            and self.has("check_objects")
            and (self.has("check_pod") or self.has("check_container"))
            and not options.get("verify_signatures")
            and not options.get("resolve_images")
            # the counts above stand for the work: two shares of it when two CPUs are free
            and parallel.jobs_for(2, options.get("jobs"), 2 * parallel.MIN_WORK_PER_PROCESS) == 2
        )

    def _walk_workloads(self, manifests: Manifests, out: list[Finding]) -> None:
        walk_pods = self.has("check_pod")
        walk_containers = self.has("check_container")
        units = bool(manifests.unit_of or manifests.unit_by_object)
        for workload in manifests.workloads:
            start = len(out)
            if walk_pods:
                out.extend(self.run("check_pod", workload.pod, where=workload.pod.owner.path))
            if walk_containers:
                self.judge_containers(workload.containers, out)
            if units and len(out) > start:
                _in_unit(out, start, manifests.unit_for(workload.pod.owner))

    def _walk_graph(self, manifests: Manifests, out: list[Finding]) -> None:
        if not self.has("check_objects"):
            return
        from hullcheck.kube_overview import keep_exposure  # what the report keeps of a graph

        if not manifests.units:
            out.extend(self.run("check_objects", manifests.graph, where="kubernetes"))
            keep_exposure(manifests)
            return
        # Cross-resource rules judge each deployable unit alone, never across units; each
        # unit's graph goes once judged.
        for unit in manifests.units:
            start = len(out)
            out.extend(self.run("check_objects", unit.graph, where=unit.ref.path))
            _in_unit(out, start, unit)
            keep_exposure(unit)

    def walk_run_image(self, run: RunImage, out: list[Finding]) -> None:
        """An image containers of the scan run, read whole (``--resolve-images=deep``): the
        image rules judge it, and each finding names the containers that run it (their
        ``image:`` lines as ``related_locations``; the container and object too when one does,
        which then join the fingerprint)."""
        self.load_for(("image",))
        start = len(out)
        self.judge_image(run.image, {}, out, run.image.ref.ref)
        only = run.runners[0] if len(run.runners) == 1 else None
        for finding in out[start:]:
            finding.related_locations = (*finding.related_locations, *run.runners)
            if only is not None:
                finding.location = dataclasses.replace(
                    finding.location, container=only.container, object=only.object)
                finding.fingerprint = compute_fingerprint(finding)

    # --- a batch of sources of one kind -----------------------------------------------------
    def load_and_judge(self, kind: InputKind, sources: list[Source]) -> Report:
        """Load ``sources`` with ``kind`` and judge the models. A large batch of independent
        files is split over the CPUs: each process loads and judges its contiguous chunk
        (loading must happen in the child: the Dockerfile parser starts Go's runtime, after
        which this process may not fork), and the reports are joined in chunk order, the same
        finding for finding as one process. On a terminal, progress shows on stderr."""
        from hullcheck import progress

        what = PROGRESS_LABELS.get(kind.name, f"{kind.name} files")
        if not kind.independent:
            # Loaded as one batch (the objects refer to each other): nothing to count, so the
            # line ticks from a thread of its own (and while it ticks, walk_manifests judges in
            # this one process: no fork beside a thread).
            with progress.task(f"{what}: {len(sources)}", None, "", ticking=True):
                report = Report()
                self._judge_into(report, kind.load(sources, self.ctx.options))
            return report
        from hullcheck import parallel

        with progress.task(what, len(sources)) as job:
            jobs = parallel.jobs_for(len(sources), self.ctx.options.get("jobs"),
                                     sum(map(_work, sources)))
            if jobs == 1:
                return self._one_by_one(kind, sources, job)

            def work(chunk: Sequence[Source]) -> tuple[Report, list[InputError]]:
                # Rule crashes are kept on the engine, and a child's engine is a copy: each
                # chunk takes its own off and returns them, and they go back on in chunk order.
                # Only this process draws progress: its chunk, of a share of the work as large
                # as each child's, stands for the whole batch (an estimate, exact at the end).
                start = len(self.crashes)
                report = self._one_by_one(kind, chunk, job, len(sources) / len(chunk))
                crashes = self.crashes[start:]
                del self.crashes[start:]
                return report, crashes

            report = Report()
            for part, crashes in parallel.map_chunks(sources, work, jobs, weight=_work):
                report.extend(part)
                self.crashes.extend(crashes)
            return report

    def _one_by_one(self, kind: InputKind, sources: Sequence[Source], job: Any = None,
                    step: float = 1.0) -> Report:
        """Each file loaded and judged before the next is read: only one file's model is held
        at a time. ``job``: the progress line to advance by ``step`` per file (None when
        progress is not shown, and then the loop does nothing more per file)."""
        report = Report()
        options = self.ctx.options
        if job is None:
            for src in sources:
                self._judge_into(report, kind.load([src], options))
            return report
        for src in sources:
            self._judge_into(report, kind.load([src], options))
            job.advance(step)
        return report

    def _judge_into(self, report: Report, loaded: Loaded) -> None:
        report.errors.extend(loaded.errors)
        report.warnings.extend(loaded.warnings)
        report.suppressions.extend(loaded.suppressions)
        report.skipped.extend(loaded.skipped)
        report.skipped_paths.extend(loaded.skipped_paths)
        self.judge(loaded.models, report.findings)
        report.skipped.extend(self.not_applicable)
        self.not_applicable = []
        manifests = sys.modules.get("hullcheck.models.manifests")  # loaded if any model is one
        if manifests is not None and self.overview:
            from hullcheck.kube_overview import join, overview

            for model in loaded.models:
                if isinstance(model, manifests.Manifests):
                    report.kubernetes = join(report.kubernetes, overview(model))

    # --- the walks of `image` and `host` ----------------------------------------------------
    @classmethod
    def for_kinds(cls, kinds: Iterable[str], ctx: Context, accept: Callable[[type[Rule]], bool],
                  debug: bool = False) -> Engine:
        """The engine of one run: the accepted rules (the selection) of every family that judges
        one of ``kinds``, built once; a rule it does not hold never runs."""
        engine = cls([], ctx, debug=debug, accept=accept)
        engine.load_for(kinds)
        return engine

    def _meeting(self, rules: Iterable[Rule], unavailable: dict[Need, str],
                 walk_needs: frozenset[Need] = frozenset()) -> list[Rule]:
        """``rules`` whose needs (with the walk's own) are all available; each other one is
        recorded once as a typed skip naming the first missing need and why it is missing."""
        ok = []
        for rule in rules:
            wanted = rule.needs | walk_needs
            missing = [n for n in Need if n in wanted and n in unavailable]
            if not missing:
                ok.append(rule)
                continue
            skip = MissingNeed(rule.id, missing[0], unavailable[missing[0]])
            if skip not in self.skips:
                self.skips.append(skip)
        return ok

    def judge_image(self, image: Image, unavailable: dict[Need, str], out: list[Finding],
                    where: str, walk_needs: frozenset[Need] = frozenset()) -> None:
        """``check_image`` on one image, by the rules whose needs it meets."""
        rules = self._meeting(self._by_hook["check_image"], unavailable, walk_needs)
        self._judge(out, [(r, r.check_image) for r in rules], (image,), where)

    def judge_environment(self, env: Environment, out: list[Finding]) -> None:
        """``check_environment``, once per run."""
        self._judge(out, [(r, r.check_environment) for r in self._by_hook["check_environment"]],
                    (env,), "environment")

    def judge_host(self, host: DockerHost, images: Sequence[tuple[str, Image]],
                   unavailable: dict[Need, str], env: Environment) -> list[Finding]:
        """A Docker host: host rules on the host, container rules on each container, image rules
        on each image (``(where, model)``), environment rules once. Containers and images are
        what the engine lists: their walks need the Docker API."""
        out: list[Finding] = []
        self._judge(out, [(r, r.check_host) for r in self._by_hook["check_host"]], (host,),
                    host.endpoint)
        api = frozenset({Need.DOCKER_API})
        docker = [r for r in self._by_hook["check_container"] if "docker" in type(r).platforms]
        rules = self._meeting(docker, unavailable, api)
        for container in host.containers:
            spec = container.spec
            platform = str(spec.platform)
            self._judge(out, [(r, r.check_container) for r in rules
                              if platform in type(r).platforms], (spec,),
                        spec.location.path or spec.name)
        self._meeting(self._by_hook["check_image"], unavailable, api)  # skips, even with none
        for where, image in images:
            self.judge_image(image, unavailable, out, where, api)
        self.judge_environment(env, out)
        return out


    def judge_node(self, node: KubeNode) -> list[Finding]:
        """A Kubernetes node (``hullcheck node``): the node rules, once."""
        out: list[Finding] = []
        self._judge(out, [(r, r.check_node) for r in self._by_hook["check_node"]], (node,),
                    node.root)
        return out


def _work(src: Source) -> int:
    """What judging src costs, to split a batch by (``parallel.work_of``)."""
    from hullcheck.parallel import work_of

    return work_of(len(src.text))


def _in_unit(out: list[Finding], start: int, unit: Unit | None) -> None:
    """Say on ``out[start:]`` which deployable unit they were judged in (``location.unit``),
    and for a rendered object where it came from (``location.source``): a rendered unit's
    findings report that file and line (the rendered stream's lines mean nothing on disk), and
    their fingerprint joins the unit."""
    if unit is None:
        return
    ref, origins = unit.ref, unit.origins
    for finding in out[start:]:
        loc = finding.location
        source = origins.get((loc.path or "", loc.object or "")) if origins else None
        if source is None:
            finding.location = loc.in_unit(ref)
            continue
        if unit.rendered:
            finding.location = dataclasses.replace(loc, unit=ref, source=source,
                                                   path=source.path, line=source.line,
                                                   end_line=None, column=None)
            finding.fingerprint = compute_fingerprint(finding)
        else:
            finding.location = dataclasses.replace(loc, unit=ref, source=source)


def _file_name(src: Source) -> str:
    """The name a walked source's kind is recognised by (its file's, not its display path's)."""
    return src.fs_path.name if src.fs_path is not None else os.path.basename(src.path)


def scan(
    targets: list[str],
    engine: Engine,
    stdin_name: str = "-",
    verbose_skips: list[str] | None = None,
) -> Report:
    """Find, read, classify and analyse every target of ``hullcheck scan``."""
    from hullcheck.inputs import input_kinds, is_yaml_candidate, not_recognised
    from hullcheck.inputs.helm import chart_dirs, chart_of_template, chart_owns, in_chart
    from hullcheck.sources import Source, display_path, parse_ahead, read_source, read_stdin, walk

    report = Report()
    kinds = input_kinds()
    unknown = not_recognised(kinds)
    batches: dict[str, list[Source]] = {k.name: [] for k in kinds}

    def classify(src: Source, name: str) -> bool:
        for kind in kinds:
            if kind.claims_name(name):
                batches[kind.name].append(src)
                return True
        if src.explicit or is_yaml_candidate(name):
            for kind in kinds:
                try:
                    claimed = kind.sniff(src)
                except Exception:
                    claimed = False
                if claimed:
                    batches[kind.name].append(src)
                    return True
        return False

    file_targets = [t for t in targets if t != "-"]
    if "-" in targets:
        try:
            src = read_stdin(stdin_name)
        except ValueError as exc:
            report.errors.append(InputError(stdin_name, str(exc).split(": ", 1)[-1]))
        else:
            if not classify(src, stdin_name.rsplit("/", 1)[-1]):
                report.errors.append(InputError(stdin_name, unknown))

    walked = walk(file_targets)
    report.errors.extend(walked.errors)
    report.skipped_paths.extend(walked.outside)
    if verbose_skips is not None:
        verbose_skips.extend(walked.skipped)
    # A Helm chart's files are its own: templates are not manifests. Its Chart.yaml stands for
    # the chart (rendered by the Kubernetes loader); its templates, sub-charts and YAML files are
    # left alone (helm.chart_owns), a Dockerfile or compose file next to them is judged.
    charts = chart_dirs(walked.files)
    # Read every file first, classify after: the YAML among them is parsed in between, over
    # the CPUs when there is enough of it (``parse_ahead``). What the walk says of a file
    # (errors, skips) keeps its place in file order: ``read`` holds a Source or that note.
    read: list[Source | Callable[[], None]] = []
    for fs_path, display, explicit, root in walked.files:
        name = os.path.basename(fs_path)
        chart = in_chart(fs_path, charts) if charts and not explicit else None
        if explicit and name != "Chart.yaml" and (chart := chart_of_template(fs_path)):
            read.append(partial(report.errors.append, InputError(
                display, f"a Helm chart template, not a manifest: scan the chart "
                         f"({display_path(chart)})")))
            continue
        if chart is not None and fs_path != os.path.join(chart, "Chart.yaml") and \
                chart_owns(fs_path, chart) and \
                not any(k.claims_name(name) for k in kinds if k.name != "kubernetes"):
            if verbose_skips is not None:
                read.append(partial(verbose_skips.append, f"{display}: part of the Helm chart "
                                    f"{display_path(chart)}, judged as rendered"))
            continue
        candidate = (
            explicit or is_yaml_candidate(name) or any(k.claims_name(name) for k in kinds)
        )
        if not candidate:
            if verbose_skips is not None:
                read.append(partial(verbose_skips.append,
                                    f"{display}: not a recognised input, skipped"))
            continue
        try:
            src = read_source(fs_path, display, explicit)
        except ValueError as exc:
            if explicit or any(k.claims_name(name) for k in kinds):
                error = InputError(display, str(exc).split(": ", 1)[-1])
                read.append(partial(report.errors.append, error))
            elif verbose_skips is not None:
                read.append(partial(verbose_skips.append, str(exc)))
            continue
        src.root = root
        read.append(src)

    def sniffed_as_yaml(src: Source) -> bool:
        """Classifying will parse it: a YAML name that no kind claims by name."""
        name = _file_name(src)
        return is_yaml_candidate(name) and not any(k.claims_name(name) for k in kinds)

    parse_ahead([s for s in read if isinstance(s, Source) and sniffed_as_yaml(s)],
                engine.ctx.options.get("jobs"))
    for item in read:
        if not isinstance(item, Source):
            item()
        elif not classify(item, _file_name(item)):
            if item.explicit:
                report.errors.append(InputError(item.path, unknown))
            elif verbose_skips is not None:
                verbose_skips.append(f"{item.path}: not a recognised input, skipped")

    engine.load_for(name for name, sources in batches.items() if sources)
    for kind in kinds:
        sources = batches[kind.name]
        if sources:
            report.extend(engine.load_and_judge(kind, sources))
    report.errors.extend(engine.crashes)
    engine.crashes = []
    gc.unfreeze()  # what yamlutil.load_documents froze is collectable again once the scan is over
    from hullcheck.models.lines import forget_shapes

    forget_shapes()  # the values keep their shapes; the next scan starts a table of its own
    return report
