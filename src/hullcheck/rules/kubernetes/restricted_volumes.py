from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod, dig
from hullcheck.rules.kubernetes._pss import PssRule, Violation, quote
from hullcheck.rules.kubernetes.host_path_volumes import host_path_severity

ALLOWED = frozenset({"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                     "persistentVolumeClaim", "projected", "secret"})
# Every other source in the core API; a volume naming none of these nor an allowed one is
# defaulted to emptyDir by the API server.
FORBIDDEN = frozenset({
    "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
    "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
    "vsphereVolume", "quobyte", "azureDisk", "portworxVolume", "photonPersistentDisk", "scaleIO",
    "storageos",
})


class RestrictedVolumes(PssRule):
    """
    ## What it finds
    A pod with a volume of a type outside the restricted set (Pod Security Standards restricted
    control `restrictedVolumes`): only `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
    `image`, `persistentVolumeClaim`, `projected` and `secret` are allowed; `hostPath`, `nfs`,
    `gitRepo`, `iscsi`, the in-tree cloud disks and the like are not. One finding per pod. This
    control replaces `hostPathVolumes` (K8S005) at `restricted`; with a hostPath volume it is
    rated by its paths as K8S005 is (high for node access), but never below this rule's medium
    default.

    ## Why it matters
    Volume types outside the set reach the node (hostPath), run code on it (gitRepo, flexVolume)
    or mount storage with the node's credentials rather than through a claim a cluster
    administrator granted.

    ## How to fix
    Use a `persistentVolumeClaim` (backed by any storage class) or one of the allowed types.

    Before:
    ```yaml
    volumes:
      - name: shared
        nfs:
          server: nfs.internal
          path: /exports/shared
    ```
    After:
    ```yaml
    volumes:
      - name: shared
        persistentVolumeClaim:
          claimName: shared
    ```

    ## References
    - Pod Security Standards, restricted, "Volume Types" (pod-security-admission
      `restrictedVolumes`)
    - CIS Kubernetes Benchmark 1.10, 5.2.12 (hostPath)
    """

    id = "K8S013"
    name = "restricted-volumes"
    title = "Volume type not allowed by the restricted standard"
    severity = Severity.MEDIUM
    control = "restrictedVolumes"
    level = "restricted"
    cis = ("5.2.12",)
    fix = "Use persistentVolumeClaim, emptyDir, configMap, secret, projected, CSI or image volumes."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        bad: list[tuple[int, str, str]] = []
        for _line, v in pod.volumes():
            present = [k for k, val in v.items() if k != "name" and val is not None]
            if any(k in ALLOWED for k in present):
                continue
            kinds = [k for k in present if k in FORBIDDEN]
            if kinds:
                bad.append((v.line_of(kinds[0]), str(v.get("name")), kinds[0]))
        if not bad:
            return
        kinds = sorted({k for _, _, k in bad})
        host_path = "hostPath" in kinds
        host_paths = [(n, str(dig(v, "hostPath", "path") or "")) for _line, v in pod.volumes()
                      if v.get("hostPath") is not None for n in [str(v.get("name"))]]
        yield Violation(bad[0][0], f"The pod uses restricted volume types {quote(kinds)} "
                        f"(volumes {quote([n for _, n, _ in bad])}).",
                        evidence=",".join(f"{n}={k}" for _, n, k in bad),
                        cis=("5.2.12",) if host_path else (),
                        # hostPath rated by its paths as K8S005; other types keep the default
                        severity=max(host_path_severity(pod, host_paths), Severity.MEDIUM)
                        if host_path else None)
