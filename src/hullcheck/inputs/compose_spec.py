"""A compose service as a ``ContainerSpec`` (platform ``compose``).

Each field records the file and line it came from (``field_lines``/``field_paths``); a field the
service does not set stays unset (``None``) so the rules resolve compose's own default, and a
finding about it points at the service key.

Keys used in ``field_lines`` beyond the ContainerSpec field names: ``cap_add.<CAP>``,
``cap_drop.<CAP>`` (the line of one capability), ``devices.<i>`` (one device entry),
``device_cgroup_rules.<i>`` (one device cgroup rule),
``cpu_shares`` (set, though it is no limit: the CPU-limit rule explains that).
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from hullcheck.findings import InputError, Location
from hullcheck.inputs.compose import (
    ComposeProject,
    ComposeService,
    Where,
    split_volume,
)
from hullcheck.inputs.compose_env import literal_part
from hullcheck.models.container import (
    ContainerSpec,
    EnvVar,
    Mount,
    Platform,
    Port,
    is_wasm_runtime,
)
from hullcheck.yamlutil import LineDict, LineList

_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}


def service_specs(project: ComposeProject) -> list[ContainerSpec]:
    return [_Mapper(project, svc).spec() for svc in project.services]


def parse_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def parse_memory(text: str | None) -> int | None:
    """Docker's RAMInBytes: ``512m``, ``1g``, ``1.5GB``, ``268435456`` (binary units)."""
    if text is None:
        return None
    m = _MEMORY.match(text)
    if not m:
        return None
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def parse_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def parse_port(text: str) -> Port:
    """``[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`` (IPv6 host IPs in brackets)."""
    protocol = "tcp"
    if "/" in text:
        text, protocol = text.rsplit("/", 1)
    host_ip: str | None = None
    if text.startswith("["):
        close = text.find("]")
        host_ip = text[1:close]
        text = text[close + 1:].lstrip(":")
        parts = text.split(":")
        if len(parts) == 1:
            return Port(container_port=parts[0], host_port="", host_ip=host_ip,
                        protocol=protocol)
        return Port(container_port=parts[-1], host_port=parts[0], host_ip=host_ip,
                    protocol=protocol)
    parts = text.split(":")
    if len(parts) == 1:
        # Only the container port: compose publishes it on an ephemeral host port.
        return Port(container_port=parts[0], host_port="", protocol=protocol)
    if len(parts) == 2:
        return Port(container_port=parts[1], host_port=parts[0], protocol=protocol)
    host_ip = ":".join(parts[:-2])
    return Port(container_port=parts[-1], host_port=parts[-2], host_ip=host_ip,
                protocol=protocol)


