"""Check id -> verdict, for every check of CIS Docker Benchmark v1.6.0 sections 1 to 7.

A test compares this table with the benchmark's list: every check has exactly one entry.
Findings come from the host rules (``rules/host``) and the container rules
(``rules/container``); this table only says how a check's result follows from them.
"""

from __future__ import annotations

from typing import Any

from hullcheck.hostaudit.releases import release_table
from hullcheck.hostaudit.verdicts import (
    Facts,
    Outcome,
    Reason,
    Verdict,
    containers_judged,
    judged,
    manual,
)
from hullcheck.rules.host import DAEMON_RULES
from hullcheck.rules.host._daemon import tcp_hosts
from hullcheck.rules.host.host003_audit_rules import AUDIT_CHECKS
from hullcheck.rules.host.host006_file_permissions import FILE_CHECKS, FileCheck, files_for
from hullcheck.rules.host.host010_swarm_config import SWARM_PORTS

# --- applicability and evidence -------------------------------------------------------------


def _no_images(facts: Facts) -> str | None:
    return None if facts.host.images else "no images on this host"


def _no_images_or_containers(facts: Facts) -> str | None:
    host = facts.host
    return None if host.images or host.containers else "no images or containers on this host"


def _no_running(facts: Facts) -> str | None:
    if any(c.running for c in facts.host.containers):
        return None
    return "no running containers (processes are read from running ones)"


def _swarm_inactive(facts: Facts) -> str | None:
    return None if facts.host.swarm_active else "Swarm mode is inactive"


def _not_manager(facts: Facts) -> str | None:
    return _swarm_inactive(facts) or (
        None if facts.host.swarm_manager else "this node is not a swarm manager"
    )


def _no_overlay(facts: Facts) -> str | None:
    if _swarm_inactive(facts):
        return _swarm_inactive(facts)
    if any(n.get("Driver") == "overlay" for n in facts.host.networks):
        return None
    return "no overlay networks"


def _swarm(facts: Facts) -> dict[str, Any]:
    return facts.host.info.get("Swarm") or {}


def _managers_passed(facts: Facts) -> str | None:
    n = int(_swarm(facts).get("Managers") or 0)
    return f"{n} manager{'' if n == 1 else 's'}: an odd number, at most 7"


def _swarm_listen_na(facts: Facts) -> str | None:
    reason = _not_manager(facts)
    if reason:
        return reason
    listening = facts.host.listening
    if listening is None:
        return "/proc/net/tcp is not readable: the listening sockets are unknown"
    if not any(port == 2377 for _, port in listening):
        # The audit sees its own network namespace: from inside a container it would find
        # nothing and wrongly pass.
        return (
            "nothing listens on port 2377 in this network namespace (is the audit running "
            "in a container with a network of its own?)"
        )
    return None


def _swarm_listen_passed(facts: Facts) -> str | None:
    bound = sorted(
        {f"{a}:{p}" for a, p in facts.host.listening or [] if p in SWARM_PORTS},
        key=lambda text: (text.rsplit(":", 1)[1], text),
    )
    return "the swarm ports listen on " + ", ".join(bound)


def _overlays_passed(facts: Facts) -> str | None:
    names = [str(n.get("Name")) for n in facts.host.networks if n.get("Driver") == "overlay"]
    return "every overlay network is encrypted: " + ", ".join(sorted(names))


def _autolock_passed(facts: Facts) -> str | None:
    return "managers are auto-locked: the Raft keys on disk need the unlock key"


def _no_unlock_key(facts: Facts) -> str | None:
    reason = _not_manager(facts)
    if reason:
        return reason
    if not facts.host.swarm_autolock:
        return "auto-lock is off, so there is no unlock key to rotate (7.5 reports it)"
    return None


