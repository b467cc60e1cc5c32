from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hullcheck.findings import Finding, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import cis, setting_location

# Loopback CIDRs are insecure registries on every engine by default; they are not a finding.
DEFAULT_INSECURE = {"127.0.0.0/8", "::1/128"}


def bridge_icc(host: DockerHost) -> bool | None:
    """ICC of the default bridge as the engine reports it (network options), else config."""
    for net in host.networks:
        if net.get("Name") == "bridge" and net.get("Driver") == "bridge":
            value = (net.get("Options") or {}).get("com.docker.network.bridge.enable_icc")
            if value is not None:
                return str(value).lower() == "true"
    if host.daemon.settings or host.daemon.dockerd_args is not None:
        return bool(host.daemon.get("icc", True))
    return None


def insecure_registries(host: DockerHost) -> list[str]:
    registry = host.info.get("RegistryConfig")
    if registry:
        out = [str(c) for c in registry.get("InsecureRegistryCIDRs") or []]
        out = [c for c in out if c not in DEFAULT_INSECURE]
        for name, index in (registry.get("IndexConfigs") or {}).items():
            if not index.get("Secure", True):
                out.append(str(name))
        return out
    return [str(r) for r in host.daemon.get("insecure-registries") or []]


def tcp_hosts(host: DockerHost) -> list[str]:
    return [str(h) for h in host.daemon.get("hosts") or [] if str(h).startswith("tcp://")]


def _icc(host: DockerHost) -> str | None:
    if bridge_icc(host):
        return "containers on the default bridge can talk to each other (icc is not false)"
    return None


def _log_level(host: DockerHost) -> str | None:
    level = str(host.daemon.get("log-level") or "").lower()
    if not level and (host.daemon.get("debug") or host.info.get("Debug")):
        level = "debug"
    if level and level != "info":
        return f"the daemon logs at level {level!r}, not 'info'"
    return None


def _iptables(host: DockerHost) -> str | None:
    if host.daemon.get("iptables", True) is False:
        return "the daemon may not manage iptables (iptables: false)"
    return None


def _insecure_registries(host: DockerHost) -> str | None:
    found = insecure_registries(host)
    if found:
        return "insecure registries in use: " + ", ".join(found)
    return None


def _aufs(host: DockerHost) -> str | None:
    if str(host.info.get("Driver") or "") == "aufs":
        return "the aufs storage driver is in use"
    return None


def _tls(host: DockerHost) -> str | None:
    tcp = tcp_hosts(host)
    if not tcp:
        return None
    missing = [k for k in ("tlscacert", "tlscert", "tlskey") if not host.daemon.get(k)]
    if not host.daemon.get("tlsverify") or missing:
        what = "tlsverify is off" if not host.daemon.get("tlsverify") else ", ".join(missing)
        return f"the daemon listens on {', '.join(tcp)} without client TLS verification ({what})"
    return None


def _userns(host: DockerHost) -> str | None:
    if host.has_security_option("userns") or host.rootless:
        return None
    return "user namespace remapping is off: root in a container is root on the host"


def _cgroup_parent(host: DockerHost) -> str | None:
    parent = host.daemon.get("cgroup-parent")
    if parent:
        return f"a default cgroup parent is set ({parent}): confirm it is intended"
    return None


def _base_size(host: DockerHost) -> str | None:
    for opt in host.daemon.get("storage-opts") or []:
        if str(opt).split("=", 1)[0].strip() == "dm.basesize":
            return f"the base device size is changed ({opt})"
    return None


def _authz(host: DockerHost) -> str | None:
    plugins = (host.info.get("Plugins") or {}).get("Authorization") or host.daemon.get(
        "authorization-plugins"
    )
    if not plugins:
        return "no authorization plugin: every client of the socket may do everything"
    return None


def _remote_logging(host: DockerHost) -> str | None:
    driver = str(host.info.get("LoggingDriver") or host.daemon.get("log-driver") or "json-file")
    if driver in ("json-file", "local", "none"):
        return f"container logs stay on this host (log driver {driver})"
    return None


def _no_new_privileges(host: DockerHost) -> str | None:
    if not host.daemon.get("no-new-privileges"):
        return "containers may gain new privileges by default (no-new-privileges is not set)"
    return None


def _live_restore(host: DockerHost) -> str | None:
    if host.swarm_active:
        return None  # incompatible with swarm mode: not applicable
    if not host.info.get("LiveRestoreEnabled") and not host.daemon.get("live-restore"):
        return "live restore is off: restarting the daemon stops every container"
    return None


def _userland_proxy(host: DockerHost) -> str | None:
    if host.daemon.get("userland-proxy", True) is not False:
        return "the userland proxy is enabled (userland-proxy is not false)"
    return None


def _seccomp(host: DockerHost) -> str | None:
    for opt in host.security_options:
        parts = dict(p.split("=", 1) for p in opt.split(",") if "=" in p)
        if parts.get("name") == "seccomp" and parts.get("profile") == "unconfined":
            return "the daemon-wide seccomp profile is unconfined"
    return None


def _experimental(host: DockerHost) -> str | None:
    if host.version.get("Experimental") or host.info.get("ExperimentalBuild"):
        return "experimental features are enabled"
    return None


