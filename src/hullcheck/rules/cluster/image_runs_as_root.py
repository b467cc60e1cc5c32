from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule
from hullcheck.rules.container._layers import runs_as_root


class ImageRunsAsRoot(ContainerRule):
    """
    ## What it finds
    With `scan --resolve-images`: a Kubernetes container that sets no `runAsUser` (neither
    itself nor its pod) and is not held to `runAsNonRoot: true`, whose image's config sets no
    user or a root one (`root`, `0`, `0:0`). It does run as root: the image decides, and
    this one says root. Where the image sets a non-root user, nothing is reported here (the
    Pod Security rule K8S015 still asks for `runAsNonRoot`, which admission checks); where
    the image could not be read, the run lists it as skipped, with the reason. A pod with
    `hostUsers: false` maps root to an unprivileged uid on the node: medium.

    ## Why it matters
    Root in a container is root on the node's kernel with only namespaces in between. A
    manifest that leaves the user to the image runs as whatever the image says, and most
    images say root.

    ## How to fix
    Set a non-root `runAsUser` and `runAsNonRoot: true` (or build the image with a non-root
    numeric `USER`).

    Before:
    ```yaml
    spec:
      containers:
        - name: web
          image: nginx:1.27
    ```
    After:
    ```yaml
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: web
          image: nginx:1.27
    ```

    ## References
    - CIS Kubernetes Benchmark 1.10, 5.2.7 "Minimize the admission of root containers"
    - docs/layers.md (`--resolve-images`)
    """

    id = "KNS050"
    name = "image-runs-as-root"
    title = "Container runs as root (its image's user)"
    severity = Severity.HIGH
    platforms = frozenset({"kubernetes"})
    k8s_refs = ("cis-k8s-1.10:5.2.7",)
    fix = "Set securityContext.runAsUser to a non-root uid and runAsNonRoot: true."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if spec.resolved_image is None or spec.run_as_user is not None \
                or spec.run_as_non_root is True:
            # runAsNonRoot with a root image: the kubelet refuses to start it, it never runs
            return
        layer = runs_as_root(spec)
        if layer is None or not layer.value:
            return
        remapped = spec.user_namespace is True
        note = " (hostUsers: false maps it to an unprivileged uid on the node)" if remapped \
            else ""
        finding = self.emit(
            spec, spec.location,
            f"Container {spec.name} sets no runAsUser and is not held to runAsNonRoot, and "
            f"{layer.described}: {layer.said}: it runs as root{note}.", "image-user=root",
            severity=Severity.MEDIUM if remapped else None)
        finding.related_locations = (layer.location,)
        yield finding


# Judged only when --resolve-images reads the image: its cases are live tests
# (tests/live/image/test_resolve_images.py), not static fixtures.
ImageRunsAsRoot.inputs = frozenset({"kubernetes", "image"})
