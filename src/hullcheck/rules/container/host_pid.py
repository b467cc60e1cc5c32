from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.container._namespaces import HostNamespaceRule


class HostPid(HostNamespaceRule):
    """
    ## What it finds
    A container sharing the host's PID namespace (`pid: host` in compose, `--pid host` on a host).

    ## Why it matters
    Processes in the container see every host process, their command lines and environment, and
    with ptrace or root can signal or inspect them: a short path to escaping.

    ## How to fix
    Remove the setting; give the container its own namespace.

    Before:
    ```yaml
    pid: host
    ```
    After: the line removed (the container gets its own namespace).

    ## References
    - CIS Docker Benchmark 1.6.0, 5.16 (on Kubernetes: PSS `hostNamespaces`)
    """

    id = "CT005"
    name = "host-pid"
    title = "Container shares the host PID namespace"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.16",)
    k8s_covered_by = ("pss:baseline:hostNamespaces",)
    attribute = "host_pid"
    setting = {"compose": "pid: host", "docker": "--pid host"}
    consequence = "sees and can signal every process on the host."
    fix = "Remove `pid: host`."
    fixes = {
        "docker": "Run it again without --pid host.",
    }
