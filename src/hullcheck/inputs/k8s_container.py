"""A Kubernetes container in its pod, as a normalised ``ContainerSpec``.

Container-level securityContext fields win over pod-level ones, as the kubelet applies them.
Lines point at the field that set a value (container or pod level); a value nobody set has no
line, so rules report it at the container's ``name:`` line.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from hullcheck.models.container import ContainerSpec, EnvVar, Mount, Platform, Port
from hullcheck.models.limit_range import ContainerDefaults
from hullcheck.models.pod import Pod, PodContainer, dig, mapping

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}
_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$"
)

SECCOMP_TYPES = {"RuntimeDefault": "runtime/default", "Unconfined": "unconfined"}
APPARMOR_TYPES = {"RuntimeDefault": "runtime/default", "Unconfined": "unconfined"}
PROPAGATION = {"Bidirectional": "rshared", "HostToContainer": "rslave"}


def parse_quantity(value: Any) -> Decimal | None:
    """A Kubernetes resource quantity (``128Mi``, ``1G``, ``500m``, ``0.5``, ``1e3``) or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    m = _QUANTITY.match(str(value).strip())
    if not m:
        return None
    try:
        number = Decimal(m.group(1))
    except InvalidOperation:
        return None
    if m.group(2):
        return number * (Decimal(10) ** int(m.group(2)[1:]))
    suffix = m.group(3) or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    return number * _DECIMAL[suffix]


def _bytes(value: Any) -> int | None:
    if isinstance(value, str) and len(value) <= MAX_QUANTITY_TEXT:  # ``128Mi``: parsed once
        return _bytes_of_text(value)
    q = parse_quantity(value)
    return int(q.to_integral_value(rounding="ROUND_CEILING")) if q is not None else None


def _cpus(value: Any) -> float | None:
    if isinstance(value, str) and len(value) <= MAX_QUANTITY_TEXT:
        return _cpus_of_text(value)
    q = parse_quantity(value)
    return float(q) if q is not None else None


# Distinct quantity strings remembered, and the longest remembered (docs/security.md): bounds,
# as the text comes from the scanned files.
MAX_QUANTITIES = 4_096
MAX_QUANTITY_TEXT = 64


@functools.lru_cache(maxsize=MAX_QUANTITIES)
def _bytes_of_text(value: str) -> int | None:
    q = parse_quantity(value)
    return int(q.to_integral_value(rounding="ROUND_CEILING")) if q is not None else None


@functools.lru_cache(maxsize=MAX_QUANTITIES)
def _cpus_of_text(value: str) -> float | None:
    q = parse_quantity(value)
    return float(q) if q is not None else None


