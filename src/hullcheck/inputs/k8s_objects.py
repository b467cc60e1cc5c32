"""Kubernetes objects as the API server takes them, before anything judges them.

- ``served_problem``: an object of a built-in API group the API server at
  ``--kubernetes-version`` would refuse (an ``apiVersion`` that does not serve its kind, a
  workload without ``spec``, no ``metadata.name``) is an input error naming it, and is not
  judged. Custom resources (any group not in ``BUILTIN_GROUPS``) are never one: hullcheck cannot
  know their schema.
- ``last_wins``: the same kind, namespace and name twice in the objects applied together is one
  object, the last one (``kubectl apply`` of the stream keeps the last), with a warning naming
  both places. Call it on the objects of one unit (what is applied together), never across units.
"""

from __future__ import annotations

from hullcheck.models.kubernetes import KubeObject
from hullcheck.models.pod import WORKLOAD_KINDS, api_group

# Lines named one by one per call (a hostile stream can repeat one object a million times); the
# rest are counted in one closing line.
MAX_LISTED = 100

# API groups Kubernetes itself serves. An object whose group is not here is a custom resource.
BUILTIN_GROUPS = frozenset({
    "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
    "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io",
    "extensions", "flowcontrol.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "policy",
    "rbac.authorization.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
})

# kind -> {apiVersion: (first minor serving it, first minor NOT serving it or None)}, for the
# kinds hullcheck reads (a built-in kind not listed here is not checked). Removals follow the
# Kubernetes deprecated API migration guide,
# https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (v1.16, v1.22, v1.25,
# v1.26 sections); "first minor serving" is the release the version became GA (0 when older than
# any version hullcheck is asked about). Alpha versions are off by default and not listed.
Versions = dict[str, tuple[int, int | None]]
_APPS_V1B: Versions = {"apps/v1": (9, None), "apps/v1beta2": (0, 16), "extensions/v1beta1": (0, 16)}
_RBAC: Versions = {"rbac.authorization.k8s.io/v1": (8, None),
         "rbac.authorization.k8s.io/v1beta1": (0, 22)}
_WEBHOOKS: Versions = {"admissionregistration.k8s.io/v1": (16, None),
             "admissionregistration.k8s.io/v1beta1": (0, 22)}
_CORE: Versions = {"v1": (0, None)}
SERVED: dict[str, Versions] = {
    **{kind: _CORE for kind in (
        "Pod", "Service", "ConfigMap", "Secret", "ServiceAccount", "Namespace", "Node",
        "PersistentVolume", "PersistentVolumeClaim", "ReplicationController", "PodTemplate",
        "LimitRange", "ResourceQuota", "Endpoints")},
    "Deployment": {**_APPS_V1B, "apps/v1beta1": (0, 16)},
    "DaemonSet": _APPS_V1B,
    "ReplicaSet": _APPS_V1B,
    "StatefulSet": {"apps/v1": (9, None), "apps/v1beta1": (0, 16), "apps/v1beta2": (0, 16)},
    "Job": {"batch/v1": (0, None)},
    "CronJob": {"batch/v1": (21, None), "batch/v1beta1": (0, 25)},
    "NetworkPolicy": {"networking.k8s.io/v1": (7, None), "extensions/v1beta1": (0, 16)},
    "Ingress": {"networking.k8s.io/v1": (19, None), "networking.k8s.io/v1beta1": (0, 22),
                "extensions/v1beta1": (0, 22)},
    "IngressClass": {"networking.k8s.io/v1": (19, None),
                     "networking.k8s.io/v1beta1": (0, 22)},
    "PodSecurityPolicy": {"policy/v1beta1": (0, 25), "extensions/v1beta1": (0, 16)},
    "PodDisruptionBudget": {"policy/v1": (21, None), "policy/v1beta1": (0, 25)},
    "Role": _RBAC, "ClusterRole": _RBAC, "RoleBinding": _RBAC, "ClusterRoleBinding": _RBAC,
    "MutatingWebhookConfiguration": _WEBHOOKS, "ValidatingWebhookConfiguration": _WEBHOOKS,
    "CustomResourceDefinition": {"apiextensions.k8s.io/v1": (16, None),
                                 "apiextensions.k8s.io/v1beta1": (0, 22)},
    "PriorityClass": {"scheduling.k8s.io/v1": (14, None),
                      "scheduling.k8s.io/v1beta1": (0, 22)},
    "RuntimeClass": {"node.k8s.io/v1": (20, None), "node.k8s.io/v1beta1": (0, 25)},
}


def served_versions(kind: str, minor: int) -> list[str]:
    """The apiVersions serving ``kind`` at Kubernetes 1.<minor>, newest listed first."""
    return [v for v, (since, removed) in SERVED.get(kind, {}).items()
            if since <= minor and (removed is None or minor < removed)]


def served_problem(obj: KubeObject, minor: int) -> str | None:
    """Why the API server at 1.<minor> refuses ``obj``, or None (always None for custom
    resources and for built-in kinds hullcheck does not list)."""
    if api_group(obj.api_version) not in BUILTIN_GROUPS:
        return None
    versions = SERVED.get(obj.kind)
    if versions is not None and obj.api_version not in served_versions(obj.kind, minor):
        served = served_versions(obj.kind, minor)
        known = versions.get(obj.api_version)
        if known is not None and known[1] is not None and minor >= known[1]:
            why = f"removed in Kubernetes 1.{known[1]}"
        elif known is not None:
            why = f"not served before Kubernetes 1.{known[0]}"
        else:
            why = f"does not serve {obj.kind}"
        return (f"apiVersion {obj.api_version} {why}; the API server at 1.{minor} serves "
                f"{obj.kind} as {' or '.join(served) or 'nothing'}")
    if not obj.metadata.get("name") and not obj.metadata.get("generateName"):
        return "no metadata.name"
    if obj.kind in WORKLOAD_KINDS and obj.kind not in ("PodTemplate",) \
            and not isinstance(obj.data.get("spec"), dict):
        return "no spec (a workload needs one)"
    return None


def last_wins(objects: list[KubeObject], warnings: list[str]) -> list[KubeObject]:
    """The objects without the earlier copies of a (kind, namespace, name) seen again later
    (``kubectl apply`` keeps the last), each dropped copy named in a warning with its
    replacement."""
    last: dict[tuple[str, str | None, str], KubeObject] = {}
    for obj in objects:
        if obj.metadata.get("name"):
            last[(obj.kind, obj.namespace, obj.name)] = obj
    out: list[KubeObject] = []
    dropped = 0
    for obj in objects:
        winner = last.get((obj.kind, obj.namespace, obj.name), obj)
        if winner is obj or not obj.metadata.get("name"):  # generateName: a new object each time
            out.append(obj)
            continue
        dropped += 1
        if dropped <= MAX_LISTED:
            warnings.append(f"{obj.path}: line {obj.line}: {obj.ref} is defined again at "
                            f"{winner.path} line {winner.line}; the last one is taken, as "
                            "kubectl apply does")
    if dropped > MAX_LISTED:
        warnings.append(f"{dropped - MAX_LISTED} more objects are defined again later and "
                        "replaced by the last (not listed)")
    return out
