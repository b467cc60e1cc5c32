from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.container._namespaces import HostNamespaceRule


class HostIpc(HostNamespaceRule):
    """
    ## What it finds
    A container sharing the host's IPC namespace (`ipc: host` in compose, `--ipc host` on a host).

    ## Why it matters
    Shared memory segments and message queues of host processes become readable and writable from
    the container.

    ## How to fix
    Remove the setting; give the container its own namespace.

    Before:
    ```yaml
    ipc: host
    ```
    After: the line removed (the container gets its own namespace).

    ## References
    - CIS Docker Benchmark 1.6.0, 5.17 (on Kubernetes: PSS `hostNamespaces`)
    """

    id = "CT006"
    name = "host-ipc"
    title = "Container shares the host IPC namespace"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.17",)
    k8s_covered_by = ("pss:baseline:hostNamespaces",)
    attribute = "host_ipc"
    setting = {"compose": "ipc: host", "docker": "--ipc host"}
    consequence = "shares System V IPC and POSIX shared memory with the host."
    fix = "Remove `ipc: host`."
    fixes = {
        "docker": "Run it again without --ipc host.",
    }
