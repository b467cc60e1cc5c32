"""``docker inspect`` of a container -> ``ContainerSpec`` (a pure function, no engine needed).

Faithful to what the engine runs with, which is not always what the user typed:

- ports: a running container's ``NetworkSettings.Ports`` are the real bindings (``0.0.0.0`` and
  ``::`` for an unset host IP); a created or stopped one only has ``HostConfig.PortBindings``,
  where an empty ``HostIp`` also means every interface. ``--network host`` publishes nothing.
- ``label=disable``: Docker adds it itself for ``--pid=host``, ``--ipc=host`` and
  ``--privileged``. It does switch SELinux labelling off, so on an SELinux host it is reported
  (5.3); on a host without SELinux, labels mean nothing and the SELinux fields stay unset.
- AppArmor: with AppArmor enabled on the host, an empty ``AppArmorProfile`` means the container
  runs unconfined; without AppArmor, the field says nothing and stays unset.
- the user is ``Config.User`` and the health check ``Config.Healthcheck``: both already carry
  the image's ``USER``/``HEALTHCHECK`` unless overridden, so on this platform an unset (``None``)
  health check means none at all, and ``False`` is an explicit ``NONE``.
"""

from __future__ import annotations

from typing import Any

from hullcheck.findings import Location
from hullcheck.models.container import (
    ContainerSpec,
    EnvVar,
    Mount,
    Platform,
    Port,
    is_wasm_runtime,
)


def container_spec_from_inspect(
    data: dict[str, Any], *, apparmor_enabled: bool = False, selinux_enabled: bool = False
) -> ContainerSpec:
    config = data.get("Config") or {}
    host = data.get("HostConfig") or {}
    name = str(data.get("Name") or "").lstrip("/") or str(data.get("Id", ""))[:12]
    location = Location(container=name, container_id=str(data.get("Id") or "") or None)
    security_opt = [str(o) for o in host.get("SecurityOpt") or []]
    opts = _security_opts(security_opt)
    restart = host.get("RestartPolicy") or {}
    restart_name = str(restart.get("Name") or "") or "no"

    spec = ContainerSpec(
        platform=Platform.DOCKER,
        location=location,
        name=name,
        image=str(config.get("Image") or data.get("Image") or "") or None,
        user=str(config.get("User") or "") or None,
        group_add=[str(g) for g in host.get("GroupAdd") or []],
        privileged=bool(host.get("Privileged")),
        cap_add=_caps(host.get("CapAdd")),
        cap_drop=_caps(host.get("CapDrop")),
        no_new_privileges=_no_new_privileges(security_opt),
        seccomp=opts.get("seccomp"),
        host_network=str(host.get("NetworkMode") or "") == "host",
        host_pid=str(host.get("PidMode") or "") == "host",
        host_ipc=str(host.get("IpcMode") or "") == "host",
        host_uts=str(host.get("UTSMode") or "") == "host",
        userns_host=str(host.get("UsernsMode") or "") == "host",
        # --read-only is a plain flag: false is its default, so inspect cannot tell "not set"
        # from "set to false", and the rule must not word it as an explicit choice.
        read_only_rootfs=True if host.get("ReadonlyRootfs") else None,
        mounts=_mounts(data),
        devices=_devices(host),
        device_cgroup_rules=[str(r) for r in host.get("DeviceCgroupRules") or []],
        ports=_ports(data),
        memory_limit=int(host.get("Memory") or 0) or None,
        cpu_limit=_cpus(host),
        pids_limit=_pids(host.get("PidsLimit")),
        restart_policy=restart_name,
        restart_max_retries=int(restart.get("MaximumRetryCount") or 0),
        healthcheck=_healthcheck(config.get("Healthcheck")),
        cgroup_parent=str(host.get("CgroupParent") or "") or None,
        env=_env(config.get("Env")),
    )
    runtime = str(host.get("Runtime") or "")
    if is_wasm_runtime(runtime):
        spec.wasm = f"runtime: {runtime}"
    if apparmor_enabled:
        profile = str(data.get("AppArmorProfile") or "")
        spec.apparmor = profile or "unconfined"
    if selinux_enabled:
        labels = opts.get_all("label")
        spec.selinux_disabled = "disable" in labels or not data.get("ProcessLabel")
        options = dict(label.split(":", 1) for label in labels if ":" in label)
        spec.selinux_options = options or None
    return spec