def _secrets_evidence(facts: Facts) -> str | None:
    """What the swarm's secrets and services show (managers only: workers cannot list them)."""
    from hullcheck.models.container import EnvVar
    from hullcheck.rules.container.env_secrets import secret_reason

    host = facts.host
    if not host.swarm_manager:
        return "this node is not a manager: secrets and services are listed on managers"
    names = sorted(str((s.get("Spec") or {}).get("Name")) for s in host.secrets)
    lines = [f"{len(names)} swarm secret(s)" + (": " + ", ".join(names) if names else "")]
    for service in host.services:
        spec = service.get("Spec") or {}
        container = (spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
        used = [str(r.get("SecretName")) for r in container.get("Secrets") or []]
        suspicious = []
        for item in container.get("Env") or []:
            name, sep, value = str(item).partition("=")
            if secret_reason(EnvVar(name=name, value=value if sep else None)):
                suspicious.append(name)
        if used or suspicious:
            text = f"service {spec.get('Name')}:"
            if used:
                text += " uses secret(s) " + ", ".join(used)
            if suspicious:
                text += (";" if used else "") + " passes " + ", ".join(suspicious)
                text += " in its environment (use a docker secret)"
            lines.append(text)
    return "\n".join(lines)


def _cert_expiry(facts: Facts) -> str | None:
    spec = (_swarm(facts).get("Cluster") or {}).get("Spec") or {}
    expiry = (spec.get("CAConfig") or {}).get("NodeCertExpiry")
    if not expiry:
        return None
    hours = int(expiry) / 3.6e12
    days = f" ({hours / 24:g} days)" if hours >= 24 else ""
    return f"node certificates are valid for {hours:g} h{days} (docker swarm update --cert-expiry)"


def _ca_evidence(facts: Facts) -> str | None:
    cluster = _swarm(facts).get("Cluster") or {}
    pem = str((cluster.get("TLSInfo") or {}).get("TrustRoot") or "")
    lines = []
    if pem:
        try:
            from cryptography import x509

            cert = x509.load_pem_x509_certificate(pem.encode())
            lines.append(
                f"root CA {cert.subject.rfc4514_string()}: valid from "
                f"{cert.not_valid_before_utc:%Y-%m-%d} until {cert.not_valid_after_utc:%Y-%m-%d}"
            )
        except Exception as exc:  # an odd certificate must not break the audit
            lines.append(f"the swarm root CA could not be read: {exc}")
    if cluster.get("RootRotationInProgress"):
        lines.append("a root CA rotation is in progress")
    return "\n".join(lines) or None


def _data_path_evidence(facts: Facts) -> str | None:
    swarm = _swarm(facts)
    addr = swarm.get("NodeAddr")
    port = (swarm.get("Cluster") or {}).get("DataPathPort")
    if not addr:
        return None
    text = f"this node advertises {addr} for management traffic"
    if port:
        text += f"; data (VXLAN) traffic uses UDP port {port}"
    return text + " (docker info does not show --data-path-addr: check how the node joined)"


def _audit_na(check_id: str) -> Reason:
    def reason(facts: Facts) -> str | None:
        path = facts.host.audit_paths.get(check_id)
        if path and not facts.host.path_exists(path):
            return f"{path} does not exist on this host"
        return None

    return reason


def _audit_passed(check_id: str) -> Reason:
    def reason(facts: Facts) -> str | None:
        audit = facts.host.audit
        path = facts.host.audit_paths.get(check_id, "")
        return f"{path} is watched ({audit.source})" if audit else None

    return reason


def _file_na(check: FileCheck) -> Reason:
    def reason(facts: Facts) -> str | None:
        files = files_for(facts.host, check)
        if files:
            return None
        if check.key in ("tlscacert", "tlscert", "tlskey"):
            return f"the daemon has no {check.key} configured (TLS is off)"
        if check.key == "registry-cert:":
            return "no registry certificates under /etc/docker/certs.d"
        base = facts.host.files.get(check.key)
        where = f" {base.path}" if base and base.path != check.what else ""
        return f"{check.what}{where} does not exist on this host"

    return reason


def _file_error(check: FileCheck) -> Reason:
    def reason(facts: Facts) -> str | None:
        files = files_for(facts.host, check)
        broken = [f"{f.path}: {f.error}" for f in files if f.error]
        return "; ".join(broken) or None

    return reason


def _file_passed(check: FileCheck, owner: bool) -> Reason:
    def reason(facts: Facts) -> str | None:
        files = files_for(facts.host, check)
        if owner:
            return ", ".join(f"{f.path} {f.owner}:{f.group}" for f in files)
        return ", ".join(f"{f.path} {f.mode_text}" for f in files)

    return reason


def _file_verdict(check: FileCheck, owner: bool) -> Verdict:
    inner = judged(local=True, na=_file_na(check), passed=_file_passed(check, owner))
    error = _file_error(check)

    def verdict(facts: Facts, check_id: str) -> Outcome:
        broken = error(facts) if facts.host.local else None
        if broken:
            facts.errors.setdefault(check_id, f"cannot stat: {broken}")
        return inner(facts, check_id)

    return verdict


def _engine_passed(facts: Facts) -> str | None:
    table = release_table()
    return (
        f"Docker Engine {facts.host.server_version} is not older than "
        f"{table.newest['latest']} (release table dated {table.date})"
    )


def _podman(facts: Facts) -> str | None:
    if facts.host.is_podman:
        return (
            f"the engine is Podman {facts.host.server_version}: the Docker Engine release "
            "table does not apply"
        )
    return None


def _podman_daemon(facts: Facts) -> str | None:
    if facts.host.is_podman:
        return "the engine is Podman, which has no Docker daemon: dockerd options do not apply"
    return None


def _either(first: Reason, second: Reason | None) -> Reason:
    def reason(facts: Facts) -> str | None:
        return first(facts) or (second(facts) if second else None)

    return reason


def _docker_root_na(facts: Facts) -> str | None:
    if facts.host.docker_root_mount is None:
        return "/proc/self/mountinfo is not readable"
    return None


def _docker_root_passed(facts: Facts) -> str | None:
    return f"Docker's data root is the mount point {facts.host.docker_root_mount}"


def _group_passed(facts: Facts) -> str | None:
    members = facts.host.docker_group
    if members is None:
        return "there is no docker group: only root can use the socket"
    return "members: " + (", ".join(members) or "none")


def _rootless(facts: Facts) -> str | None:
    return "the daemon runs rootless" if facts.host.rootless else None


def _ulimits(facts: Facts) -> str | None:
    limits = _daemon_ulimits(facts)
    if not limits:
        return "no default-ulimits set: containers inherit the daemon's own limits"
    return "default-ulimits: " + ", ".join(f"{k}={v}" for k, v in sorted(limits.items()))


def _seccomp_evidence(facts: Facts) -> str | None:
    opts = [o for o in facts.host.security_options if "name=seccomp" in o]
    return "; ".join(opts) or None


def _no_seccomp(facts: Facts) -> str | None:
    if facts.host.info and not _seccomp_evidence(facts):
        return "the daemon reports no seccomp support"
    return None


def _no_tcp(facts: Facts) -> str | None:
    return None if tcp_hosts(facts.host) else "the daemon listens on no TCP socket"


def _swarm_active(facts: Facts) -> str | None:
    return "live restore is incompatible with swarm mode" if facts.host.swarm_active else None


def _no_apparmor(facts: Facts) -> str | None:
    return None if facts.host.apparmor_enabled else "AppArmor is not enabled on this host"


def _no_selinux(facts: Facts) -> str | None:
    if facts.host.selinux_enabled:
        return None
    return "SELinux is not enabled in the Docker daemon on this host"


def _published_ports(facts: Facts) -> str | None:
    """Ports reachable from other machines; a port bound to loopback only is not open (and
    neither 5.9's nor 5.14's concern)."""
    lines = []
    for c in facts.host.containers:
        for p in c.spec.ports:
            if not p.host_port or _loopback(p.host_ip):
                continue
            lines.append(
                f"{c.name}: {p.host_ip or '0.0.0.0'}:{p.host_port}->"
                f"{p.container_port}/{p.protocol}"
            )
    lines.extend(_service_ports(facts))
    return "\n".join(lines) or "no ports published beyond loopback"


def _service_ports(facts: Facts) -> list[str]:
    """Ports swarm services publish: no container shows them (the routing mesh forwards them
    in the kernel, and no socket listens), yet they are open on every node."""
    lines = []
    for service in facts.host.services:
        name = (service.get("Spec") or {}).get("Name")
        for p in (service.get("Endpoint") or {}).get("Ports") or []:
            if not p.get("PublishedPort"):
                continue
            mode = p.get("PublishMode") or "ingress"
            where = (
                "every interface of every node (routing mesh)" if mode == "ingress"
                else "every interface of the nodes running its tasks (host mode)"
            )
            lines.append(
                f"service {name}: *:{p['PublishedPort']}->{p.get('TargetPort')}/"
                f"{p.get('Protocol') or 'tcp'} on {where}"
            )
    return lines


def _loopback(address: str | None) -> bool:
    import ipaddress

    try:
        return bool(address) and ipaddress.ip_address(str(address)).is_loopback
    except ValueError:
        return address == "localhost"


def _daemon_ulimits(facts: Facts) -> dict[str, str]:
    """``default-ulimits`` as name -> "soft:hard", from daemon.json (``{"nofile": {"Name":
    ..., "Soft": ..., "Hard": ...}}``) or the command line (``nofile=1024:2048``)."""
    value = facts.host.daemon.get("default-ulimits")
    out: dict[str, str] = {}
    items = value.values() if isinstance(value, dict) else value or []
    for item in items:
        if isinstance(item, dict):
            out[str(item.get("Name"))] = f"{item.get('Soft')}:{item.get('Hard')}"
        else:
            name, _, limits = str(item).partition("=")
            soft, _, hard = limits.partition(":")
            out[name] = f"{soft}:{hard or soft}"
    return out


def _container_ulimits(facts: Facts) -> str | None:
    # The daemon copies its default-ulimits into every container's HostConfig.Ulimits at
    # creation: only values that differ from them are the container's own.
    defaults = _daemon_ulimits(facts)
    lines = []
    for c in facts.host.containers:
        ulimits = (c.inspect.get("HostConfig") or {}).get("Ulimits") or []
        own = [
            f"{u.get('Name')}={u.get('Soft')}:{u.get('Hard')}"
            for u in ulimits
            if defaults.get(str(u.get("Name"))) != f"{u.get('Soft')}:{u.get('Hard')}"
        ]
        if own:
            lines.append(f"{c.name}: {', '.join(own)}")
    if defaults:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(defaults.items()))
        lines.append(f"daemon default-ulimits: {shown}")
    return "\n".join(lines) or "no container overrides the default ulimits"