class _Mapper:
    def __init__(self, project: ComposeProject, svc: ComposeService) -> None:
        self.project = project
        self.svc = svc
        self.data: LineDict = svc.data
        self.out = ContainerSpec(
            platform=Platform.COMPOSE,
            location=Location(path=svc.where[0], line=svc.where[1], container=svc.name),
            name=svc.name,
        )

    # --- reading --------------------------------------------------------------------------

    def where(self, mapping: Any, key: Any) -> Where:
        return self.project.origins.key(mapping, key, self.svc.where)

    def item_where(self, seq: Any, index: int) -> Where:
        return self.project.origins.item(seq, index, self.svc.where)

    def text(self, mapping: Any, key: str) -> str | None:
        if not isinstance(mapping, dict) or key not in mapping:
            return None
        return self.project.text(mapping[key], self.where(mapping, key))

    def mark(self, name: str, where: Where) -> None:
        self.out.field_lines[name] = where[1]
        if where[0] != self.out.location.path:
            self.out.field_paths[name] = where[0]

    def mark_key(self, name: str, mapping: Any, key: str) -> None:
        self.mark(name, self.where(mapping, key))

    def items(self, key: str) -> list[tuple[Any, Where]]:
        value = self.data.get(key)
        if isinstance(value, LineList):
            return [(item, self.item_where(value, i)) for i, item in enumerate(value)]
        if value is not None and not isinstance(value, dict):
            return [(value, self.where(self.data, key))]
        return []

    def path_at(self, where: Where) -> str | None:
        return where[0] if where[0] != self.out.location.path else None

    # --- mapping --------------------------------------------------------------------------

    def spec(self) -> ContainerSpec:
        d = self.data
        out = self.out
        out.image = self.text(d, "image")
        if out.image is not None:
            out.image_line = self.where(d, "image")[1]
            self.mark_key("image", d, "image")
        self.simple()
        self.capabilities()
        self.group_add()
        self.security_opt()
        self.volumes()
        self.devices()
        self.ports()
        self.resources()
        self.lifecycle()
        self.environment()
        return out

    def simple(self) -> None:
        d, out = self.data, self.out
        if "user" in d:
            out.user = self.text(d, "user")
            self.mark_key("user", d, "user")
        if "privileged" in d:
            out.privileged = parse_bool(self.text(d, "privileged"))
            self.mark_key("privileged", d, "privileged")
        if "read_only" in d:
            out.read_only_rootfs = parse_bool(self.text(d, "read_only"))
            self.mark_key("read_only_rootfs", d, "read_only")
        namespaces = (("network_mode", "host_network"), ("pid", "host_pid"),
                      ("ipc", "host_ipc"), ("uts", "host_uts"), ("userns_mode", "userns_host"))
        for key, attr in namespaces:
            if key in d:
                value = self.text(d, key)
                setattr(out, attr, (value or "").strip().lower() == "host")
                self.mark_key(attr, d, key)
        if "cgroup_parent" in d:
            out.cgroup_parent = self.text(d, "cgroup_parent")
            self.mark_key("cgroup_parent", d, "cgroup_parent")
        self.wasm()

    def wasm(self) -> None:
        """A WebAssembly service: a containerd Wasm shim as ``runtime`` (wasmedge, wasmtime,
        spin, slight, wws, lunatic: ``io.containerd.<name>.v1``) or a ``wasi/*`` platform."""
        runtime = (self.text(self.data, "runtime") or "").strip()
        platform = (self.text(self.data, "platform") or "").strip()
        if is_wasm_runtime(runtime):
            self.out.wasm = f"runtime: {runtime}"
        elif platform.lower().split("/")[0] == "wasi":
            self.out.wasm = f"platform: {platform}"

    def capabilities(self) -> None:
        for key in ("cap_add", "cap_drop"):
            if key not in self.data:
                continue
            self.mark_key(key, self.data, key)
            caps: list[str] = getattr(self.out, key)
            for item, where in self.items(key):
                text = self.project.text(item, where)
                if not text:
                    continue
                cap = text.strip().upper()
                cap = cap.removeprefix("CAP_")
                caps.append(cap)
                self.mark(f"{key}.{cap}", where)

    def group_add(self) -> None:
        if "group_add" in self.data:
            self.mark_key("group_add", self.data, "group_add")
        for item, where in self.items("group_add"):
            text = self.project.text(item, where)
            if text:
                self.out.group_add.append(text.strip())

    def security_opt(self) -> None:
        out = self.out
        if "security_opt" in self.data:
            self.mark_key("security_opt", self.data, "security_opt")
        for item, where in self.items("security_opt"):
            text = self.project.text(item, where)
            if not text:
                continue
            sep = min((i for i in (text.find(":"), text.find("=")) if i >= 0), default=-1)
            key = (text[:sep] if sep >= 0 else text).strip().lower()
            value = text[sep + 1:].strip() if sep >= 0 else ""
            if key == "no-new-privileges":
                out.no_new_privileges = parse_bool(value) if value else True
                self.mark("no_new_privileges", where)
            elif key == "seccomp":
                out.seccomp = value
                self.mark("seccomp", where)
            elif key == "apparmor":
                out.apparmor = value
                self.mark("apparmor", where)
            elif key == "label":
                if value.lower() == "disable":
                    out.selinux_disabled = True
                    self.mark("selinux_disabled", where)
                else:
                    name, _, val = value.partition(":")
                    out.selinux_options = {**(out.selinux_options or {}), name: val}
                    self.mark("selinux_options", where)

    def _named_volume_bind(self, name: str) -> str | None:
        """A named volume declared with ``driver_opts: {o: bind, device: /path}`` is a bind
        mount of that host path in disguise."""
        volumes = self.project.volumes
        if not isinstance(volumes, dict):
            return None
        decl = volumes.get(name)
        if not isinstance(decl, dict):
            return None
        opts = decl.get("driver_opts")
        if not isinstance(opts, dict):
            return None
        where = self.where(decl, "driver_opts")
        o = self.project.text(opts.get("o"), where) or ""
        device = self.project.text(opts.get("device"), where)
        if device and "bind" in o.split(","):
            return device
        return None

    def volumes(self) -> None:
        for item, where in self.items("volumes"):
            mount: Mount | None = None
            if isinstance(item, dict):
                mount = self._long_volume(item, where)
            else:
                text = self.project.text(item, where)
                if text:
                    mount = self._short_volume(text)
                    mount.line, mount.path = where[1], self.path_at(where)
            if mount is not None:
                if mount.type == "volume" and mount.source:
                    device = self._named_volume_bind(mount.source)
                    if device:
                        mount.type, mount.source = "bind", device
                if mount.type == "bind" and mount.source.startswith("/"):
                    mount.source = posixpath.normpath(mount.source)
                    if mount.source.startswith("//"):
                        mount.source = "/" + mount.source.lstrip("/")
                self.out.mounts.append(mount)

    def _short_volume(self, text: str) -> Mount:
        parts = split_volume(text)
        if len(parts) == 1:
            return Mount(source="", target=parts[0], type="volume")
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        options = {o.strip().lower() for o in mode.split(",") if o.strip()}
        is_path = source.startswith(("/", ".", "~", "\\")) or (
            len(source) > 1 and source[1] == ":"
        )
        return Mount(
            source=source,
            target=target,
            type="bind" if is_path else "volume",
            read_only=bool(options & {"ro", "readonly"}),
            propagation=next(iter(sorted(options & _PROPAGATION)), None),
        )

    def _long_volume(self, item: dict[str, Any], where: Where) -> Mount:
        line_at = self.where(item, "source") if "source" in item else where
        bind = item.get("bind")
        propagation = self.text(bind, "propagation") if isinstance(bind, dict) else None
        # A finding about the propagation points at `bind.propagation:`, not at `source:`.
        prop_at = self.where(bind, "propagation") if propagation else None
        return Mount(
            source=self.text(item, "source") or "",
            target=self.text(item, "target") or "",
            type=(self.text(item, "type") or "volume").lower(),
            read_only=bool(parse_bool(self.text(item, "read_only"))),
            propagation=propagation.lower() if propagation else None,
            line=line_at[1],
            path=self.path_at(line_at),
            propagation_line=prop_at[1] if prop_at else None,
            propagation_path=self.path_at(prop_at) if prop_at else None,
        )

    def devices(self) -> None:
        if "devices" in self.data:
            self.mark_key("devices", self.data, "devices")
        for item, where in self.items("devices"):
            if isinstance(item, dict):
                host = self.text(item, "source")
            else:
                text = self.project.text(item, where)
                host = split_volume(text)[0] if text else None
            if host:
                self.mark(f"devices.{len(self.out.devices)}", where)
                self.out.devices.append(host)
        for item, where in self.items("device_cgroup_rules"):
            rule = self.project.text(item, where)
            if rule:
                self.mark(f"device_cgroup_rules.{len(self.out.device_cgroup_rules)}", where)
                self.out.device_cgroup_rules.append(rule)

    def ports(self) -> None:
        for item, where in self.items("ports"):
            if isinstance(item, dict):
                published = self.text(item, "published")
                if published is not None and ":" in published:
                    # `published: 127.0.0.1:8080` is not Compose syntax (the address belongs in
                    # `host_ip`): an input error naming the field, never read as a port bound
                    # on every interface. The port is left unjudged.
                    at = self.where(item, "published")
                    self.project.errors.append(InputError(at[0], (
                        f"line {at[1]}: ports: published: {published!r} is not a port or a "
                        "range (a host address belongs in host_ip)")))
                    continue
                port = Port(
                    container_port=self.text(item, "target") or "",
                    host_port=published if published is not None else "",
                    host_ip=self.text(item, "host_ip"),
                    protocol=(self.text(item, "protocol") or "tcp").lower(),
                )
            else:
                text = self.project.text(item, where)
                if not text:
                    continue
                port = parse_port(text)
            port.line, port.path = where[1], self.path_at(where)
            self.out.ports.append(port)

    def resources(self) -> None:
        d, out = self.data, self.out
        deploy = d.get("deploy")
        resources = deploy.get("resources") if isinstance(deploy, dict) else None
        limits = resources.get("limits") if isinstance(resources, dict) else None
        reservations = resources.get("reservations") if isinstance(resources, dict) else None

        def first(field: str, *candidates: tuple[Any, str], parse: Any) -> Any:
            for mapping, key in candidates:
                if isinstance(mapping, dict) and key in mapping:
                    value = parse(self.text(mapping, key))
                    self.mark_key(field, mapping, key)
                    return value
            return None

        out.memory_limit = first("memory_limit", (d, "mem_limit"), (limits, "memory"),
                                 parse=parse_memory)
        out.cpu_limit = first("cpu_limit", (d, "cpus"), (limits, "cpus"), parse=parse_float)
        if out.cpu_limit is None and "cpu_quota" in d:
            quota = parse_int(self.text(d, "cpu_quota"))
            period = parse_int(self.text(d, "cpu_period")) or 100_000
            if quota and quota > 0:
                out.cpu_limit = quota / period
                self.mark_key("cpu_limit", d, "cpu_quota")
        if "cpu_shares" in d:
            # A relative weight, not a limit: recorded only so the CPU-limit message can say so.
            self.mark_key("cpu_shares", d, "cpu_shares")
        out.pids_limit = first("pids_limit", (d, "pids_limit"), (limits, "pids"),
                               parse=parse_int)
        out.memory_request = first("memory_request", (d, "mem_reservation"),
                                   (reservations, "memory"), parse=parse_memory)
        out.cpu_request = first("cpu_request", (reservations, "cpus"), parse=parse_float)

    def lifecycle(self) -> None:
        d, out = self.data, self.out
        # As `docker compose` builds it (getRestartPolicy): the policy from `restart:` first,
        # then replaced whole by `deploy.restart_policy` when that is set, where a missing
        # `max_attempts` is 0, i.e. unbounded (nothing of `restart:`'s count survives).
        if d.get("restart") is not None:
            text = (self.text(d, "restart") or "").strip().lower()
            policy, _, retries = text.partition(":")
            out.restart_policy = policy or None
            out.restart_max_retries = parse_int(retries) if retries else None
            self.mark_key("restart_policy", d, "restart")
        deploy = d.get("deploy")
        policy_map = deploy.get("restart_policy") if isinstance(deploy, dict) else None
        if isinstance(policy_map, dict):
            condition = (self.text(policy_map, "condition") or "any").lower()
            out.restart_policy = {"any": "always", "none": "no"}.get(condition, condition)
            out.restart_max_retries = parse_int(self.text(policy_map, "max_attempts"))
            self.mark_key("restart_policy", deploy, "restart_policy")
        if "healthcheck" in d:
            hc = d.get("healthcheck")
            self.mark_key("healthcheck", d, "healthcheck")
            healthy = True
            if isinstance(hc, dict):
                if parse_bool(self.text(hc, "disable")):
                    healthy = False
                test = hc.get("test")
                where = self.where(hc, "test")
                first = test[0] if isinstance(test, list) and test else test
                if str(self.project.text(first, where) or "").upper() == "NONE":
                    healthy = False
            out.healthcheck = healthy

    def environment(self) -> None:
        self._environment_key()
        # ``env_file:`` variables come first and lose to ``environment:`` (compose's order);
        # each points at its own line in its env file.
        defined = {var.name for var in self.out.env}
        from_files = [
            EnvVar(var.name, var.value, var.line, var.path)
            for var in self.svc.env_file_vars if var.name not in defined
        ]
        self.out.env[:0] = from_files

    def _environment_key(self) -> None:
        env = self.data.get("environment")
        if isinstance(env, dict):
            for name, raw in env.items():
                where = self.where(env, name)
                value = None if raw is None or isinstance(raw, (dict, list)) else (
                    literal_part(raw) if isinstance(raw, str) else str(raw).lower()
                    if isinstance(raw, bool) else str(raw)
                )
                self.out.env.append(EnvVar(str(name), value, where[1], self.path_at(where)))
        elif isinstance(env, list):
            for item, where in self.items("environment"):
                if not isinstance(item, str):
                    continue
                name, sep, raw = item.partition("=")
                value = literal_part(raw) if sep else None
                self.out.env.append(EnvVar(name.strip(), value, where[1], self.path_at(where)))
