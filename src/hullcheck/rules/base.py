"""What a rule is.

A rule is a small class with metadata and a docstring under fixed headings (*What it finds*, *Why
it matters*, *How to fix*, *References*). It overrides only the hooks it needs (zizmor's pattern);
the engine walks each model once and calls, for every model element, just the rules that
implement the matching hook.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from hullcheck.findings import Finding, Location, Severity
from hullcheck.fix import Fix
from hullcheck.needs import Need
from hullcheck.options import RunOptions

if TYPE_CHECKING:
    from hullcheck.config import Config
    from hullcheck.models.compose import ComposeProject
    from hullcheck.models.container import ContainerSpec
    from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
    from hullcheck.models.environment import Environment
    from hullcheck.models.graph import ObjectGraph
    from hullcheck.models.host import DockerHost
    from hullcheck.models.image import Image
    from hullcheck.models.node import KubeNode
    from hullcheck.models.pod import Pod

DOC_HEADINGS: tuple[str, ...] = ("What it finds", "Why it matters", "How to fix", "References")

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*[A-Z]\d{3}$")


@dataclass
class Context:
    """What every rule may consult: the config (with its trust policy) and run options.

    ``options`` carries per-input settings that only some families read (``kubernetes_version``,
    ``pss_level``, ``namespace``...), so adding one does not touch every rule.
    """

    config: Config
    options: RunOptions = field(default_factory=RunOptions)
    # Rules the selection names without the rule that reports in their place (a Pod Security
    # baseline control that restricted overrides, selected by id or by a tag that does not also
    # name its restricted successor): they judge anyway, since an explicitly selected rule always
    # reports (ARCHITECTURE.md).
    selected_alone: frozenset[str] = frozenset()


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]  # short kebab-case name, e.g. "last-user-root"
    title: ClassVar[str]
    severity: ClassVar[Severity]
    # input kinds this rule judges: dockerfile, compose, kubernetes, host, image, node
    inputs: ClassVar[frozenset[str]]
    references: ClassVar[tuple[str, ...]] = ()
    # Tags only some findings carry (a peer rule that fires on part of what this one judges):
    # known to selectors, ``explain`` and ``rules --tag``, not listed among ``references``.
    extra_references: ClassVar[tuple[str, ...]] = ()
    # Container rules only: the platforms (compose, kubernetes, docker) whose ContainerSpecs this
    # rule judges. See the platform table in the README.
    platforms: ClassVar[frozenset[str]] = frozenset({"compose", "kubernetes", "docker"})
    # Dockerfile rules only: the instructions ``check_instruction`` judges (for ``ONBUILD X``, the
    # trigger ``X``); None = every instruction. Lets the engine skip calls that can't matter.
    instructions: ClassVar[frozenset[str] | None] = None
    # What the rule reads beyond its model (image layers, the Docker API...): a walk that cannot
    # provide one never calls the rule and records a typed skip with the reason (hullcheck.needs).
    needs: ClassVar[frozenset[Need]] = frozenset()
    # a one-line fix shown by reporters
    fix: ClassVar[str] = ""
    # The repairs ``hullcheck fix`` can make, one per platform (``hullcheck.fix.Fix``).
    autofixes: ClassVar[tuple[Fix, ...]] = ()

    # --- hooks: override only those you need ------------------------------------------------
    def check_dockerfile(self, ctx: Context, dockerfile: Dockerfile) -> Iterable[Finding]:
        return ()

    def check_stage(self, ctx: Context, dockerfile: Dockerfile, stage: Stage
                    ) -> Iterable[Finding]:
        return ()

    def check_instruction(
        self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None, instruction: Instruction
    ) -> Iterable[Finding]:
        """``stage`` is None for an ARG before the first FROM (it belongs to no stage)."""
        return ()

    def check_compose(self, ctx: Context, project: ComposeProject) -> Iterable[Finding]:
        return ()

    def check_container(self, ctx: Context, spec: ContainerSpec) -> Iterable[Finding]:
        return ()

    def check_pod(self, ctx: Context, pod: Pod) -> Iterable[Finding]:
        return ()

    def check_objects(self, ctx: Context, graph: ObjectGraph) -> Iterable[Finding]:
        """``graph``: every Kubernetes object of the scan, built once for all these rules."""
        return ()

    def check_image(self, ctx: Context, image: Image) -> Iterable[Finding]:
        return ()

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        return ()

    def check_environment(self, ctx: Context, env: Environment) -> Iterable[Finding]:
        """Once per ``image`` or ``host`` run: the Docker client environment hullcheck runs in."""
        return ()

    def check_node(self, ctx: Context, node: KubeNode) -> Iterable[Finding]:
        """Once per ``node`` run: a Kubernetes node's kubelet and kube-proxy."""
        return ()

    # --- helpers ----------------------------------------------------------------------------
    @classmethod
    def implements(cls, hook: str) -> bool:
        return getattr(cls, hook) is not getattr(Rule, hook)

    def finding(
        self,
        location: Location,
        message: str,
        *,
        references: Iterable[str] | None = None,
        severity: Severity | None = None,
        evidence: str = "",
        remediation: str | None = None,
        title: str | None = None,
    ) -> Finding:
        return Finding(
            rule=self.id,
            title=title or self.title,
            severity=severity if severity is not None else self.severity,
            message=message,
            location=location,
            references=tuple(references) if references is not None else self.references,
            remediation=remediation if remediation is not None else self.fix,
            evidence=evidence,
        )

    @classmethod
    def all_references(cls) -> tuple[str, ...]:
        """Every tag a finding of this rule may carry."""
        return (*cls.references, *cls.extra_references)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc_sections(cls) -> dict[str, str]:
        """The docstring split by its ``## Heading`` lines (or ``Heading:`` lines)."""
        return split_doc(cls.documentation())

    @classmethod
    def summary(cls) -> str:
        return cls.doc_sections().get("What it finds", cls.title).split("\n\n")[0]


def split_doc(documentation: str) -> dict[str, str]:
    """A rule's documentation split by its ``## Heading`` lines (or ``Heading:`` lines), for
    ``Rule.doc_sections`` and the catalogue's ``RuleInfo`` alike."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in documentation.splitlines():
        stripped = line.strip()
        heading = stripped.lstrip("#").strip().rstrip(":")
        if heading in DOC_HEADINGS and (stripped.startswith("#") or stripped.endswith(":")):
            current = heading
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


def hooks() -> tuple[str, ...]:
    """Every hook: the methods of ``Rule`` named ``check_*``, in the order ``Rule`` declares them.
    A new hook is one more such method, typed with its model; the engine indexes the rules by
    whatever this returns when it is built."""
    return tuple(name for name in vars(Rule) if name.startswith("check_"))


# The hooks ``Rule`` declares (what the engine indexes, unless one was added since import).
HOOKS: tuple[str, ...] = hooks()
