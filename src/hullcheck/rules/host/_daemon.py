"""What the daemon-setting rules (HOST013 to HOST028, CIS Docker Benchmark section 2) share.

Each rule judges one daemon option from what the daemon really runs with: ``docker info`` and
``docker version``, the default bridge network's options, and ``daemon.json`` merged with the
dockerd command line (read from ``/proc``, so only on a local engine). They replace HOST005,
which carried all of them under one id (see ``hullcheck.deprecations``): each finding keeps
HOST005's location and evidence, so baselines written for HOST005 keep matching.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from hullcheck.findings import Finding
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule
from hullcheck.rules.host._common import setting_location

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


class DaemonSettingRule(Rule):
    """Base of the rules that judge one daemon option (not a rule itself: no id)."""

    inputs = frozenset({"host"})
    check_id: ClassVar[str]  # the CIS check, "2.2"
    setting: ClassVar[str]  # the daemon.json key the finding names in location.setting
    # Judged from daemon.json and the dockerd command line: a local engine only.
    needs_config: ClassVar[bool] = True
    # Also meaningful on Podman's compat API (most are dockerd options).
    podman: ClassVar[bool] = False

    def judge(self, host: DockerHost) -> str | None:
        """The finding's message when the option is weak here, else None."""
        raise NotImplementedError

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if self.needs_config and not host.local:
            return
        if host.is_podman and not self.podman:
            return
        if not host.info and not self.needs_config:
            return
        message = self.judge(host)
        if message is not None:
            yield self.finding(
                setting_location(host, self.setting),
                message,
                evidence=f"{self.setting}: {message}",
            )