class _Opts(dict[str, str]):
    """``--security-opt`` values: ``key=value`` (also the legacy ``key:value``)."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__(items)
        self.items_list = items

    def get_all(self, key: str) -> list[str]:
        return [v for k, v in self.items_list if k == key]


def _security_opts(values: list[str]) -> _Opts:
    items: list[tuple[str, str]] = []
    for raw in values:
        sep = "=" if "=" in raw else ":"
        key, _, value = raw.partition(sep)
        items.append((key.strip().lower(), value.strip()))
    return _Opts(items)


def _no_new_privileges(values: list[str]) -> bool | None:
    """True/False when the container's security options say so; None when they don't (the
    daemon default applies: off unless dockerd runs with --no-new-privileges, which the host
    audit judges as a daemon setting)."""
    for raw in values:
        key, sep, value = raw.replace(":", "=", 1).partition("=")
        if key.strip() == "no-new-privileges":
            return not sep or value.strip().lower() in ("true", "1", "")
    return None


def _caps(values: Any) -> list[str]:
    out = []
    for cap in values or []:
        text = str(cap).upper()
        out.append(text[4:] if text.startswith("CAP_") else text)
    return out


def _mounts(data: dict[str, Any]) -> list[Mount]:
    out = []
    for m in data.get("Mounts") or []:
        kind = str(m.get("Type") or "bind")
        source = str(m.get("Source") or "") if kind == "bind" else str(m.get("Name") or "")
        out.append(
            Mount(
                source=source,
                target=str(m.get("Destination") or ""),
                type=kind if kind in ("bind", "volume", "tmpfs", "npipe") else "other",
                read_only=not m.get("RW", True),
                propagation=str(m.get("Propagation") or "") or None,
            )
        )
    return out


def _devices(host: dict[str, Any]) -> list[str]:
    out = []
    for d in host.get("Devices") or []:
        on_host = str(d.get("PathOnHost") or "")
        inside = str(d.get("PathInContainer") or on_host)
        out.append(on_host if inside == on_host else f"{on_host}:{inside}")
    return out


def _ports(data: dict[str, Any]) -> list[Port]:
    host = data.get("HostConfig") or {}
    if str(host.get("NetworkMode") or "") == "host":
        return []
    running = bool((data.get("State") or {}).get("Running"))
    live = (data.get("NetworkSettings") or {}).get("Ports") or {}
    bindings = live if running and live else host.get("PortBindings") or {}
    out: list[Port] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for key, binds in sorted(bindings.items()):
        port, _, proto = str(key).partition("/")
        for b in binds or []:
            host_ip = str(b.get("HostIp") or "") or None
            host_port = str(b.get("HostPort") or "") or None
            # 0.0.0.0 and :: are the same "every interface" binding reported twice.
            ident = (key, "*" if host_ip in (None, "0.0.0.0", "::") else host_ip, host_port)
            if ident in seen:
                continue
            seen.add(ident)
            out.append(Port(port, host_port=host_port, host_ip=host_ip, protocol=proto or "tcp"))
    return out


def _cpus(host: dict[str, Any]) -> float | None:
    nano = int(host.get("NanoCpus") or 0)
    if nano:
        return nano / 1e9
    quota, period = int(host.get("CpuQuota") or 0), int(host.get("CpuPeriod") or 0)
    if quota > 0:
        return quota / (period or 100_000)
    return None


def _pids(value: Any) -> int | None:
    # 0, -1 and null all mean unlimited to the engine.
    if value is None:
        return None
    number = int(value)
    return number if number > 0 else None


def _healthcheck(value: Any) -> bool | None:
    if not value:
        # Config already carries the image's HEALTHCHECK: absent here means none at all
        # (the container rule words it "no health check is configured" on Docker).
        return None
    test = value.get("Test") or []
    if test and str(test[0]).upper() == "NONE":
        return False
    return bool(test)


def _env(values: Any) -> list[EnvVar]:
    out = []
    for item in values or []:
        name, sep, value = str(item).partition("=")
        out.append(EnvVar(name=name, value=value if sep else None))
    return out
