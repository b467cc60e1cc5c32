"""Rules of the container family (CT): written once against ``ContainerSpec``, run on compose
services, Kubernetes containers and live Docker containers as each rule's ``platforms`` say
(the table is ``docs/platforms.md``)."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.container.apparmor_unconfined import AppArmorUnconfined
from hullcheck.rules.container.capabilities_added import CapabilitiesAdded
from hullcheck.rules.container.capabilities_not_dropped import CapabilitiesNotDropped
from hullcheck.rules.container.cgroup_parent import CustomCgroupParent
from hullcheck.rules.container.cpu_limit import NoCpuLimit
from hullcheck.rules.container.database_password import WeakDatabasePassword
from hullcheck.rules.container.docker_socket import DockerSocketMounted
from hullcheck.rules.container.env_secrets import SecretInEnvironment
from hullcheck.rules.container.healthcheck import NoHealthcheck
from hullcheck.rules.container.host_devices import HostDeviceExposed
from hullcheck.rules.container.host_ipc import HostIpc
from hullcheck.rules.container.host_network import HostNetwork
from hullcheck.rules.container.host_pid import HostPid
from hullcheck.rules.container.host_userns import HostUserns
from hullcheck.rules.container.host_uts import HostUts
from hullcheck.rules.container.image_unpinned import UnpinnedImage
from hullcheck.rules.container.image_untrusted import UntrustedImage
from hullcheck.rules.container.memory_limit import NoMemoryLimit
from hullcheck.rules.container.no_new_privileges import NoNewPrivilegesUnset
from hullcheck.rules.container.pids_limit import NoPidsLimit
from hullcheck.rules.container.port_all_interfaces import PortOnAllInterfaces
from hullcheck.rules.container.privileged import Privileged
from hullcheck.rules.container.privileged_port import PrivilegedHostPort
from hullcheck.rules.container.restart_policy import UnboundedRestartPolicy
from hullcheck.rules.container.root_group import RootGroup
from hullcheck.rules.container.root_user import RunsAsRoot
from hullcheck.rules.container.seccomp_unconfined import SeccompUnconfined
from hullcheck.rules.container.selinux_disabled import SELinuxDisabled
from hullcheck.rules.container.sensitive_mount import SensitiveHostPathMounted
from hullcheck.rules.container.shared_propagation import SharedMountPropagation
from hullcheck.rules.container.writable_rootfs import WritableRootFilesystem

RULES: list[type[Rule]] = [
    Privileged,  # CT001
    CapabilitiesAdded,  # CT002
    CapabilitiesNotDropped,  # CT003
    HostNetwork,  # CT004
    HostPid,  # CT005
    HostIpc,  # CT006
    HostUts,  # CT007
    HostUserns,  # CT008
    DockerSocketMounted,  # CT009
    SensitiveHostPathMounted,  # CT010
    SeccompUnconfined,  # CT011
    AppArmorUnconfined,  # CT012
    SELinuxDisabled,  # CT013
    NoNewPrivilegesUnset,  # CT014
    RunsAsRoot,  # CT015
    WritableRootFilesystem,  # CT016
    NoMemoryLimit,  # CT017
    NoCpuLimit,  # CT018
    NoPidsLimit,  # CT019
    PrivilegedHostPort,  # CT020
    PortOnAllInterfaces,  # CT021
    HostDeviceExposed,  # CT022
    SharedMountPropagation,  # CT023
    SecretInEnvironment,  # CT024
    UnboundedRestartPolicy,  # CT025
    CustomCgroupParent,  # CT026
    UntrustedImage,  # CT027
    UnpinnedImage,  # CT028
    NoHealthcheck,  # CT029
    WeakDatabasePassword,  # CT030
    RootGroup,  # CT031
]
