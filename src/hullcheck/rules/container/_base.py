"""What every container rule shares: per-platform references, field names and locations.

A container rule judges a ``ContainerSpec`` from any platform it lists in ``platforms``. It emits
the tags of the platform it judges (``cis-docker-1.6:*`` for compose and docker, ``cis-k8s-1.10:*``
for Kubernetes) and names fields the way that platform spells them, so the message tells the user
what to edit. The platform table in ``docs/platforms.md`` is tested against ``platforms`` and
``k8s_covered_by``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.container import ContainerSpec, Platform
from hullcheck.rules.base import Rule

COMPOSE_DOCKER = frozenset({"compose", "docker"})
ALL_PLATFORMS = frozenset({"compose", "docker", "kubernetes"})

# How each platform spells a field, for messages.
FIELD_NAMES: dict[str, dict[str, str]] = {
    "privileged": {"compose": "privileged", "docker": "--privileged",
                   "kubernetes": "securityContext.privileged"},
    "read_only_rootfs": {"compose": "read_only", "docker": "--read-only",
                         "kubernetes": "securityContext.readOnlyRootFilesystem"},
    "memory_limit": {"compose": "mem_limit / deploy.resources.limits.memory",
                     "docker": "--memory", "kubernetes": "resources.limits.memory"},
    "cpu_limit": {"compose": "cpus / deploy.resources.limits.cpus", "docker": "--cpus",
                  "kubernetes": "resources.limits.cpu"},
    "pids_limit": {"compose": "pids_limit / deploy.resources.limits.pids",
                   "docker": "--pids-limit", "kubernetes": "-"},
    "env": {"compose": "environment", "docker": "--env", "kubernetes": "env"},
    "image": {"compose": "image", "docker": "image", "kubernetes": "image"},
    "security_opt": {"compose": "security_opt", "docker": "--security-opt",
                     "kubernetes": "securityContext"},
    "user": {"compose": "user", "docker": "--user", "kubernetes": "securityContext.runAsUser"},
}


def security_opt(spec: ContainerSpec, option: str, value: str) -> str:
    """A ``security_opt`` entry as the platform writes it: ``seccomp:unconfined`` in compose,
    ``--security-opt seccomp=unconfined`` for a live container."""
    if spec.platform is Platform.DOCKER:
        return f"--security-opt {option}={value}"
    return f"{option}:{value}"


def field_name(spec: ContainerSpec, key: str) -> str:
    return FIELD_NAMES.get(key, {}).get(str(spec.platform), key)


def item_location(spec: ContainerSpec, item: Any) -> Location:
    """The line of a mount, port or env var (which may sit in another merged file)."""
    return spec.loc(line=getattr(item, "line", None), path=getattr(item, "path", None))


def first_location(spec: ContainerSpec, *fields: str) -> Location:
    """The first of ``fields`` that has a line, else the container itself."""
    for name in fields:
        if name in spec.field_lines:
            return spec.loc(name)
    return spec.location


class ContainerRule(Rule):
    """Base for CT rules. Subclasses set ``docker_refs`` (compose and live Docker) and
    ``k8s_refs``; ``references`` (for listings and SARIF) is their union."""

    docker_refs: ClassVar[tuple[str, ...]] = ()
    k8s_refs: ClassVar[tuple[str, ...]] = ()
    # Where the rule does not run on Kubernetes: the Pod Security Standards control(s) judged by
    # the K8S rules instead (or "-" with a reason in docs/platforms.md).
    k8s_covered_by: ClassVar[tuple[str, ...]] = ()
    platforms: ClassVar[frozenset[str]] = COMPOSE_DOCKER
    # The fix in each platform's own words (compose keys, Kubernetes fields, ``docker run``
    # flags for a live container), keyed by platform; ``fix`` (the listing's, in compose's
    # words) where a platform has none.
    fixes: ClassVar[dict[str, str]] = {}
    # Judges what only a Linux process has (its user, capabilities, setuid escalation, root file
    # system, process count): not applicable to a WebAssembly service (engine.judge_containers
    # lists it as skipped there, with the reason).
    linux_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.references = tuple(dict.fromkeys((*cls.docker_refs, *cls.k8s_refs)))
        kinds = {"compose": "compose", "docker": "host", "kubernetes": "kubernetes"}
        cls.inputs = frozenset(kinds[p] for p in cls.platforms)

    def refs(self, spec: ContainerSpec) -> tuple[str, ...]:
        return self.k8s_refs if spec.platform is Platform.KUBERNETES else self.docker_refs

    def emit(self, spec: ContainerSpec, location: Location, message: str, evidence: str,
             severity: Severity | None = None) -> Finding:
        """A finding tagged for ``spec``'s platform; ``evidence`` names the field and value
        (never the line) so baselines survive edits."""
        return self.finding(location, message, references=self.refs(spec), severity=severity,
                            evidence=f"{spec.platform}|{spec.name}|{evidence}",
                            remediation=self.fix_for(spec))

    def fix_for(self, spec: ContainerSpec) -> str:
        """The fix as ``spec``'s platform spells it."""
        return self.fixes.get(str(spec.platform), self.fix)

    def missing_limit(self, spec: ContainerSpec, key: str, what: str, note: str = ""
                      ) -> Iterator[Finding]:
        """A resource limit (``memory_limit``, ``cpu_limit``, ``pids_limit``) that is unset, or
        zero/negative (Docker's "unlimited"). ``note`` is appended to the message. Nothing when
        the platform does not let the container set it (a Kubernetes ephemeral container)."""
        if key in spec.unsettable:
            return
        value = getattr(spec, key)
        if value is not None and value > 0:
            return
        how = "unlimited" if value is not None else "not set"
        yield self.emit(spec, spec.loc(key),
                        f"{spec.name}: no {what} limit ({field_name(spec, key)} {how}){note}.",
                        f"{key}={value}")
