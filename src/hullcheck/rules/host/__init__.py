"""Rules of the host family: the Docker host itself (daemon, files, swarm, processes and exec
sessions of its containers) and Kubernetes node settings. Containers on the host are judged by
the container family, images on it by the image family's config and history rules."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.host.host001_docker_root_partition import DockerRootPartition
from hullcheck.rules.host.host002_docker_group import DockerGroupMembers
from hullcheck.rules.host.host003_audit_rules import DockerFileNotAudited
from hullcheck.rules.host.host004_engine_outdated import EngineOutdated
from hullcheck.rules.host.host005_daemon_settings import DaemonSetting
from hullcheck.rules.host.host006_file_permissions import DaemonFilePermissions
from hullcheck.rules.host.host007_swarm_enabled import SwarmModeEnabled
from hullcheck.rules.host.host008_sshd_in_container import SshdInContainer
from hullcheck.rules.host.host009_exec_privileged import ExecPrivilegedOrRoot
from hullcheck.rules.host.host010_swarm_config import SwarmInsecureConfig
from hullcheck.rules.host.host011_node_sshd import NodeSshListening
from hullcheck.rules.host.host012_kubelet_anonymous_auth import KubeletAnonymousAuth

RULES: list[type[Rule]] = [
    DockerRootPartition,
    DockerGroupMembers,
    DockerFileNotAudited,
    EngineOutdated,
    DaemonSetting,
    DaemonFilePermissions,
    SwarmModeEnabled,
    SshdInContainer,
    ExecPrivilegedOrRoot,
    SwarmInsecureConfig,
    NodeSshListening,
    KubeletAnonymousAuth,
]
