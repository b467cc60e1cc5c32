from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, first_location


class CapabilitiesNotDropped(ContainerRule):
    """
    ## What it finds
    A container that does not drop all capabilities (`cap_drop: [ALL]`).

    ## Why it matters
    Without it the container keeps Docker's default set (`CHOWN`, `DAC_OVERRIDE`, `FOWNER`,
    `SETUID`, `SETGID`, `NET_RAW`, `MKNOD`, ...), far more than most programs use. `NET_RAW`
    alone allows ARP and DNS spoofing on the container network.

    ## How to fix
    Drop ALL and add back only what the program needs.

    Before:
    ```yaml
    services:
      web:
        image: nginx:1.27
    ```
    After:
    ```yaml
    services:
      web:
        image: nginx:1.27
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.4 (on Kubernetes: PSS `capabilities_restricted`)
    """

    id = "CT003"
    autofixes = (
        Fix("compose", "add ALL to cap_drop", "hullcheck.fix.compose:cap_drop_all", unsafe=True,
            assumes="the service needs no capability, or cap_add lists those it needs",
            verify="the service starts and works: add back what it needs with cap_add "
                   "(NET_BIND_SERVICE for ports below 1024, CHOWN/SETUID/SETGID for images "
                   "that drop root at start)"),
        Fix("kubernetes", "add ALL to the container's securityContext.capabilities.drop",
            "hullcheck.fix.kubernetes:drop_all_capabilities", unsafe=True,
            assumes="the container adds no capabilities",
            verify="the process needs no capability: add back exactly those with "
                   "capabilities.add"),
    )
    name = "capabilities-not-dropped"
    title = "Container does not drop all capabilities"
    severity = Severity.MEDIUM
    linux_only = True
    docker_refs = ("cis-docker-1.6:5.4",)
    k8s_covered_by = ("pss:restricted:capabilities_restricted",)
    fix = "Add `cap_drop: [ALL]` and add back only the capabilities needed."
    fixes = {
        "docker": (
            "Run it again with --cap-drop ALL and --cap-add only for the capabilities needed."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.privileged or "ALL" in spec.cap_drop:
            return  # privileged: CT001 says it louder
        yield self.emit(spec, first_location(spec, "cap_drop"),
                        f"{spec.name}: keeps the default capability set; drop ALL and add back "
                        "only what is needed.", "cap_drop!=ALL")
