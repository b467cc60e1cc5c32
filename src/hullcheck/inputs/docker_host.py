"""Build a ``DockerHost`` from the Engine API (``docker`` SDK) and this machine's files.

Read-only and frugal: ``info``, ``version``, one container list, one inspect per container
(plus ``top`` for running ones and an inspect per remembered exec instance), one image list with
one inspect and one history per image, one network list. Nothing runs inside containers and
nothing is created, changed or pulled. Inspects run on a small thread pool: the engine answers
them concurrently and it keeps 200 containers well under the time budget.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlparse

from hullcheck.inputs.docker_inspect import container_spec_from_inspect
from hullcheck.inputs.host_system import (
    HostFS,
    containerd_sockets,
    find_dockerd,
    read_audit_rules,
    read_daemon_config,
    read_kubelet,
    service_file,
)
from hullcheck.models.host import DockerHost, HostContainer, HostImage

DEFAULT_SOCKET = "/var/run/docker.sock"
T = TypeVar("T")
R = TypeVar("R")


PODMAN_REASON = (
    "the engine is Podman: there is no dockerd or containerd, so Docker's daemon files, "
    "options and audit paths do not apply"
)


class EngineUnavailable(Exception):
    """No engine answers (no socket, no permission, engine down): one line saying which."""


@dataclass
class HostOptions:
    docker_host: str | None = None  # --docker-host; default DOCKER_HOST, then the unix socket
    all_containers: bool = False
    container_filters: list[str] = field(default_factory=list)  # names or id prefixes
    image_filters: list[str] = field(default_factory=list)
    trusted_users: list[str] = field(default_factory=list)
    workers: int = 8


def endpoint(options: HostOptions) -> str:
    return options.docker_host or os.environ.get("DOCKER_HOST") or f"unix://{DEFAULT_SOCKET}"


def socket_path(url: str) -> str | None:
    """The unix socket path of a local endpoint; None for TCP/SSH (the engine is elsewhere)."""
    parsed = urlparse(url)
    if parsed.scheme in ("unix", "") and (parsed.path or url).startswith("/"):
        return parsed.path or url
    return None


def connect(url: str) -> Any:
    """A client for ``url``; TLS settings come from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH."""
    try:
        import docker
    except ImportError as exc:  # pragma: no cover - docker is a dependency
        raise EngineUnavailable(f"the docker SDK is not installed: {exc}") from None
    try:
        env = dict(os.environ, DOCKER_HOST=url)
        client = docker.from_env(environment=env, timeout=60)
        client.ping()
    except Exception as exc:
        raise EngineUnavailable(describe_connect_error(url, exc)) from None
    return client


def describe_connect_error(url: str, exc: BaseException) -> str:
    text = str(exc)
    if "Permission denied" in text:
        return f"no permission to use the Docker socket at {url} (root or the docker group needed)"
    if "No such file" in text or "FileNotFoundError" in text:
        return f"no Docker socket at {url}: is the engine running?"
    if "Connection refused" in text:
        return f"the Docker engine at {url} refused the connection: is it running?"
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"cannot reach the Docker engine at {url}: {first[:200]}"


def collect(options: HostOptions, fs: HostFS | None = None, client: Any = None) -> DockerHost:
    """Everything the audit judges. Raises nothing for engine trouble: ``engine_error`` says it
    and the host-file part is still filled in (when the engine is local)."""
    url = endpoint(options)
    sock = socket_path(url)
    fs = fs or HostFS("/")
    host = DockerHost(endpoint=url, local=sock is not None, all_containers=options.all_containers)
    host.trusted_users = list(options.trusted_users)
    if client is None:
        try:
            client = connect(url)
        except EngineUnavailable as exc:
            host.engine_error = str(exc)
    if client is not None:
        read_engine(host, client, options)
    if host.is_podman:
        host.local = False
        host.local_reason = PODMAN_REASON
    if host.local:
        read_local_files(host, fs, sock)
    _apply_daemon_defaults(host)
    return host


def _apply_daemon_defaults(host: DockerHost) -> None:
    """Settings a container leaves unset take the daemon's default, which ``docker inspect``
    does not show on the container (checked on a real daemon, tests/live/host):

    - ``"no-new-privileges": true``: every container has it;
    - ``seccomp-profile`` (``docker info`` says it, so remote engines too): a container with
      no seccomp option runs that profile (``unconfined`` included), except a privileged one,
      which Docker runs without seccomp anyway;
    - ``"ip"``, the default bind address of published ports: a created or stopped container
      keeps ``HostIp: ""`` in its port bindings, yet it will bind that address (a running one
      shows the real binding already);
    - ``userns-remap``: root in a container is an unprivileged uid on the host, unless the
      container runs with ``--userns=host`` (or ``--privileged``, which requires it).

    ``default-ulimits`` need nothing here: the daemon copies them into each container's
    ``HostConfig.Ulimits`` at creation (5.19 tells them apart from real overrides).
    """
    no_new_privileges = bool(host.daemon.get("no-new-privileges"))
    profile = host.seccomp_profile
    seccomp = profile if profile and profile != "default" and profile != "builtin" else None
    bind_ip = str(host.daemon.get("ip") or "") or None
    remapped = host.userns_remapped
    for hc in host.containers:
        spec = hc.spec
        if no_new_privileges and spec.no_new_privileges is None:
            spec.no_new_privileges = True
        if seccomp and spec.seccomp is None and not spec.privileged:
            spec.seccomp = seccomp
        if bind_ip and not hc.running:
            for port in spec.ports:
                if port.host_port and not port.host_ip:
                    port.host_ip = bind_ip
        if remapped and not spec.userns_host and not spec.privileged:
            spec.user_namespace = True


def read_engine(host: DockerHost, client: Any, options: HostOptions) -> None:
    api = client.api
    try:
        host.info = api.info()
        host.version = api.version()
    except Exception as exc:
        host.engine_error = describe_connect_error(host.endpoint, exc)
        return
    apparmor, selinux = host.apparmor_enabled, host.selinux_enabled
    podman = host.is_podman
    listed = api.containers(all=True, quiet=True)
    ids = [str(c["Id"]) for c in listed]
    inspects = _parallel(options.workers, lambda cid: _maybe(api.inspect_container, cid), ids,
                         ("inspecting", "containers"))
    wanted = [
        data
        for data in inspects
        if data is not None
        and (options.all_containers or (data.get("State") or {}).get("Running"))
        and _matches(data, options.container_filters)
    ]

    def build(data: dict[str, Any]) -> HostContainer:
        spec = container_spec_from_inspect(
            data, apparmor_enabled=apparmor, selinux_enabled=selinux
        )
        hc = HostContainer(spec=spec, inspect=data)
        # Podman's top of a --pid=host container lists every process of the host: nothing
        # there can be attributed to the container.
        pid_host = str((data.get("HostConfig") or {}).get("PidMode") or "") == "host"
        if (data.get("State") or {}).get("Running") and not (podman and pid_host):
            # Both the process name (comm: what the kernel calls it, which argv rewriting
            # cannot hide) and its command line; the default columns if this ps lacks -o.
            hc.processes = _processes(_top(api, data["Id"], podman))
        for exec_id in data.get("ExecIDs") or []:
            found = _maybe(api.exec_inspect, exec_id)
            if found:
                hc.execs.append(found)
        return hc

    host.containers = _parallel(options.workers, build, wanted,
                                ("reading processes and execs of", "containers"))

    images = api.images(all=False, quiet=True)
    image_ids = list(dict.fromkeys(str(i) for i in images))

    def build_image(image_id: str) -> HostImage | None:
        data = _maybe(api.inspect_image, image_id)
        if data is None:
            return None
        history = _maybe(api.history, image_id) or []
        return HostImage(inspect=data, history=list(history))

    built = _parallel(options.workers, build_image, image_ids,
                      ("inspecting", "images"))
    host.images = [
        img
        for img in built
        if img is not None and _image_matches(img, options.image_filters)
    ]
    host.networks = _maybe(api.networks) or []
    if host.swarm_active and host.swarm_manager:
        # Two list calls, managers only: what 7.4 and 5.9 show as evidence.
        host.services = _maybe(api.services) or []
        host.secrets = _maybe(api.secrets) or []


def _maybe(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """A per-object call that may race with the object disappearing (removed meanwhile)."""
    try:
        return call(*args, **kwargs)
    except Exception:
        return None


def _parallel(workers: int, fn: Callable[[T], R], items: list[T],
              doing: tuple[str, str] | None = None) -> list[R]:
    """``fn`` on each item, on up to ``workers`` threads. On a terminal, ``doing`` (what is
    done, and to what) shows how many are done: one API call or more each, so a host with
    many containers takes a while."""
    from contextlib import nullcontext

    from hullcheck import progress

    shown = progress.task(f"{doing[0]} {doing[1]}", len(items), doing[1], ticking=True
                          ) if doing else nullcontext()
    with shown as job:
        call = fn if job is None else _counting(fn, job)
        if len(items) <= 1 or workers <= 1:
            return [call(i) for i in items]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(call, items))


def _counting(fn: Callable[[T], R], job: Any) -> Callable[[T], R]:
    """``fn``, advancing the progress line ``job`` by one per item done."""

    def call(item: T) -> R:
        try:
            return fn(item)
        finally:
            job.advance()

    return call


# Docker runs ``ps`` on the host with these arguments and keeps the container's processes.
PS_ARGS = "-eo pid,comm=NAME,args=ARGS"
# Podman reads /proc itself (psgo) for descriptors it knows; for anything else (``-ef``, the
# compat default included) it runs ``ps`` INSIDE the container, which the audit must never do.
PODMAN_PS_ARGS = "pid,comm,args"


def _top(api: Any, container_id: str, podman: bool) -> Any:
    if podman:
        return _maybe(api.top, container_id, ps_args=PODMAN_PS_ARGS)
    top = _maybe(api.top, container_id, ps_args=PS_ARGS)
    if top is None:  # a host ps without -o: Docker's default columns (still run on the host)
        top = _maybe(api.top, container_id)
    return top


def _processes(top: Any) -> list[str] | None:
    """Command lines of the processes, each prefixed by ``[name]`` when ps gave the name."""
    if not top or not isinstance(top, dict):
        return None
    titles = [str(t).upper() for t in top.get("Titles") or []]
    if titles == ["PID", "COMMAND", "COMMAND"]:  # Podman's pid,comm,args
        titles = ["PID", "NAME", "ARGS"]
    if "NAME" in titles and "ARGS" in titles:
        n, a = titles.index("NAME"), titles.index("ARGS")
        return [
            f"[{row[n]}] {row[a]}" for row in top.get("Processes") or [] if len(row) > max(n, a)
        ]
    for column in ("COMMAND", "CMD", "ARGS"):
        if column in titles:
            index = titles.index(column)
            return [str(row[index]) for row in top.get("Processes") or [] if len(row) > index]
    return None


def _matches(data: dict[str, Any], filters: list[str]) -> bool:
    if not filters:
        return True
    name = str(data.get("Name") or "").lstrip("/")
    cid = str(data.get("Id") or "")
    return any(f == name or (len(f) >= 4 and cid.startswith(f)) for f in filters)


def _image_matches(image: HostImage, filters: list[str]) -> bool:
    if not filters:
        return True
    names = [str(t) for t in image.inspect.get("RepoTags") or []]
    short = [n.rsplit(":", 1)[0] for n in names]
    bare = image.id.removeprefix("sha256:")
    return any(
        f in names or f in short or (len(f) >= 4 and bare.startswith(f.removeprefix("sha256:")))
        for f in filters
    )


def read_local_files(host: DockerHost, fs: HostFS, sock: str | None) -> None:
    dockerd = find_dockerd(fs, sock)
    rootless_uid = _rootless_uid(sock)
    config_home = None
    if rootless_uid is not None:
        home = fs.home_of(rootless_uid)
        config_home = f"{home}/.config" if home else None
    default_json = (
        f"{config_home}/docker/daemon.json" if config_home else "/etc/docker/daemon.json"
    )
    host.daemon = read_daemon_config(fs, dockerd, default_json)
    user_units = (f"{config_home}/systemd/user",) if config_home else ()

    files = host.files
    for unit in ("docker.service", "docker.socket"):
        path = service_file(fs, unit, user_units)
        if path:
            files[unit] = fs.stat(path)
    files["/etc/docker"] = fs.stat("/etc/docker")
    files["daemon.json"] = fs.stat(host.daemon.daemon_json_path or default_json)
    files["/etc/default/docker"] = fs.stat("/etc/default/docker")
    files["/etc/sysconfig/docker"] = fs.stat("/etc/sysconfig/docker")
    for path in fs.glob("/etc/docker/certs.d", "*/*.crt"):
        files[f"registry-cert:{path}"] = fs.stat(path)
    for key in ("tlscacert", "tlscert", "tlskey"):
        value = host.daemon.get(key)
        if value:
            files[key] = fs.stat(str(value))
    for i, path in enumerate(_docker_sockets(host, sock)):
        files["docker.sock" if i == 0 else f"docker.sock:{path}"] = fs.stat(path)
    for i, path in enumerate(containerd_sockets(fs, host.daemon)):
        files["containerd.sock" if i == 0 else f"containerd.sock:{path}"] = fs.stat(path)

    data_root = str(host.info.get("DockerRootDir") or host.daemon.get("data-root") or "")
    data_root = data_root or "/var/lib/docker"
    host.docker_root_mount = fs.mount_point(data_root)
    host.audit = read_audit_rules(fs)
    host.audit_paths = _audit_paths(host, fs, data_root)
    host.present_paths = {p for p in host.audit_paths.values() if fs.exists(p)}
    host.owner_uid = rootless_uid or 0
    host.docker_group = fs.group_members(str(host.daemon.get("group") or "docker"))
    host.listening = fs.listening_tcp()
    host.kubelet_config, host.kubelet_args = read_kubelet(fs)


def _rootless_uid(sock: str | None) -> int | None:
    # Rootless Docker listens on $XDG_RUNTIME_DIR/docker.sock, i.e. /run/user/<uid>/docker.sock.
    if sock and sock.startswith("/run/user/"):
        part = sock.split("/")[3]
        if part.isdigit() and part != "0":
            return int(part)
    return None


def _docker_sockets(host: DockerHost, sock: str | None) -> list[str]:
    hosts = host.daemon.get("hosts") or []
    paths = [h[len("unix://") :] for h in hosts if isinstance(h, str) and h.startswith("unix://")]
    if sock and sock not in paths:
        paths.insert(0, sock)
    return paths or [DEFAULT_SOCKET]


def _audit_paths(host: DockerHost, fs: HostFS, data_root: str) -> dict[str, str]:
    def binary(name: str) -> str:
        for directory in ("/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin"):
            if fs.exists(f"{directory}/{name}"):
                return f"{directory}/{name}"
        return f"/usr/bin/{name}"

    dockerd = host.daemon.dockerd_exe or binary("dockerd")
    service = host.files.get("docker.service")
    socket_unit = host.files.get("docker.socket")
    containerd = host.files.get("containerd.sock")
    return {
        "1.1.3": dockerd,
        "1.1.4": "/run/containerd",
        "1.1.5": data_root,
        "1.1.6": "/etc/docker",
        "1.1.7": service.path if service else "/lib/systemd/system/docker.service",
        "1.1.8": containerd.path if containerd else "/run/containerd/containerd.sock",
        "1.1.9": socket_unit.path if socket_unit else "/lib/systemd/system/docker.socket",
        "1.1.10": "/etc/default/docker",
        "1.1.11": host.daemon.daemon_json_path or "/etc/docker/daemon.json",
        "1.1.12": "/etc/containerd/config.toml",
        "1.1.13": "/etc/sysconfig/docker",
        "1.1.14": binary("containerd"),
        "1.1.15": binary("containerd-shim"),
        "1.1.16": binary("containerd-shim-runc-v1"),
        "1.1.17": binary("containerd-shim-runc-v2"),
        "1.1.18": binary("runc"),
    }
