"""Shared logic of the host-namespace rules (one rule per namespace, one module each)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from hullcheck.findings import Finding
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule


class HostNamespaceRule(ContainerRule):
    attribute: ClassVar[str]  # ContainerSpec field, e.g. host_network
    setting: ClassVar[dict[str, str]]  # platform -> how the setting is spelled
    consequence: ClassVar[str]

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if getattr(spec, self.attribute):
            spelled = self.setting.get(str(spec.platform), self.attribute)
            yield self.emit(spec, spec.loc(self.attribute),
                            f"{spec.name}: {spelled} {self.consequence}",
                            f"{self.attribute}=true")