@dataclass(frozen=True)
class DaemonCheck:
    check_id: str
    setting: str
    judge: Callable[[DockerHost], str | None]
    severity: Severity
    fix: str
    needs_config: bool = True  # judged from daemon.json / command line (local hosts only)
    podman: bool = False  # also meaningful on Podman's compat API (most are dockerd options)


DAEMON_CHECKS: tuple[DaemonCheck, ...] = (
    DaemonCheck("2.2", "icc", _icc, Severity.MEDIUM, 'Set "icc": false in daemon.json.', False),
    DaemonCheck("2.3", "log-level", _log_level, Severity.LOW, 'Set "log-level": "info".'),
    DaemonCheck("2.4", "iptables", _iptables, Severity.MEDIUM, 'Remove "iptables": false.'),
    DaemonCheck(
        "2.5",
        "insecure-registries",
        _insecure_registries,
        Severity.HIGH,
        "Remove insecure-registries; give the registry a TLS certificate.",
        False,
        True,
    ),
    DaemonCheck("2.6", "storage-driver", _aufs, Severity.MEDIUM, "Use overlay2.", False),
    DaemonCheck(
        "2.7", "hosts", _tls, Severity.CRITICAL,
        "Set tlsverify with tlscacert, tlscert and tlskey, or listen on the unix socket only.",
    ),
    DaemonCheck(
        "2.9", "userns-remap", _userns, Severity.MEDIUM,
        'Set "userns-remap": "default" (or run rootless Docker).', False,
    ),
    DaemonCheck("2.10", "cgroup-parent", _cgroup_parent, Severity.INFO,
                "Confirm the default cgroup parent or remove it."),
    DaemonCheck("2.11", "storage-opts", _base_size, Severity.LOW,
                "Remove dm.basesize from storage-opts unless needed."),
    DaemonCheck(
        "2.12", "authorization-plugins", _authz, Severity.LOW,
        "Install an authorization plugin and list it in authorization-plugins.", False,
    ),
    DaemonCheck(
        "2.13", "log-driver", _remote_logging, Severity.LOW,
        "Use a remote log driver (syslog, journald shipped off-host, gelf, fluentd...).", False,
    ),
    DaemonCheck("2.14", "no-new-privileges", _no_new_privileges, Severity.MEDIUM,
                'Set "no-new-privileges": true in daemon.json.'),
    DaemonCheck("2.15", "live-restore", _live_restore, Severity.LOW,
                'Set "live-restore": true in daemon.json.', False),
    DaemonCheck("2.16", "userland-proxy", _userland_proxy, Severity.LOW,
                'Set "userland-proxy": false in daemon.json.'),
    DaemonCheck("2.17", "seccomp-profile", _seccomp, Severity.HIGH,
                "Remove the unconfined default seccomp profile.", False, True),
    DaemonCheck("2.18", "experimental", _experimental, Severity.LOW,
                'Set "experimental": false.', False),
)


class DaemonSetting(Rule):
    """A Docker daemon option that weakens the host (CIS section 2).

    ## What it finds
    Daemon options judged from what the daemon really runs with: ``docker info`` (storage and
    log driver, security options, registry configuration, live restore, authorization
    plugins), the default bridge network's options (ICC), and ``daemon.json`` merged with the
    dockerd command line read from ``/proc``. Each finding carries the tag of its CIS check and
    names the option in ``location.setting`` (and daemon.json in ``path`` when set there):
    ICC on (2.2), a log level other than info (2.3), iptables off (2.4), insecure registries
    beyond the loopback default (2.5), aufs (2.6), TCP without TLS verification (2.7), no user
    namespaces (2.9), a default cgroup parent (2.10), a changed base device size (2.11), no
    authorization plugin (2.12), local-only logging (2.13), no-new-privileges off (2.14), live
    restore off (2.15), the userland proxy on (2.16), an unconfined daemon-wide seccomp
    profile (2.17), experimental features (2.18).

    ## Why it matters
    The daemon's defaults apply to every container; one weak option weakens them all.

    ## How to fix
    Set the option in ``/etc/docker/daemon.json`` and restart the daemon. Before:

        {}

    After:

        {"icc": false, "live-restore": true, "userland-proxy": false,
         "no-new-privileges": true, "log-driver": "syslog"}

    ## References
    CIS Docker Benchmark v1.6.0, 2.2 to 2.18.
    """

    id = "HOST005"
    name = "daemon-setting"
    title = "Docker daemon option weakens the host"
    severity = Severity.MEDIUM
    inputs = frozenset({"host"})
    references = cis(*(c.check_id for c in DAEMON_CHECKS))
    fix = "Change the option in daemon.json and restart the daemon."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        for check in DAEMON_CHECKS:
            if check.needs_config and not host.local:
                continue
            if host.is_podman and not check.podman:
                continue
            if not host.info and not check.needs_config:
                continue
            message = check.judge(host)
            if message is None:
                continue
            yield self.finding(
                setting_location(host, check.setting),
                message,
                references=cis(check.check_id),
                severity=check.severity,
                remediation=check.fix,
                evidence=f"{check.setting}: {message}",
            )
