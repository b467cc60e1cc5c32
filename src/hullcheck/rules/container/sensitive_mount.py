from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, item_location
from hullcheck.rules.container.docker_socket import is_docker_socket

SENSITIVE = ("/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var/run",
             "/var/lib/docker")


def sensitive_root(source: str) -> str | None:
    """The sensitive directory ``source`` is or lies under (longest match), else None."""
    best: str | None = None
    for directory in SENSITIVE:
        if source == directory or (directory != "/" and source.startswith(directory + "/")):
            if best is None or len(directory) > len(best):
                best = directory
    return best


class SensitiveHostPathMounted(ContainerRule):
    """
    ## What it finds
    A sensitive host directory bind-mounted into a container: `/`, `/boot`, `/dev`, `/etc`,
    `/lib`, `/proc`, `/sys`, `/usr`, `/var/run`, `/var/lib/docker`. The directory itself is high
    severity when writable and medium when read-only; a writable path *below* one of them
    (`/etc/nginx`, `/usr/local/bin`) is medium; a read-only file below them (the common
    `/etc/localtime:/etc/localtime:ro`) is not a finding. The Docker socket is CT009's.

    ## Why it matters
    Writing to `/etc`, `/usr` or `/boot` of the host changes what the host runs and who can log
    in; `/proc` and `/sys` expose kernel knobs; `/var/lib/docker` holds every other container's
    files. Even read-only, `/etc` leaks password hashes and keys.

    ## How to fix
    Mount only the file or directory the container needs, read-only, or use a named volume.

    Before:
    ```yaml
    volumes:
      - /etc:/host/etc
    ```
    After:
    ```yaml
    volumes:
      - /etc/timezone:/etc/timezone:ro
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.6 (on Kubernetes: PSS `hostPathVolumes`)
    """

    id = "CT010"
    name = "sensitive-host-path"
    title = "Sensitive host directory mounted into the container"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.6",)
    k8s_covered_by = ("pss:baseline:hostPathVolumes", "pss:restricted:restrictedVolumes")
    fix = "Mount only the specific file needed, read-only, or use a named volume."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for mount in spec.mounts:
            if mount.type != "bind" or is_docker_socket(mount.source):
                continue
            root = sensitive_root(mount.source)
            if root is None:
                continue
            exact = mount.source == root
            if not exact and mount.read_only:
                continue
            mode = "read-only" if mount.read_only else "writable"
            severity = Severity.HIGH if exact and not mount.read_only else Severity.MEDIUM
            where = "the host's" if exact else f"a path under the host's {root}:"
            yield self.emit(spec, item_location(spec, mount),
                            f"{spec.name}: mounts {where} {mount.source} ({mode}) at "
                            f"{mount.target}.",
                            f"mount={mount.source}:{mode}", severity=severity)
