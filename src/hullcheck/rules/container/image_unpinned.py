from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.fix import Fix
from hullcheck.models.container import ContainerSpec
from hullcheck.references import InvalidReference, parse_reference
from hullcheck.rules.container._base import ALL_PLATFORMS, ContainerRule, first_location


class UnpinnedImage(ContainerRule):
    """
    ## What it finds
    A container image that is not pinned: no tag (`image: nginx`, meaning `latest`), the
    `latest` tag, or, when the configuration sets `trust.require-digest: true`, no digest.
    A digest (`nginx@sha256:...`) always counts as pinned.

    ## Why it matters
    A moving reference runs whatever the registry serves at pull time: deployments stop being
    reproducible and a compromised or broken upstream push is deployed unreviewed.

    ## How to fix
    Pin a version tag, better a digest.

    Before:
    ```yaml
    image: redis
    ```
    After:
    ```yaml
    image: redis:7.4@sha256:...
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 4.2. Not tagged CIS Kubernetes Benchmark 1.10, 5.5.1: that
      item asks for an image provenance policy (signatures, ImagePolicyWebhook); a tag instead
      of a digest says nothing about where the image came from (CT027 carries 5.5.1)
    """

    id = "CT028"
    autofixes = (
        Fix("compose", "append the digest the local Docker Engine recorded for the image to "
            "the service's image:", "hullcheck.fix.compose:pin_image",
            assumes="the engine's copy of the image (pulled from or pushed to its registry) is "
                    "the one to run; images named by a variable are left alone"),
        Fix("kubernetes", "append the digest the local Docker Engine recorded for the image to "
            "the container's image:", "hullcheck.fix.kubernetes:pin_image",
            assumes="the engine's copy of the image (pulled from or pushed to its registry) is "
                    "the one the cluster should run"),
    )
    name = "unpinned-image"
    title = "Image is not pinned"
    severity = Severity.MEDIUM
    docker_refs = ("cis-docker-1.6:4.2",)
    # Not cis-k8s-1.10:5.5.1 (image provenance policy): pinning is not provenance.
    k8s_refs = ()
    platforms = ALL_PLATFORMS
    fix = "Pin the image to a version tag and a digest."
    fixes = {
        "compose": "Pin `image:` to a version tag and a digest.",
        "docker": "Run it from an image reference pinned to a version tag and a digest.",
        "kubernetes": "Pin the container's image: to a version tag and a digest.",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        if not spec.image:
            return
        try:
            ref = parse_reference(spec.image)
        except InvalidReference:
            return
        if ref.digest:
            return
        location = first_location(spec, "image")
        if ref.tag is None:
            yield self.emit(spec, location,
                            f"{spec.name}: image {spec.image} has no tag, so it is whatever "
                            "'latest' is at pull time.", f"image={ref.name}:")
        elif ref.tag == "latest":
            yield self.emit(spec, location,
                            f"{spec.name}: image {spec.image} uses the moving 'latest' tag.",
                            f"image={ref.name}:latest")
        elif ctx.config.trust.require_digest:
            yield self.emit(spec, location,
                            f"{spec.name}: image {spec.image} is not pinned by digest "
                            "(trust.require-digest).", f"image={ref}")
