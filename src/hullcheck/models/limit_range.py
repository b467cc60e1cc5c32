"""The resources a namespace's LimitRanges give a container that sets none.

The API server defaults every ``type: Container`` item (``SetDefaults_LimitRangeItem``): a
``default`` limit missing for a resource is the item's ``max``; a ``defaultRequest`` missing is
the (defaulted) ``default``, else the ``min``. The LimitRanger admission plugin then fills, per
resource, a container's unset limit from ``default`` and its unset request from
``defaultRequest``, LimitRange by LimitRange (the first that sets a resource wins). Ephemeral
containers take no resources at all, so none of this applies to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hullcheck.models.kubernetes import KubeObject


@dataclass
class ContainerDefaults:
    """Resource name -> quantity as written (``"256Mi"``, ``"500m"``)."""

    limits: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.limits or self.requests)


def _quantities(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def container_defaults(limit_ranges: Iterable[KubeObject]) -> ContainerDefaults:
    """What the LimitRanges (of one namespace) give a container's unset resources."""
    out = ContainerDefaults()
    for lr in limit_ranges:
        spec = lr.data.get("spec")
        items = spec.get("limits") if isinstance(spec, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or item.get("type") != "Container":
                continue
            default = _quantities(item.get("max")) | _quantities(item.get("default"))
            request = (_quantities(item.get("min")) | default
                       | _quantities(item.get("defaultRequest")))
            for name, value in default.items():
                out.limits.setdefault(name, value)
            for name, value in request.items():
                out.requests.setdefault(name, value)
    return out


def defaults_by_namespace(objects: Iterable[KubeObject]) -> dict[str, ContainerDefaults]:
    """Every namespace's container defaults, for the LimitRanges among ``objects``."""
    by_ns: dict[str, list[KubeObject]] = {}
    for obj in objects:
        if obj.kind == "LimitRange" and obj.api_version == "v1":
            by_ns.setdefault(obj.namespace or "default", []).append(obj)
    return {ns: container_defaults(lrs) for ns, lrs in by_ns.items()}