def _caps(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    out = []
    for v in values:
        if v is None:
            continue
        name = str(v).strip().upper()
        out.append(name.removeprefix("CAP_"))
    return out


def _profile(profile: Any, types: dict[str, str]) -> str | None:
    """``seccompProfile``/``appArmorProfile`` as the ContainerSpec spelling."""
    p = mapping(profile)
    if p is None:
        return None
    kind = p.get("type")
    if kind == "Localhost":
        return f"localhost/{p.get('localhostProfile') or ''}"
    if isinstance(kind, str):
        return types.get(kind, kind.lower())
    return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Fields:
    """Container-over-pod resolution of securityContext fields, remembering the line."""

    def __init__(self, pod: Pod, c: PodContainer) -> None:
        self.pod = pod
        self.c = c
        self.lines: dict[str, int] = {}

    def pick(self, name: str, *keys: str) -> Any:
        value = self.c.sc(*keys)
        if value is not None:
            self.lines[name] = self.c.sc_line(*keys)
            return value
        value = self.pod.psc(*keys)
        if value is not None:
            self.lines[name] = self.pod.psc_line(*keys)
        return value


def container_spec(pod: Pod, c: PodContainer, defaults: ContainerDefaults | None = None
                   ) -> ContainerSpec:
    """``c`` as a ContainerSpec; ``defaults``: what its namespace's LimitRanges give a container
    that sets no resources (the spec then holds what the API server admits)."""
    f = _Fields(pod, c)
    data = c.data
    spec = ContainerSpec(platform=Platform.KUBERNETES, location=pod.location(c.line, c),
                         name=c.name)
    image = data.get("image")
    if image is not None:
        spec.image = str(image)
        spec.image_line = data.line_of("image")
        f.lines["image"] = spec.image_line

    # identity
    spec.run_as_user = _int(f.pick("run_as_user", "runAsUser"))
    spec.run_as_non_root = _bool(f.pick("run_as_non_root", "runAsNonRoot"))
    group = _int(f.pick("run_as_group", "runAsGroup"))
    spec.run_as_group = group
    supplemental = pod.psc("supplementalGroups")
    if isinstance(supplemental, list):
        spec.group_add = [str(g) for g in supplemental]
        f.lines["group_add"] = pod.psc_line("supplementalGroups")
    if spec.run_as_user is not None:
        spec.user = str(spec.run_as_user) + (f":{group}" if group is not None else "")
        f.lines["user"] = f.lines["run_as_user"]
    host_users = _bool(pod.spec.get("hostUsers"))
    if host_users is not None:
        spec.user_namespace = not host_users
        f.lines["user_namespace"] = pod.spec_line("hostUsers")

    # privileges (container level only in the API)
    spec.privileged = _bool(c.sc("privileged"))
    if spec.privileged is not None:
        f.lines["privileged"] = c.sc_line("privileged")
    add, drop = c.sc("capabilities", "add"), c.sc("capabilities", "drop")
    spec.cap_add = _caps(add)
    spec.cap_drop = _caps(drop)
    if add is not None:
        f.lines["cap_add"] = c.sc_line("capabilities", "add")
    if drop is not None:
        f.lines["cap_drop"] = c.sc_line("capabilities", "drop")
    ape = _bool(c.sc("allowPrivilegeEscalation"))
    if ape is not None:
        spec.no_new_privileges = not ape
        f.lines["no_new_privileges"] = c.sc_line("allowPrivilegeEscalation")
    spec.read_only_rootfs = _bool(c.sc("readOnlyRootFilesystem"))
    if spec.read_only_rootfs is not None:
        f.lines["read_only_rootfs"] = c.sc_line("readOnlyRootFilesystem")

    # seccomp: field (container, then pod), then the pre-1.19 annotations
    spec.seccomp = _profile(f.pick("seccomp", "seccompProfile"), SECCOMP_TYPES)
    if spec.seccomp is None:
        for key in (f"container.seccomp.security.alpha.kubernetes.io/{c.name}",
                    "seccomp.security.alpha.kubernetes.io/pod"):
            value = pod.annotations.get(key)
            if value:
                spec.seccomp = "runtime/default" if value == "docker/default" else value
                f.lines["seccomp"] = pod.annotation_line(key)
                break
    # AppArmor: field (container, then pod), then the beta annotation
    spec.apparmor = _profile(f.pick("apparmor", "appArmorProfile"), APPARMOR_TYPES)
    if spec.apparmor is None:
        key = f"container.apparmor.security.beta.kubernetes.io/{c.name}"
        value = pod.annotations.get(key)
        if value:
            spec.apparmor = value
            f.lines["apparmor"] = pod.annotation_line(key)
    selinux = mapping(f.pick("selinux_options", "seLinuxOptions"))
    if selinux is not None:
        spec.selinux_options = {str(k): str(v) for k, v in selinux.items() if v is not None}

    # host namespaces (pod level)
    for field_name, key in (("host_network", "hostNetwork"), ("host_pid", "hostPID"),
                            ("host_ipc", "hostIPC")):
        flag = _bool(pod.spec.get(key))
        setattr(spec, field_name, flag)
        if flag is not None:
            f.lines[field_name] = pod.spec_line(key)

    spec.mounts = _mounts(pod, c)
    spec.ports = _ports(c)
    _resources(spec, c, f.lines)
    unsettable: set[str] = set()
    if c.list_name == "ephemeralContainers":
        # The API server rejects resources on an ephemeral container.
        unsettable |= {"memory_limit", "cpu_limit", "memory_request", "cpu_request"}
    elif defaults:
        _limit_range_defaults(spec, defaults)
    if pod.is_windows:
        # readOnlyRootFilesystem is forbidden in a pod with spec.os.name: windows.
        unsettable.add("read_only_rootfs")
    if unsettable:  # else the field's default: one empty set for every container
        spec.unsettable = frozenset(unsettable)
    _env(spec, c)

    probes = [k for k in ("livenessProbe", "readinessProbe") if mapping(data.get(k)) is not None]
    if probes:
        spec.healthcheck = True
        f.lines["healthcheck"] = data.line_of(probes[0])

    spec.field_lines = f.lines
    return spec


def _mounts(pod: Pod, c: PodContainer) -> list[Mount]:
    volumes = {str(v.get("name")): v for _line, v in pod.volumes()}
    out: list[Mount] = []
    for line, m in c.volume_mounts:
        name = str(m.get("name"))
        volume = volumes.get(name)
        source, kind, read_only = name, "volume", m.get("readOnly") is True
        if volume is not None:
            host_path = mapping(volume.get("hostPath"))
            if host_path is not None:
                source, kind = str(host_path.get("path") or ""), "hostPath"
            elif dig(volume, "emptyDir", "medium") == "Memory":
                source, kind = "", "tmpfs"
            else:
                for src in volume.values():
                    if isinstance(src, dict) and src.get("readOnly") is True:
                        read_only = True
        sub = m.get("subPath")
        if kind == "hostPath" and isinstance(sub, str) and sub:
            source = source.rstrip("/") + "/" + sub
        out.append(Mount(source=source, target=str(m.get("mountPath") or ""), type=kind,
                         read_only=read_only,
                         propagation=PROPAGATION.get(str(m.get("mountPropagation"))),
                         line=line))
    return out


def _ports(c: PodContainer) -> list[Port]:
    out: list[Port] = []
    for item_line, p in c.ports:
        host_port = p.get("hostPort")
        published = host_port not in (None, 0, "0", "")
        host_ip = p.get("hostIP")
        line = p.line_of("hostPort") if published else item_line
        out.append(Port(container_port=str(p.get("containerPort", "")),
                        host_port=str(host_port) if published else None,
                        host_ip=str(host_ip) if host_ip is not None else None,
                        protocol=str(p.get("protocol") or "TCP").lower(), line=line))
    return out


def _resources(spec: ContainerSpec, c: PodContainer, lines: dict[str, int]) -> None:
    res = c.resources
    if res is None:
        return
    for section, mem_field, cpu_field in (("limits", "memory_limit", "cpu_limit"),
                                          ("requests", "memory_request", "cpu_request")):
        block = mapping(res.get(section))
        if block is None:
            continue
        if "memory" in block:
            setattr(spec, mem_field, _bytes(block.get("memory")))
            lines[mem_field] = block.line_of("memory")
        if "cpu" in block:
            setattr(spec, cpu_field, _cpus(block.get("cpu")))
            lines[cpu_field] = block.line_of("cpu")


def _limit_range_defaults(spec: ContainerSpec, defaults: ContainerDefaults) -> None:
    """Fill the resources the container leaves unset as the LimitRanger admission does."""
    for section, mem_field, cpu_field in ((defaults.limits, "memory_limit", "cpu_limit"),
                                          (defaults.requests, "memory_request", "cpu_request")):
        if getattr(spec, mem_field) is None and "memory" in section:
            setattr(spec, mem_field, _bytes(section["memory"]))
        if getattr(spec, cpu_field) is None and "cpu" in section:
            setattr(spec, cpu_field, _cpus(section["cpu"]))


def _env(spec: ContainerSpec, c: PodContainer) -> None:
    for item_line, e in c.entries("env"):
        if e.get("name") is None:
            continue
        value = e.get("value")
        if "valueFrom" in e and e.get("valueFrom") is not None:
            text: str | None = None
        elif value is None:
            text = ""
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
        spec.env.append(EnvVar(name=str(e["name"]), value=text,
                               line=e.line_of("value") if "value" in e else item_line))
