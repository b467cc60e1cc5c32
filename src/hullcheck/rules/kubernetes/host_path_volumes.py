from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod, dig
from hullcheck.rules.kubernetes._pss import PssRule, Violation, quote


class HostPathVolumes(PssRule):
    """
    ## What it finds
    A pod with a `hostPath` volume (Pod Security Standards baseline control `hostPathVolumes`).
    One finding per pod, at the first such volume. At `restricted`, `restrictedVolumes` (K8S013)
    replaces this control,
    unless this rule is selected without K8S013 (`--select` by id or `pss:baseline`).

    ## Why it matters
    A hostPath volume exposes the node's file system to the pod: `/`, `/var/run/docker.sock`,
    `/var/lib/kubelet` or `/etc` give the container control of the node and of every other pod
    on it, and even "harmless" paths leak other workloads' data.

    ## How to fix
    Use an `emptyDir`, a `persistentVolumeClaim`, a `configMap`/`secret` or a CSI volume.

    Before:
    ```yaml
    volumes:
      - name: data
        hostPath:
          path: /var/lib/app
    ```
    After:
    ```yaml
    volumes:
      - name: data
        persistentVolumeClaim:
          claimName: app-data
    ```

    ## References
    - Pod Security Standards, baseline, "HostPath Volumes" (pod-security-admission
      `hostPathVolumes`)
    - CIS Kubernetes Benchmark 1.10, 5.2.12
    """

    id = "K8S005"
    name = "host-path-volumes"
    title = "Pod mounts a hostPath volume"
    severity = Severity.HIGH
    control = "hostPathVolumes"
    level = "baseline"
    cis = ("5.2.12",)
    fix = "Replace the hostPath volume with an emptyDir, PVC, configMap, secret or CSI volume."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        bad = [(v.line_of("hostPath"), str(v.get("name")), str(dig(v, "hostPath", "path") or ""))
               for _line, v in pod.volumes() if v.get("hostPath") is not None]
        if bad:
            names = [n for _, n, _ in bad]
            yield Violation(bad[0][0], f"The pod uses hostPath volumes {quote(names)} ("
                            + ", ".join(p for _, _, p in bad) + ").",
                            evidence=",".join(names))
