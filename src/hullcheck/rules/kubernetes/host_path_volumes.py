from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod, dig
from hullcheck.rules.cluster.node_access import harmless_read_only, sensitive_host_path
from hullcheck.rules.kubernetes._pss import PssRule, Violation, quote


def host_path_severity(pod: Pod, volumes: list[tuple[str, str]]) -> Severity:
    """The severity of a pod's hostPath volumes ``(name, path)``, by the worst of them (issue
    24): high for a path that is node access (KNS030's list, writable or read-only alike, as
    KNS030 grades), medium for another path some container mounts writable (it writes the
    node's disk, outlives the pod, is shared with the next one), low for read-only mounts of
    paths that hand over nothing (an app's content directory, the CA bundle, /lib/modules) and
    for volumes no container mounts."""
    read_only: dict[str, bool] = {}
    for c in pod.containers:
        for _line, vm in c.volume_mounts:
            if vm.get("name") is not None:
                name = str(vm["name"])
                read_only[name] = read_only.get(name, True) and vm.get("readOnly") is True
    worst = Severity.LOW
    for name, path in volumes:
        ro = read_only.get(name)
        if ro is None:
            continue
        if sensitive_host_path(path) is not None and not (ro and harmless_read_only(path)):
            return Severity.HIGH
        if not ro:
            worst = Severity.MEDIUM
    return worst


class HostPathVolumes(PssRule):
    """
    ## What it finds
    A pod with a `hostPath` volume (Pod Security Standards baseline control `hostPathVolumes`).
    One finding per pod, at the first such volume. At `restricted`, `restrictedVolumes` (K8S013)
    replaces this control,
    unless this rule is selected without K8S013 (`--select` by id or `pss:baseline`).
    Rated by the worst path: high for a path that is node access (KNS030's list: `/`, `/etc`,
    `/var/lib/kubelet`, a runtime socket...; read-only mounts of those too), medium for another
    path a container mounts writable, low for read-only mounts of paths that hand over nothing
    (an application's content directory, the public CA certificates, `/lib/modules`) and for
    volumes no container mounts.

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
                            evidence=",".join(names),
                            severity=host_path_severity(pod, [(n, p) for _, n, p in bad]))
