from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.references import InvalidReference, parse_reference
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule, first_location


class UntrustedImage(ContainerRule):
    """
    ## What it finds
    A container image from outside the registries and repositories allowed by the `trust:`
    section of the configuration (`trust.allowed`, globs over normalised references:
    `nginx` is `docker.io/library/nginx`). Without an allow-list this rule is silent.

    ## Why it matters
    Images are code that runs with the container's privileges; pulling from arbitrary
    registries or personal Docker Hub accounts is how typosquatted and backdoored images get in.

    ## How to fix
    Use an image from an allowed registry (mirror it there), or extend the allow-list.

    Before:
    ```yaml
    image: randomuser/nginx:1.27
    ```
    After:
    ```yaml
    image: registry.example.com/mirror/nginx:1.27
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 4.2; CIS Kubernetes Benchmark 1.10, 5.5.1
    """

    id = "CT027"
    name = "untrusted-image"
    title = "Image from an untrusted registry"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:4.2",)
    k8s_refs = ("cis-k8s-1.10:5.5.1",)
    platforms = ALL_PLATFORMS
    fix = "Pull from an allowed registry (see `trust.allowed`)."

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        trust = ctx.config.trust
        if not spec.image or not trust.allowed:
            return
        try:
            ref = parse_reference(spec.image)
        except InvalidReference:
            return
        if not trust.is_allowed(ref):
            yield self.emit(spec, first_location(spec, "image"),
                            f"{spec.name}: image {spec.image} ({ref.name}) is not in the "
                            "trusted registries (trust.allowed).", f"image={ref.name}")
