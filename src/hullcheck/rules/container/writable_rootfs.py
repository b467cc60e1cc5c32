from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule, field_name


class WritableRootFilesystem(ContainerRule):
    """
    ## What it finds
    A container whose root file system is writable (`read_only` not `true` in compose,
    `readOnlyRootFilesystem` not `true` in Kubernetes, no `--read-only` on a host). Windows
    pods (`spec.os.name: windows`) are not judged: Kubernetes rejects the field there.

    ## Why it matters
    A writable root lets an intruder drop tools and persist changes to binaries and
    configuration for the container's lifetime. Read-only roots with explicit writable
    volumes or tmpfs for the paths that need writing make drift visible.

    ## How to fix
    Make the root read-only and mount what must be written.

    Before:
    ```yaml
    services:
      app:
        image: app:1.0
    ```
    After:
    ```yaml
    services:
      app:
        image: app:1.0
        read_only: true
        tmpfs: [/tmp]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.13 (Kubernetes: no PSS control; judged there too)
    """

    id = "CT016"
    autofixes = (
        Fix("compose", "set read_only: true", "hullcheck.fix.compose:read_only", unsafe=True,
            assumes="the service writes only to volumes and tmpfs mounts",
            verify="every path the service writes (/tmp, /run, caches, pid files) is a volume "
                   "or a tmpfs entry"),
        Fix("kubernetes", "set the container's securityContext.readOnlyRootFilesystem: true",
            "hullcheck.fix.kubernetes:read_only_root", unsafe=True,
            assumes="the container writes only to mounted volumes",
            verify="every path the container writes (/tmp, caches, pid files) is an emptyDir "
                   "or another volume"),
    )
    name = "writable-root-filesystem"
    title = "Root file system is writable"
    severity = Severity.LOW
    linux_only = True
    docker_refs = ("cis-docker-1.6:5.13",)
    platforms = ALL_PLATFORMS
    fix = "Set `read_only: true` and mount writable tmpfs/volumes where needed."
    fixes = {
        "docker": "Run it again with --read-only and --tmpfs or volumes where it must write.",
        "kubernetes": (
            "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where "
            "the container must write."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.read_only_rootfs or "read_only_rootfs" in spec.unsettable:
            return  # read-only, or not a choice (Kubernetes forbids it in Windows pods)
        name = field_name(spec, "read_only_rootfs")
        how = "is false" if spec.read_only_rootfs is False else "is not set"
        yield self.emit(spec, spec.loc("read_only_rootfs"),
                        f"{spec.name}: the root file system is writable ({name} {how}).",
                        f"read_only={spec.read_only_rootfs}")