def _exec_passed(facts: Facts) -> str | None:
    count = sum(len(c.execs) for c in facts.host.containers)
    return (
        f"none of the {count} exec session(s) the daemon remembers (it forgets them when a "
        "container stops; its audit log has the rest)"
    )


def _default_bridge(facts: Facts) -> str | None:
    names = [
        c.name
        for c in facts.host.containers
        if "bridge" in ((c.inspect.get("NetworkSettings") or {}).get("Networks") or {})
    ]
    return ("on the default bridge: " + ", ".join(names)) if names else "none on docker0"


def _image_sprawl(facts: Facts) -> str | None:
    used = {str(c.inspect.get("Image") or "") for c in facts.host.containers}
    unused = [i.ref for i in facts.host.images if i.id not in used]
    text = f"{len(facts.host.images)} images, {len(unused)} not used by an audited container"
    return text + (": " + ", ".join(unused[:20]) if unused else "")


def _container_sprawl(facts: Facts) -> str | None:
    info = facts.host.info
    return (
        f"{info.get('Containers', '?')} containers, {info.get('ContainersRunning', '?')} running,"
        f" {info.get('ContainersStopped', '?')} stopped"
    )


def _rootless_or_manual(facts: Facts, check_id: str) -> Outcome:
    if facts.host.info and facts.host.rootless:
        return judged(engine=True, passed=_rootless)(facts, check_id)
    return manual(
        "the daemon runs as root: consider rootless mode (dockerd-rootless-setuptool.sh)",
        engine=True,
    )(facts, check_id)


