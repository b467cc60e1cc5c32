from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, first_location


class HostDeviceExposed(ContainerRule):
    """
    ## What it finds
    A host device passed into a container (`devices: ["/dev/sda:/dev/sda"]`).

    ## Why it matters
    A device node is raw access to hardware: a block device means reading and writing the
    host's disks below every file permission, `/dev/mem` and friends the host's memory.

    ## How to fix
    Remove the device; if it is really needed, pass only that device with the narrowest
    permissions (`r` rather than `rwm`).

    Before:
    ```yaml
    devices: ["/dev/sda:/dev/sda"]
    ```
    After: no `devices:` (use a volume for data).

    ## References
    - CIS Docker Benchmark 1.6.0, 5.18 (Kubernetes has no device field; host devices come
      through hostPath or privileged, covered by PSS there)
    """

    id = "CT022"
    name = "host-device-exposed"
    title = "Host device exposed to the container"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:5.18",)
    fix = "Remove `devices:` entries the workload does not strictly need."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for index, device in enumerate(spec.devices):
            yield self.emit(spec, first_location(spec, f"devices.{index}", "devices"),
                            f"{spec.name}: host device {device} is exposed to the container.",
                            f"device={device}")
