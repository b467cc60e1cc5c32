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
# A Container Device Interface name (`nvidia.com/gpu=all`): Docker turns it into a device
# request, as `gpus:` and `deploy.resources.reservations.devices` are, not into a host device
# node; judged like those (not at all here).
_CDI_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*/[A-Za-z0-9][A-Za-z0-9._-]*=[A-Za-z0-9_.:-]+$")


def broad_cgroup_rule(rule: str) -> str | None:
    """What a device cgroup rule opens with write or mknod access (``"every device"``, ``"every
    block device"``, ``"every block device with major 8"``, ``"the block device 8:0"``), or None
    when it opens nothing (read-only, or not a rule Docker accepts).

    A read-only rule opens nothing by itself: without ``m`` the container can't create the node,
    and a node passed in with ``devices:`` is reported on its own.
    """
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
    # One device, as open as a `devices:` entry: with `m` the container makes the node itself
    # (b 8:0 is the host's first disk, c 1:1 its memory).
    return f"the {_KINDS[kind]} {major}:{minor}"


class HostDeviceExposed(ContainerRule):
    """
    ## What it finds
    A host device passed into a container (`devices: ["/dev/sda:/dev/sda"]`, `--device`), and a
    device cgroup rule that lets the container write to or create (`mknod`) a device
    (`device_cgroup_rules: ["c *:* rmw"]`, `--device-cgroup-rule`): type `a` (every device), a
    `*` major (every block or character device), a `*` minor (every device of one driver, e.g.
    `b 8:* rw`, every SCSI disk), or one device (`b 8:0 rwm`, the host's first disk: as open as
    passing `/dev/sda`). Rules for every device are reported as `high`. A CDI device name
    (`nvidia.com/gpu=all`) is a device request, like `gpus:`, and is not reported. A read-only rule
    (`c 1:3 r`, `c *:* r`) is not reported: without `m` the container cannot create the node.

    ## Why it matters
    A device node is raw access to hardware: a block device means reading and writing the
    host's disks below every file permission, `/dev/mem` and friends the host's memory. A
    device cgroup rule needs no `devices:` entry to matter: Docker gives containers
    `CAP_MKNOD`, so with `m` access the container creates the node itself
    (`mknod /dev/sda b 8 0`) and opens the host's disk.

    ## How to fix
    Remove the device; if it is really needed, pass only that device with the narrowest
    permissions (`r` rather than `rwm`). Replace wildcard cgroup rules by the device numbers
    needed, read-only where possible, and suppress the finding with the reason where a device
    really must be written (a USB serial adapter for a controller).

    Before:
    ```yaml
    devices: ["/dev/sda:/dev/sda"]
    device_cgroup_rules: ["a *:* rwm"]
    ```
    After: no `devices:` (use a volume for data) and no cgroup rule; where a device must be
    read, only that one, read-only: `device_cgroup_rules: ["c 188:0 r"]`.

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
    fixes = {
        "docker": (
            "Run it again without the --device and --device-cgroup-rule entries it does not "
            "strictly need."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for index, device in enumerate(spec.devices):
            if not device.startswith("/") and _CDI_NAME.match(device):
                continue
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
                severity=Severity.HIGH if opened.startswith("every ") and " with major " not in
                opened else None,
            )
