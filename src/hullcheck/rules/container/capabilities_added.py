from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, first_location

# Capabilities that hand out (most of) root's power over the host or other containers.
DANGEROUS = frozenset({
    "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO",
    "SYS_BOOT", "SYS_TIME", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG",
    "LINUX_IMMUTABLE", "SYS_RESOURCE", "NET_RAW", "DAC_OVERRIDE", "SETFCAP", "CHECKPOINT_RESTORE",
})
# Binding a port below 1024 is the one addition PSS restricted allows.
ALLOWED = frozenset({"NET_BIND_SERVICE"})


class CapabilitiesAdded(ContainerRule):
    """
    ## What it finds
    Linux capabilities added to a container (`cap_add`), dangerous ones (`SYS_ADMIN`,
    `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `DAC_READ_SEARCH`, `ALL`...) at high severity,
    others at medium. `NET_BIND_SERVICE` is never a finding: dropping ALL and adding back only
    `NET_BIND_SERVICE` is the recommended pattern (as in PSS restricted).

    ## Why it matters
    Each capability is a slice of root. `SYS_ADMIN` alone allows mounting file systems and
    most container escapes; `SYS_PTRACE` reads other processes' memory; `NET_ADMIN` rewires the
    network; `SYS_MODULE` loads kernel code.

    ## How to fix
    Remove the capability, or replace it by the narrow one the program really needs.

    Before:
    ```yaml
    cap_add: [SYS_ADMIN]
    ```
    After:
    ```yaml
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.4 (on Kubernetes: PSS `capabilities_baseline`,
      `capabilities_restricted`)
    """

    id = "CT002"
    name = "capabilities-added"
    title = "Container adds Linux capabilities"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.4",)
    k8s_covered_by = ("pss:baseline:capabilities_baseline",
                      "pss:restricted:capabilities_restricted")
    fix = "Remove added capabilities; keep at most NET_BIND_SERVICE after dropping ALL."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for cap in dict.fromkeys(spec.cap_add):
            if cap in ALLOWED:
                continue
            dangerous = cap in DANGEROUS
            what = "every capability" if cap == "ALL" else f"capability {cap}"
            yield self.emit(
                spec, first_location(spec, f"cap_add.{cap}", "cap_add"),
                f"{spec.name}: adds {what}"
                + (", which is close to full root on the host." if dangerous else "."),
                f"cap_add={cap}",
                severity=Severity.HIGH if dangerous else Severity.MEDIUM,
            )
