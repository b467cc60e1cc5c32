from __future__ import annotations

from hullcheck.findings import Severity
from hullcheck.rules.cluster._rbac import RbacRule

_CONTROLLERS = (
    ("create", "pods", ""), ("create", "replicationcontrollers", ""),
    ("create", "deployments", "apps"), ("create", "replicasets", "apps"),
    ("create", "statefulsets", "apps"), ("create", "daemonsets", "apps"),
    ("create", "jobs", "batch"), ("create", "cronjobs", "batch"),
)


class RbacCreatePods(RbacRule):
    """
    ## What it finds
    Subjects that can create pods, directly or through a workload controller (Deployment,
    ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController), with the chain
    subject <- binding -> role -> rule.

    ## Why it matters
    Whoever creates a pod chooses its service account, volumes and security context: they can
    mount any secret of the namespace, run as any service account there and, without Pod
    Security admission, take the node.

    ## How to fix
    Leave pod creation to deployment pipelines and controllers; give people read access.

    Before:
    ```yaml
    rules:
    - {apiGroups: [apps], resources: [deployments], verbs: [create, update]}
    ```
    After:
    ```yaml
    rules:
    - {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.1.4
    """

    id = "KNS019"
    name = "rbac-create-pods"
    title = "Subject can create pods"
    severity = Severity.MEDIUM
    references = ("cis-k8s-1.10:5.1.4",)
    fix = "Remove create on pods and workload controllers from roles that do not need it."
    what = "create pods"
    permissions = _CONTROLLERS
