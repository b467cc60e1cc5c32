from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, item_location

# Directories that contain the Docker socket: mounting them hands it over too.
SOCKET_DIRS = frozenset({"/run", "/var/run"})


def is_docker_socket(source: str) -> bool:
    return source.rstrip("/").endswith("/docker.sock") or source.rstrip("/") in SOCKET_DIRS


class DockerSocketMounted(ContainerRule):
    """
    ## What it finds
    The Docker socket (`/var/run/docker.sock`, `/run/docker.sock`, or the `/run` directory that
    holds it) mounted into a container.

    ## Why it matters
    Whoever talks to the socket controls the daemon: they can start a privileged container
    that mounts `/` and own the host. Read-only does not help; `:ro` only stops writes to the
    socket file, not API calls through it.

    ## How to fix
    Don't mount the socket. If a tool really needs the API, put a filtering proxy (for example
    one that allows only `GET /containers`) in front and mount that.

    Before:
    ```yaml
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
    ```
    After:
    ```yaml
    environment:
      DOCKER_HOST: tcp://socket-proxy:2375
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.32 (on Kubernetes: PSS `hostPathVolumes`)
    """

    id = "CT009"
    name = "docker-socket-mounted"
    title = "Docker socket mounted into the container"
    severity = Severity.CRITICAL
    docker_refs = ("cis-docker-1.6:5.32",)
    k8s_covered_by = ("pss:baseline:hostPathVolumes", "pss:restricted:restrictedVolumes")
    fix = "Remove the docker.sock mount; use a filtering API proxy if the API is needed."
    fixes = {
        "docker": (
            "Run it again without the docker.sock mount (-v/--mount); use a filtering API proxy "
            "if the API is needed."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for mount in spec.mounts:
            if mount.type == "bind" and is_docker_socket(mount.source):
                what = "the Docker socket" if mount.source.endswith(".sock") else \
                    f"{mount.source}, which holds the Docker socket,"
                yield self.emit(spec, item_location(spec, mount),
                                f"{spec.name}: mounts {what} at {mount.target}: control of the "
                                "daemon is control of the host (read-only does not help).",
                                f"mount={mount.source}")
