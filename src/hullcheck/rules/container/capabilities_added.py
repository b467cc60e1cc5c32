from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, first_location

# Capabilities reported at high severity, with what each hands over. Docker's default set
# (CHOWN, DAC_OVERRIDE, FOWNER, SETFCAP, SETUID...) is not here: adding one of those back after
# `cap_drop: [ALL]` grants less than keeping the defaults, and PSS baseline allows them too;
# NET_RAW is the exception PSS baseline makes, and so do we.
DANGEROUS: dict[str, str] = {
    "ALL": "every capability",
    "SYS_ADMIN": "mounts, namespaces and most container escapes",
    "NET_ADMIN": "reconfiguring interfaces, routes and firewall rules, and the kernel's "
                 "netfilter attack surface",
    "SYS_PTRACE": "reading and rewriting the memory of other processes it can see",
    "SYS_MODULE": "loading kernel modules, i.e. code in the host kernel",
    "DAC_READ_SEARCH": "opening host files by handle (the 'shocker' escape)",
    "SYS_RAWIO": "raw I/O ports and device memory",
    "SYS_BOOT": "rebooting the host",
    "SYS_TIME": "setting the host's clock",
    "BPF": "loading BPF programs into the host kernel",
    "PERFMON": "kernel tracing and performance monitoring of the host",
    "MAC_ADMIN": "changing the AppArmor/SELinux policy",
    "MAC_OVERRIDE": "bypassing AppArmor/SELinux",
    "SYSLOG": "reading the kernel log and kernel addresses",
    "LINUX_IMMUTABLE": "changing immutable and append-only files",
    "SYS_RESOURCE": "overriding resource limits and quotas",
    "NET_RAW": "forging packets (ARP and DNS spoofing of its neighbours)",
    "CHECKPOINT_RESTORE": "checkpointing and restoring processes",
}
# Binding a port below 1024 is the one addition PSS restricted allows.
ALLOWED = frozenset({"NET_BIND_SERVICE"})

# What a capability hands over decides its severity (issue 24: IPC_LOCK is not SYS_ADMIN).
# Critical: code in the host kernel or every capability. Medium: DANGEROUS entries whose reach
# stays a nuisance (the clock, the kernel log, limits).
# Low: capabilities that act on the container's own resources, charged to its cgroup (IPC_LOCK
# locks memory, SYS_NICE raises its own priority...) and Docker's default set, added back after
# `cap_drop: [ALL]`. The rest of DANGEROUS is high; an unknown name is medium.
_CRITICAL_CAPS = frozenset({"ALL", "SYS_MODULE"})
_MEDIUM_CAPS = frozenset({"SYS_TIME", "SYSLOG", "LINUX_IMMUTABLE", "SYS_RESOURCE",
                          "CHECKPOINT_RESTORE"})
_LOW_CAPS = frozenset({
    "IPC_LOCK", "IPC_OWNER", "SYS_NICE", "WAKE_ALARM", "BLOCK_SUSPEND", "LEASE", "AUDIT_READ",
    "SYS_PACCT", "SYS_TTY_CONFIG",
    # Docker's default set
    "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
    "SYS_CHROOT", "MKNOD", "AUDIT_WRITE", "SETFCAP"})


def capability_severity(cap: str) -> Severity:
    """The severity of adding ``cap`` (``CAP_`` prefix and case ignored)."""
    name = cap.upper().removeprefix("CAP_")
    if name in _CRITICAL_CAPS:
        return Severity.CRITICAL
    if name in _LOW_CAPS:
        return Severity.LOW
    if name in _MEDIUM_CAPS or name not in DANGEROUS:
        return Severity.MEDIUM
    return Severity.HIGH


class CapabilitiesAdded(ContainerRule):
    """
    ## What it finds
    Linux capabilities added to a container (`cap_add`), each rated by what it grants:
    critical for `ALL` and `SYS_MODULE` (code in the host kernel); high for `SYS_ADMIN`,
    `NET_ADMIN`, `SYS_PTRACE`, `DAC_READ_SEARCH`, `SYS_RAWIO`, `BPF`, `PERFMON`, `SYS_BOOT`,
    `MAC_ADMIN`, `MAC_OVERRIDE`, `NET_RAW`; medium for `SYS_TIME`, `SYSLOG`, `SYS_RESOURCE`,
    `LINUX_IMMUTABLE`, `CHECKPOINT_RESTORE` and names it does not know; low for capabilities
    that act on the container's own resources (`IPC_LOCK`: mlock, charged to its cgroup;
    `SYS_NICE`, `IPC_OWNER`, `LEASE`, `WAKE_ALARM`, `BLOCK_SUSPEND`, `AUDIT_READ`...) and for
    Docker's default set (`CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `SETFCAP`...):
    added back after `cap_drop: [ALL]` they grant less than the defaults (PSS baseline allows
    them too). The message says what each dangerous one grants.
    `NET_BIND_SERVICE` is never a finding: dropping ALL and adding back only `NET_BIND_SERVICE`
    is the recommended pattern (as in PSS restricted).

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
    linux_only = True
    docker_refs = ("cis-docker-1.6:5.4",)
    k8s_covered_by = ("pss:baseline:capabilities_baseline",
                      "pss:restricted:capabilities_restricted")
    fix = "Remove added capabilities; keep at most NET_BIND_SERVICE after dropping ALL."
    fixes = {
        "docker": (
            "Run it again without --cap-add; keep at most NET_BIND_SERVICE after --cap-drop ALL."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for cap in dict.fromkeys(spec.cap_add):
            if cap in ALLOWED:
                continue
            grants = DANGEROUS.get(cap)
            what = "every capability" if cap == "ALL" else f"capability {cap}"
            yield self.emit(
                spec, first_location(spec, f"cap_add.{cap}", "cap_add"),
                f"{spec.name}: adds {what}"
                + (f" ({grants})." if grants and cap != "ALL" else "."),
                f"cap_add={cap}",
                severity=capability_severity(cap),
            )
