from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, Platform
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule
from hullcheck.rules.container.root_user import is_root_user


def _is_root_group(group: str) -> bool:
    g = group.strip()
    return g == "root" or (g.isdigit() and int(g) == 0)


def _non_root(spec: ContainerSpec) -> bool | None:
    """Does the container run as a user other than root? None when not known here."""
    user = (spec.user or "").strip()
    if user:
        return not is_root_user(user)
    if spec.platform is Platform.KUBERNETES and spec.run_as_non_root is True:
        return True
    return None


class RootGroup(ContainerRule):
    """
    ## What it finds
    A container that runs as a non-root user but with root's group (gid 0): Kubernetes
    `runAsGroup: 0` (container or pod `securityContext`), compose `user: "1000:0"`, a live
    container's `User` of `uid:0`, or root's group among the supplementary groups
    (Kubernetes `supplementalGroups`, compose `group_add`, `--group-add`; `0` or `root`).
    Judged only when the user is known to be non-root (`user:`/`runAsUser` other than 0, or
    `runAsNonRoot: true`): a root user is CT015's concern, an unknown one is not judged.
    Non-zero groups are not reported.

    ## Why it matters
    Group 0 owns much of a filesystem, and images built for arbitrary uids (OpenShift's
    convention) make application files group-0 writable on purpose: a process in group 0 can
    write every root-group-writable file of the image and of mounted volumes, read
    root-group-readable secrets, and keeps that access whatever uid it is given. It undoes much
    of the point of running as a non-root user.

    ## How to fix
    Give the process a group of its own, and drop 0 from the supplementary groups.

    Before:
    ```yaml
    securityContext:
      runAsUser: 10001
      runAsGroup: 0
    ```
    After:
    ```yaml
    securityContext:
      runAsUser: 10001
      runAsGroup: 10001
    ```

    ## References
    - CIS Docker Benchmark 1.6, 4.1 (a non-root user for the container) is worth less when
      that user keeps root's group
    """

    id = "CT031"
    name = "root-group"
    title = "Non-root container runs with root's group"
    severity = Severity.MEDIUM
    linux_only = True
    platforms = ALL_PLATFORMS
    fix = "Set a non-zero group (runAsGroup, `user: uid:gid`); drop 0 from supplementary groups."
    fixes = {
        "docker": "Run it again with --user uid:gid (gid not 0) and without --group-add 0.",
        "kubernetes": "Set runAsGroup to a non-zero gid and remove 0 from supplementalGroups.",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if not _non_root(spec):
            return
        user = (spec.user or "").strip()
        _, colon, group = user.partition(":")
        if spec.run_as_group == 0:
            yield self.emit(spec, spec.loc("run_as_group"),
                            f"{spec.name}: runs as a non-root user in root's group "
                            "(runAsGroup: 0).", "group=0")
        elif colon and _is_root_group(group):
            yield self.emit(spec, spec.loc("user"),
                            f"{spec.name}: runs as a non-root user in root's group "
                            f"(user: {user}).", "group=0")
        roots = [g for g in spec.group_add if _is_root_group(g)]
        if roots:
            yield self.emit(spec, spec.loc("group_add"),
                            f"{spec.name}: root's group ({roots[0]}) is one of its "
                            "supplementary groups.", "group_add=0")
