from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, item_location

SHARED = frozenset({"shared", "rshared"})


class SharedMountPropagation(ContainerRule):
    """
    ## What it finds
    A mount with shared propagation (`:shared`, `:rshared`, or long syntax
    `bind: {propagation: shared}`). `slave`/`private` are not findings. The finding points at
    the short-syntax volume line, or at the long syntax's `bind.propagation:` line.

    ## Why it matters
    With shared propagation, mounts made inside the container appear on the host (and the
    other way round): a container can mount over host paths.

    ## How to fix
    Use the default (`rprivate`) or `rslave`.

    Before:
    ```yaml
    volumes: ["/mnt/data:/data:rshared"]
    ```
    After:
    ```yaml
    volumes: ["/mnt/data:/data"]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.20 (on Kubernetes `Bidirectional` propagation requires a
      privileged container: PSS `privileged`)
    """

    id = "CT023"
    name = "shared-mount-propagation"
    title = "Mount propagation set to shared"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.20",)
    k8s_covered_by = ("pss:baseline:privileged",)
    fix = "Remove `shared`/`rshared` propagation from the mount."
    fixes = {
        "docker": (
            "Run it again without shared/rshared propagation on the mount (bind-propagation)."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for mount in spec.mounts:
            if mount.propagation in SHARED:
                # Long syntax: the `bind.propagation:` line, where the fix goes.
                where = item_location(spec, mount) if mount.propagation_line is None else \
                    spec.loc(line=mount.propagation_line, path=mount.propagation_path)
                yield self.emit(spec, where,
                                f"{spec.name}: {mount.target} is mounted with "
                                f"{mount.propagation} propagation.",
                                f"propagation={mount.source}:{mount.target}:{mount.propagation}")
