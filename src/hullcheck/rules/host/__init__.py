"""Rules of the host family: the Docker host itself (daemon, files, swarm, processes and exec
sessions of its containers) and Kubernetes node settings. Containers on the host are judged by
the container family, images on it by the image family's config and history rules.

HOST005 is retired: HOST013 to HOST028 took its place, one rule per daemon setting
(``hullcheck.deprecations``)."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.host._daemon import DaemonSettingRule
from hullcheck.rules.host.host001_docker_root_partition import DockerRootPartition
from hullcheck.rules.host.host002_docker_group import DockerGroupMembers
from hullcheck.rules.host.host003_audit_rules import DockerFileNotAudited
from hullcheck.rules.host.host004_engine_outdated import EngineOutdated
from hullcheck.rules.host.host006_file_permissions import DaemonFilePermissions
from hullcheck.rules.host.host007_swarm_enabled import SwarmModeEnabled
from hullcheck.rules.host.host008_sshd_in_container import SshdInContainer
from hullcheck.rules.host.host009_exec_privileged import ExecPrivilegedOrRoot
from hullcheck.rules.host.host010_swarm_config import SwarmInsecureConfig
from hullcheck.rules.host.host011_node_sshd import NodeSshListening
from hullcheck.rules.host.host012_kubelet_anonymous_auth import KubeletAnonymousAuth
from hullcheck.rules.host.host013_daemon_icc import DaemonIcc
from hullcheck.rules.host.host014_daemon_log_level import DaemonLogLevel
from hullcheck.rules.host.host015_daemon_iptables import DaemonIptablesOff
from hullcheck.rules.host.host016_daemon_insecure_registries import DaemonInsecureRegistries
from hullcheck.rules.host.host017_daemon_aufs import DaemonAufsStorage
from hullcheck.rules.host.host018_daemon_tcp_tls import DaemonTcpWithoutTls
from hullcheck.rules.host.host019_daemon_userns import DaemonUsernsOff
from hullcheck.rules.host.host020_daemon_cgroup_parent import DaemonCgroupParent
from hullcheck.rules.host.host021_daemon_base_device_size import DaemonBaseDeviceSize
from hullcheck.rules.host.host022_daemon_authorization import DaemonNoAuthorization
from hullcheck.rules.host.host023_daemon_remote_logging import DaemonLocalLogging
from hullcheck.rules.host.host024_daemon_no_new_privileges import DaemonNoNewPrivilegesOff
from hullcheck.rules.host.host025_daemon_live_restore import DaemonLiveRestoreOff
from hullcheck.rules.host.host026_daemon_userland_proxy import DaemonUserlandProxy
from hullcheck.rules.host.host027_daemon_seccomp import DaemonSeccompUnconfined
from hullcheck.rules.host.host028_daemon_experimental import DaemonExperimental

RULES: list[type[Rule]] = [
    DockerRootPartition,
    DockerGroupMembers,
    DockerFileNotAudited,
    EngineOutdated,
    DaemonFilePermissions,
    SwarmModeEnabled,
    SshdInContainer,
    ExecPrivilegedOrRoot,
    SwarmInsecureConfig,
    NodeSshListening,
    KubeletAnonymousAuth,
    DaemonIcc,
    DaemonLogLevel,
    DaemonIptablesOff,
    DaemonInsecureRegistries,
    DaemonAufsStorage,
    DaemonTcpWithoutTls,
    DaemonUsernsOff,
    DaemonCgroupParent,
    DaemonBaseDeviceSize,
    DaemonNoAuthorization,
    DaemonLocalLogging,
    DaemonNoNewPrivilegesOff,
    DaemonLiveRestoreOff,
    DaemonUserlandProxy,
    DaemonSeccompUnconfined,
    DaemonExperimental,
]

# The daemon-setting rules (CIS 2.2 to 2.18), which the benchmark's check table judges by.
DAEMON_RULES: tuple[type[DaemonSettingRule], ...] = tuple(
    r for r in RULES if issubclass(r, DaemonSettingRule)
)
