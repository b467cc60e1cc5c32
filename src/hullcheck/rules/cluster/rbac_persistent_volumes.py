from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule


class RbacPersistentVolumes(RbacRule):
    """
    ## What it finds
    Subjects that can create PersistentVolumes, with the chain subject <- binding -> role ->
    rule.

    ## Why it matters
    A PersistentVolume can be a `hostPath` volume: creating one and claiming it mounts any
    directory of a node into a pod, bypassing admission rules that forbid hostPath in pods.

    ## How to fix
    Let a storage provisioner create volumes; users create PersistentVolumeClaims.

    Before:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [persistentvolumes], verbs: [create]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [""], resources: [persistentvolumeclaims], verbs: [create]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.9
    """

    id = "KNS025"
    name = "rbac-create-persistent-volumes"
    title = "Subject can create persistent volumes"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:5.1.9",)
    fix = "Remove create on persistentvolumes; grant persistentvolumeclaims instead."
    what = "create persistent volumes"
    permissions = (("create", "persistentvolumes", ""),)
