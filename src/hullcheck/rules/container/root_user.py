from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec, Platform
from hullcheck.rules.container._base import ContainerRule
from hullcheck.rules.container._layers import runs_as_root


def is_root_user(user: str) -> bool:
    """``root``, ``0``, ``0:0``, ``root:staff``: the user part names uid 0."""
    name = user.strip().split(":", 1)[0].strip()
    return name == "root" or (name.isdigit() and int(name) == 0)


class RunsAsRoot(ContainerRule):
    """
    ## What it finds
    A container that runs as root.

    - `user: root`, `user: "0"`, `user: "0:0"`: high.
    - Compose, no `user:` (or an empty one): the container runs as the image's `USER`. Where
      the service builds its image (`build:`) from a Dockerfile in the scanned tree, that
      stage's last `USER` decides (resolved through `ARG`s and `build.args` as DF001 resolves
      it): nothing is reported for a non-root user; root is high (medium where the stage's
      ENTRYPOINT script can step down with gosu and the service keeps that ENTRYPOINT, as DF001
      says), and where DF001 reports the same final stage, DF001 reports it once on the
      Dockerfile with the service as a related location. With `--resolve-images`, the image's
      config decides the same way. Otherwise the user is unknown: reported at *low* severity
      with a message saying so, since most images (`nginx`, `postgres`, `redis`...) do run as
      root (docs/layers.md).
    - Docker host: `docker inspect` reports the effective user (the image's included), so an
      empty user is root, high.

    ## Why it matters
    Root in a container is root on the host's kernel with only namespaces in between; any
    escape, mounted host path or misconfiguration then works with full privileges.

    ## How to fix
    Run as an unprivileged uid.

    Before:
    ```yaml
    services:
      app:
        image: app:1.0
    ```
    After:
    ```yaml
    services:
      app:
        image: app:1.0
        user: "10001:10001"
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 4.1 (on Kubernetes: PSS `runAsNonRoot`, `runAsUser`)
    """

    id = "CT015"
    name = "runs-as-root"
    title = "Container runs as root"
    severity = Severity.HIGH
    linux_only = True
    docker_refs = ("cis-docker-1.6:4.1",)
    k8s_covered_by = ("pss:restricted:runAsNonRoot", "pss:restricted:runAsUser")
    fix = "Set `user:` to a non-root uid (e.g. \"10001:10001\")."
    fixes = {
        "docker": "Run it again with --user set to a non-root uid (e.g. --user 10001:10001).",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        user = (spec.user or "").strip()
        # Docker's userns-remap: root inside is an unprivileged uid on the host. Still root in
        # the container (CIS 4.1 wants a user), but an escape no longer lands as host root.
        remapped = spec.platform is Platform.DOCKER and spec.user_namespace is True
        note = "; userns-remap maps it to an unprivileged host uid" if remapped else ""
        severity = Severity.MEDIUM if remapped else None
        if user:
            if is_root_user(user):
                yield self.emit(spec, spec.loc("user"),
                                f"{spec.name}: runs as root (user: {user}){note}.", "user=root",
                                severity=severity)
            return
        if spec.platform is Platform.DOCKER:
            yield self.emit(spec, spec.loc("user"),
                            f"{spec.name}: runs as root (no user configured){note}.",
                            "user=root", severity=severity)
            return
        layer = runs_as_root(spec)
        if layer is not None and layer.value is not None:
            if not layer.value:
                return  # the Dockerfile stage it builds (or its image) sets a non-root user
            # The evidence stays "user=unset": the same finding as before, now known (a
            # baseline keeps matching it).
            step = None
            if spec.build is not None and not spec.build.entrypoint_set:
                # Imported here: that package loads every DF rule, which a Kubernetes scan
                # never needs (tests/test_fast_paths.py).
                from hullcheck.rules.dockerfile.last_user_root import step_down

                step = step_down(spec.build.stage)
            if step is None:
                finding = self.emit(
                    spec, spec.loc("user"),
                    f"{spec.name}: no `user:` is set and {layer.described} {layer.said}: the "
                    "container runs as root.", "user=unset")
            else:
                # DF001's step-down (an entrypoint script and gosu): medium, saying so.
                finding = self.emit(
                    spec, spec.loc("user"),
                    f"{spec.name}: no `user:` is set and {layer.described} {layer.said}: the "
                    f"container starts as root; the stage installs {step[0]} and its ENTRYPOINT "
                    f"runs the script {step[1]}: if that script steps down to another user with "
                    f"{step[0]}, only its setup runs as root, but a command it does not step "
                    "down for runs as root.", "user=unset", severity=Severity.MEDIUM)
            finding.related_locations = (layer.location,)
            yield finding
            return
        unknown = f" ({layer.described}: {layer.said})" if layer is not None else ""
        yield self.emit(
            spec, spec.loc("user"),
            f"{spec.name}: no `user:` is set, so the container runs as the image's USER, which "
            f"is root unless the image sets another{unknown}; set `user:` explicitly.",
            "user=unset", severity=Severity.LOW,
        )
