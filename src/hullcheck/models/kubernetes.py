"""Kubernetes objects as read from manifests: the raw mapping plus where it came from.

Workload-level models (pods, containers as ``ContainerSpec``) and the cross-resource graph are built
on top of these by ``inputs/kubernetes.py``; this module only fixes the object identity every rule
reports (``Kind/namespace/name`` or ``Kind/name``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from hullcheck.models.lines import LineDict
from hullcheck.models.location import Location

# Kinds without a namespace. Anything else namespaced defaults to --namespace or "default".
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "StorageClass", "PriorityClass", "RuntimeClass",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService",
    "CertificateSigningRequest", "IngressClass", "VolumeAttachment", "CSIDriver", "CSINode",
    "PodSecurityPolicy", "FlowSchema", "PriorityLevelConfiguration", "ComponentStatus",
    "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "ClusterTrustBundle",
    "StorageVersionMigration", "DeviceClass", "IPAddress", "ServiceCIDR",
})


@dataclass(slots=True)
class KubeObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None  # None for cluster-scoped kinds
    data: LineDict  # the whole object, with lines
    path: str  # file (or --stdin-name) it came from
    line: int  # the object's first line
    # True when the manifest named no namespace and one was assigned (--namespace or default).
    namespace_defaulted: bool = False
    # ``models.pod.pod_of``'s answer, cached: the one Pod every rule shares (None: the object
    # runs no pod; False: not asked yet). A slot, not a dict per object: a scan holds 50,000.
    pod_cache: Any = field(default=False, repr=False, compare=False)

    @property
    def ref(self) -> str:
        """``Kind/namespace/name`` or ``Kind/name`` (the ``location.object`` contract).
        Interned: the findings of one object (dozens for a workload) share one string."""
        if self.namespace is None:
            return sys.intern(f"{self.kind}/{self.name}")
        return sys.intern(f"{self.kind}/{self.namespace}/{self.name}")

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.data.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def labels(self) -> dict[str, str]:
        labels = self.metadata.get("labels")
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict[str, str]:
        ann = self.metadata.get("annotations")
        return {str(k): str(v) for k, v in ann.items()} if isinstance(ann, dict) else {}

    @property
    def name_line(self) -> int:
        meta = self.data.get("metadata")
        if isinstance(meta, LineDict):
            return meta.line_of("name")
        return self.line

    def location(self, line: int | None = None, container: str | None = None) -> Location:
        return Location(path=self.path, line=line or self.name_line, object=self.ref,
                        container=container)
