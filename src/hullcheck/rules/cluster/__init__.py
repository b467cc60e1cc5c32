"""Rules of the cluster family (KNS): judged over every object of a scan at once.

Every rule here implements ``check_objects`` and reads the scan's ``ObjectGraph``
(``hullcheck.models.graph.graph_for``), built once and shared.
"""

from __future__ import annotations

from hullcheck.rules.base import Rule
from hullcheck.rules.cluster.configmap_secrets import SecretInConfigMap
from hullcheck.rules.cluster.container_resources import ContainerResources
from hullcheck.rules.cluster.default_namespace import DefaultNamespace
from hullcheck.rules.cluster.default_service_account import DefaultServiceAccount
from hullcheck.rules.cluster.image_runs_as_root import ImageRunsAsRoot
from hullcheck.rules.cluster.ingress_missing_service import IngressMissingService
from hullcheck.rules.cluster.ingress_tls import IngressTls
from hullcheck.rules.cluster.ingress_wildcard_host import IngressWildcardHost
from hullcheck.rules.cluster.kubelet_anonymous_auth import KubeletAnonymousAuth
from hullcheck.rules.cluster.kubelet_authorization_mode import KubeletAuthorizationMode
from hullcheck.rules.cluster.kubelet_client_ca import KubeletClientCa
from hullcheck.rules.cluster.kubelet_event_qps import KubeletEventQps
from hullcheck.rules.cluster.kubelet_iptables_chains import KubeletIptablesChains
from hullcheck.rules.cluster.kubelet_pod_pids_limit import KubeletPodPidsLimit
from hullcheck.rules.cluster.kubelet_read_only_port import KubeletReadOnlyPort
from hullcheck.rules.cluster.kubelet_rotate_certificates import KubeletRotateCertificates
from hullcheck.rules.cluster.kubelet_rotate_server_certificate import KubeletRotateServerCertificate
from hullcheck.rules.cluster.kubelet_streaming_timeout import KubeletStreamingTimeout
from hullcheck.rules.cluster.kubelet_tls_cert import KubeletTlsCert
from hullcheck.rules.cluster.kubelet_tls_ciphers import KubeletTlsCiphers
from hullcheck.rules.cluster.namespace_pss_label import NamespacePssLabel
from hullcheck.rules.cluster.namespace_quota import NamespaceQuota
from hullcheck.rules.cluster.network_default_deny_egress import NetworkDefaultDenyEgress
from hullcheck.rules.cluster.network_default_deny_ingress import NetworkDefaultDenyIngress
from hullcheck.rules.cluster.network_policy_missing import NetworkPolicyMissing
from hullcheck.rules.cluster.network_policy_open import NetworkPolicyOpen
from hullcheck.rules.cluster.network_policy_selects_nothing import NetworkPolicySelectsNothing
from hullcheck.rules.cluster.node_access import NodeAccess
from hullcheck.rules.cluster.pod_without_network_policy import PodWithoutNetworkPolicy
from hullcheck.rules.cluster.rbac_broad_group import RbacBroadGroup
from hullcheck.rules.cluster.rbac_cluster_admin import RbacClusterAdmin
from hullcheck.rules.cluster.rbac_create_pods import RbacCreatePods
from hullcheck.rules.cluster.rbac_csr_approval import RbacCsrApproval
from hullcheck.rules.cluster.rbac_escalate import RbacEscalate
from hullcheck.rules.cluster.rbac_exec import RbacExec
from hullcheck.rules.cluster.rbac_nodes_proxy import RbacNodesProxy
from hullcheck.rules.cluster.rbac_persistent_volumes import RbacPersistentVolumes
from hullcheck.rules.cluster.rbac_secrets import RbacSecrets
from hullcheck.rules.cluster.rbac_system_masters import RbacSystemMasters
from hullcheck.rules.cluster.rbac_token_create import RbacTokenCreate
from hullcheck.rules.cluster.rbac_webhooks import RbacWebhooks
from hullcheck.rules.cluster.rbac_wildcard import RbacWildcard
from hullcheck.rules.cluster.service_account_token import ServiceAccountToken
from hullcheck.rules.cluster.service_exposed import ServiceExposed
from hullcheck.rules.cluster.service_external_ips import ServiceExternalIps
from hullcheck.rules.cluster.ssh_exposed import SshExposed

RULES: list[type[Rule]] = [
    DefaultNamespace,  # KNS001
    NamespaceQuota,  # KNS002
    ContainerResources,  # KNS003
    NamespacePssLabel,  # KNS004
    NetworkPolicyMissing,  # KNS005
    NetworkDefaultDenyIngress,  # KNS006
    NetworkDefaultDenyEgress,  # KNS007
    PodWithoutNetworkPolicy,  # KNS008
    NetworkPolicyOpen,  # KNS009
    NetworkPolicySelectsNothing,  # KNS010
    IngressTls,  # KNS011
    IngressWildcardHost,  # KNS012
    IngressMissingService,  # KNS013
    ServiceExposed,  # KNS014
    ServiceExternalIps,  # KNS015
    RbacClusterAdmin,  # KNS016
    RbacSecrets,  # KNS017
    RbacWildcard,  # KNS018
    RbacCreatePods,  # KNS019
    RbacExec,  # KNS020
    DefaultServiceAccount,  # KNS021
    ServiceAccountToken,  # KNS022
    RbacSystemMasters,  # KNS023
    RbacEscalate,  # KNS024
    RbacPersistentVolumes,  # KNS025
    RbacNodesProxy,  # KNS026
    RbacCsrApproval,  # KNS027
    RbacWebhooks,  # KNS028
    RbacTokenCreate,  # KNS029
    NodeAccess,  # KNS030
    KubeletAnonymousAuth,  # KNS031
    KubeletAuthorizationMode,  # KNS032
    KubeletClientCa,  # KNS033
    KubeletReadOnlyPort,  # KNS034
    KubeletStreamingTimeout,  # KNS035
    KubeletIptablesChains,  # KNS036
    KubeletEventQps,  # KNS037
    KubeletTlsCert,  # KNS038
    KubeletRotateCertificates,  # KNS039
    KubeletRotateServerCertificate,  # KNS040
    KubeletTlsCiphers,  # KNS041
    KubeletPodPidsLimit,  # KNS042
    RbacBroadGroup,  # KNS043
    SshExposed,  # KNS044
    SecretInConfigMap,  # KNS045
    ImageRunsAsRoot,  # KNS050
]