def _seccomp_verdict(facts: Facts, check_id: str) -> Outcome:
    outcome = judged(engine=True, na=_no_seccomp)(facts, check_id)
    if outcome.result.value == "pass":
        return manual(
            "a seccomp profile is applied; decide whether a custom profile suits this host",
            evidence=_seccomp_evidence,
        )(facts, check_id)
    return outcome


# --- the table ----------------------------------------------------------------------------

HARDEN = "harden the host OS (a minimal distribution, CIS benchmark for the OS, patched kernel)"
IMAGE_FILES = (
    "judged from the image layers by the image audit (`hullcheck image`), which reads files, "
    "not the host's metadata"
)

# The section-4 checks judged from the image rules' findings on the engine's images (their config
# and history) and from the client environment (4.5): the image rules carrying one of them are
# the ones the host audit runs (``audit.in_benchmark``); each has ``needs_rule`` below.
JUDGED_FROM_IMAGE_RULES = frozenset({"4.1", "4.5", "4.6", "4.7", "4.9"})

VERDICTS: dict[str, Verdict] = {
    "1.1.1": judged(local=True, engine=True, na=_docker_root_na, passed=_docker_root_passed),
    "1.1.2": judged(local=True, passed=_group_passed),
    **{cid: judged(local=True, na=_audit_na(cid), passed=_audit_passed(cid))
       for cid in AUDIT_CHECKS},
    "1.2.1": manual(HARDEN),
    "1.2.2": judged(engine=True, na=_podman, passed=_engine_passed),
    "2.1": _rootless_or_manual,
    "2.8": manual("review the default ulimits (default-ulimits)", evidence=_ulimits,
                  na=_podman_daemon),
    "2.17": _seccomp_verdict,
    "4.1": judged(engine=True, na=_no_images_or_containers, needs_rule=True),
    "4.2": manual("use base images from trusted sources only (see `trust:` and the image audit)"),
    "4.3": manual("check that images hold only the packages they need"),
    "4.4": manual("scan images regularly and rebuild them with security patches"),
    "4.5": judged(passed=lambda f: "DOCKER_CONTENT_TRUST=1", needs_rule=True),
    "4.6": judged(engine=True, na=_no_images, needs_rule=True),
    "4.7": judged(engine=True, na=_no_images, needs_rule=True),
    "4.8": manual("remove setuid/setgid bits in images: " + IMAGE_FILES),
    "4.9": judged(engine=True, na=_no_images, needs_rule=True),
    "4.10": manual("keep secrets out of images: " + IMAGE_FILES),
    "4.11": manual("install only verified packages (signatures checked)"),
    "4.12": manual("validate signed artifacts before use"),
    "5.1": judged(engine=True),
    "5.2": containers_judged(na=_no_apparmor),
    "5.3": containers_judged(na=_no_selinux),
    "5.7": judged(engine=True, na=_no_running),
    "5.9": manual("confirm every published port is needed", evidence=_published_ports,
                  engine=True),
    "5.19": manual("confirm per-container ulimits where defaults do not fit",
                   evidence=_container_ulimits, engine=True),
    "5.23": judged(engine=True, passed=_exec_passed),
    "5.24": judged(engine=True, passed=_exec_passed),
    "5.28": manual("pull images again (--pull always) so containers run their latest version"),
    "5.30": manual("use user-defined networks instead of the default bridge docker0",
                   evidence=_default_bridge, engine=True),
    "6.1": manual("remove images no longer needed", evidence=_image_sprawl, engine=True),
    "6.2": manual("remove containers no longer needed", evidence=_container_sprawl,
                  engine=True),
    "7.1": judged(engine=True, na=_not_manager, passed=_managers_passed),
    "7.2": judged(engine=True, local=True, na=_swarm_listen_na, passed=_swarm_listen_passed),
    "7.3": judged(engine=True, na=_no_overlay, passed=_overlays_passed),
    "7.4": manual("use docker secret for secrets of swarm services", na=_swarm_inactive,
                  evidence=_secrets_evidence, engine=True),
    "7.5": judged(engine=True, na=_not_manager, passed=_autolock_passed),
    "7.6": manual("rotate the auto-lock key (docker swarm unlock-key --rotate)",
                  na=_no_unlock_key, engine=True),
    "7.7": manual("rotate node certificates as appropriate", evidence=_cert_expiry,
                  na=_swarm_inactive, engine=True),
    "7.8": manual("rotate the CA certificate (docker swarm ca --rotate)", na=_not_manager,
                  evidence=_ca_evidence, engine=True),
    "7.9": manual("use --data-path-addr to separate data from management traffic",
                  evidence=_data_path_evidence, na=_swarm_inactive, engine=True),
}

for _daemon in DAEMON_RULES:  # one rule per daemon setting (HOST013 to HOST028)
    if _daemon.check_id in VERDICTS:
        continue
    _specific = {"2.7": _no_tcp, "2.15": _swarm_active}.get(_daemon.check_id)
    _na = _specific if _daemon.podman else _either(_podman_daemon, _specific)
    VERDICTS[_daemon.check_id] = judged(
        local=_daemon.needs_config, engine=not _daemon.needs_config, na=_na
    )

for _file in FILE_CHECKS:
    VERDICTS[_file.owner_check] = _file_verdict(_file, owner=True)
    VERDICTS[_file.mode_check] = _file_verdict(_file, owner=False)

# Section 5 checks judged by the container rules (issue 3), on every audited container.
CONTAINER_CHECKS = (
    "4.1", "5.4", "5.5", "5.6", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16",
    "5.17", "5.18", "5.20", "5.21", "5.22", "5.25", "5.26", "5.27", "5.29", "5.31", "5.32",
)
for _cid in CONTAINER_CHECKS:
    VERDICTS.setdefault(_cid, containers_judged())
