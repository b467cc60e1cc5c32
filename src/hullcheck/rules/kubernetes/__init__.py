"""Rules of the Kubernetes workload family (K8S): the Pod Security Standards, one rule per
pod-security-admission control (K8S001-K8S012 baseline, K8S013-K8S019 restricted), then
workload rules that are no Pod Security control (K8S020)."""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.kubernetes.allow_privilege_escalation import AllowPrivilegeEscalation
from hullcheck.rules.kubernetes.apparmor_profile import AppArmorProfile
from hullcheck.rules.kubernetes.capabilities_baseline import CapabilitiesBaseline
from hullcheck.rules.kubernetes.capabilities_restricted import CapabilitiesRestricted
from hullcheck.rules.kubernetes.host_namespaces import HostNamespaces
from hullcheck.rules.kubernetes.host_path_volumes import HostPathVolumes
from hullcheck.rules.kubernetes.host_ports import HostPorts
from hullcheck.rules.kubernetes.host_probes import HostProbesAndHostLifecycle
from hullcheck.rules.kubernetes.privileged import Privileged
from hullcheck.rules.kubernetes.proc_mount import ProcMount
from hullcheck.rules.kubernetes.proc_mount_restricted import ProcMountRestricted
from hullcheck.rules.kubernetes.restricted_volumes import RestrictedVolumes
from hullcheck.rules.kubernetes.run_as_non_root import RunAsNonRoot
from hullcheck.rules.kubernetes.run_as_user import RunAsUser
from hullcheck.rules.kubernetes.seccomp_profile_baseline import SeccompProfileBaseline
from hullcheck.rules.kubernetes.seccomp_profile_restricted import SeccompProfileRestricted
from hullcheck.rules.kubernetes.secret_env import SecretInEnv
from hullcheck.rules.kubernetes.selinux_options import SeLinuxOptions
from hullcheck.rules.kubernetes.sysctls import Sysctls
from hullcheck.rules.kubernetes.windows_host_process import WindowsHostProcess

RULES: list[type[Rule]] = [
    WindowsHostProcess,  # K8S001
    HostNamespaces,  # K8S002
    Privileged,  # K8S003
    CapabilitiesBaseline,  # K8S004
    HostPathVolumes,  # K8S005
    HostPorts,  # K8S006
    AppArmorProfile,  # K8S007
    SeLinuxOptions,  # K8S008
    ProcMount,  # K8S009
    SeccompProfileBaseline,  # K8S010
    Sysctls,  # K8S011
    HostProbesAndHostLifecycle,  # K8S012
    RestrictedVolumes,  # K8S013
    AllowPrivilegeEscalation,  # K8S014
    RunAsNonRoot,  # K8S015
    RunAsUser,  # K8S016
    SeccompProfileRestricted,  # K8S017
    CapabilitiesRestricted,  # K8S018
    ProcMountRestricted,  # K8S019
    SecretInEnv,  # K8S020
]
