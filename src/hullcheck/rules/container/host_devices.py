from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, first_location

# A device cgroup rule as runc reads it: type (a all, b block, c char), major:minor (a number or
# `*`), access (r read, w write, m mknod). `a` alone means `a *:* rwm`.
_CGROUP_RULE = re.compile(r"^\s*([abc])(?:\s+(\*|\d+):(\*|\d+)(?:\s+([rwm]+))?)?\s*$")
_KINDS = {"a": "device", "b": "block device", "c": "character device"}


def broad_cgroup_rule(rule: str) -> str | None:
    """What a device cgroup rule opens when it reaches more than one device with write or mknod
    access (``"every device"``, ``"every block device"``, ``"every block device with major
    8"``), else None."""
    m = _CGROUP_RULE.match(rule)
    if not m:
        return None  # Docker refuses it at create time
    kind, major, minor, access = m.group(1), m.group(2) or "*", m.group(3) or "*", m.group(4)
    if kind == "a":
        return "every device"  # type a matches every device, whatever the numbers say
    if not set(access or "rwm") & {"w", "m"}:
        return None  # read-only
    if major == "*":
        return f"every {_KINDS[kind]}"
    if minor == "*":
        return f"every {_KINDS[kind]} with major {major}"
    return None  # one device


class HostDeviceExposed(ContainerRule):
    """
    ## What it finds
    A host device passed into a container (`devices: ["/dev/sda:/dev/sda"]`, `--device`), and a
    device cgroup rule that lets the container write to or create (`mknod`) more than one
    device (`device_cgroup_rules: ["c *:* rmw"]`, `--device-cgroup-rule`): type `a` (every
    device), a `*` major (every block or character device), or a `*` minor (every device of
    one driver, e.g. `b 8:* rw`, every SCSI disk). Rules for every device are reported as
    `high`. A rule for one device (`c 1:3 r`) or a read-only rule is not reported.

    ## Why it matters
    A device node is raw access to hardware: a block device means reading and writing the
    host's disks below every file permission, `/dev/mem` and friends the host's memory. A
    device cgroup rule needs no `devices:` entry to matter: Docker gives containers
    `CAP_MKNOD`, so with `m` access the container creates the node itself
    (`mknod /dev/sda b 8 0`) and opens the host's disk.

    ## How to fix
    Remove the device; if it is really needed, pass only that device with the narrowest
    permissions (`r` rather than `rwm`). Replace wildcard cgroup rules by the device numbers
    needed, without `m`.

    Before:
    ```yaml
    devices: ["/dev/sda:/dev/sda"]
    device_cgroup_rules: ["a *:* rwm"]
    ```
    After: no `devices:` (use a volume for data), and, for one USB serial adapter,
    `device_cgroup_rules: ["c 188:0 rw"]`.

    ## References
    - CIS Docker Benchmark 1.6.0, 5.18 (Kubernetes has no device field; host devices come
      through hostPath or privileged, covered by PSS there)
    """

    id = "CT022"
    name = "host-device-exposed"
    title = "Host device exposed to the container"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.18",)
    fix = "Remove `devices:` entries and device cgroup rules the workload does not strictly need."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for index, device in enumerate(spec.devices):
            yield self.emit(spec, first_location(spec, f"devices.{index}", "devices"),
                            f"{spec.name}: host device {device} is exposed to the container.",
                            f"device={device}")
        field = "device_cgroup_rules" if str(spec.platform) == "compose" else \
            "--device-cgroup-rule"
        for index, rule in enumerate(spec.device_cgroup_rules):
            opened = broad_cgroup_rule(rule)
            if opened is None:
                continue
            yield self.emit(
                spec, first_location(spec, f"device_cgroup_rules.{index}"),
                f"{spec.name}: {field} {rule!r} gives the container {opened} of the host "
                "(with write or mknod access).",
                f"device-cgroup-rule={' '.join(rule.split())}",
                # Every device (of a type) is the host's disks and memory: as bad as privileged's
                # device access. One driver's devices stay at the rule's severity.
                severity=None if " with major " in opened else Severity.HIGH,
            )
