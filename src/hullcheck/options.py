"""What a run's rules and inputs may read from the command line: a typed ``RunOptions`` built once
by the CLI (not the argparse namespace), carried on ``Context.options``.

Only settings some families read live here (the Kubernetes version, the trust flags...); the
output and selection flags stay with the CLI, and each command's own flags with the command.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class RunOptions:
    command: str = "scan"
    debug: bool = False
    # scan
    jobs: int | None = None
    namespace: str | None = None
    kubernetes_version: str = "latest"
    pss_level: str = "restricted"
    unit: str = "dir"  # Kubernetes deployable units: dir, file or tree
    # Helm charts: helm template --values, --set, and the release name
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()
    helm_release: str = "release-name"
    # image trust (scan --verify-signatures, image)
    verify_signatures: bool = False
    key: tuple[str, ...] = ()
    notation_root: tuple[Any, ...] = ()  # trust-store files (Path), checked by argparse
    notation_identity: tuple[Any, ...] = ()
    insecure_registry: tuple[str, ...] = ()
    registry_ca: tuple[str, ...] = ()
    registry_timeout: float | None = None
    # the keyless identity the four --certificate-* flags make (trust.keyless_policy)
    keyless_identities: tuple[Any, ...] = ()
    # an engine client to use instead of connecting (tests)
    docker_client: Any = field(default=None, compare=False)
    # --resolve-images: None, "config" (user, health check, ports, labels) or "deep" (and the
    # image's IMG findings); docs/layers.md
    resolve_images: str | None = None
    # What one run keeps between its input batches (the image resolver and its cache per
    # digest, hullcheck.inputs.image.resolve): compose files and manifests share it.
    run_cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace, **extra: Any) -> RunOptions:
        """The fields the command line of ``args.command`` gives (a command lacks some: their
        defaults), then ``extra``."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if not hasattr(args, f.name):
                continue
            value = getattr(args, f.name)
            values[f.name] = tuple(value) if isinstance(value, list) else value
        values.update(extra)
        return cls(**values)

    def get(self, name: str, default: Any = None) -> Any:
        """``options.get("pss_level")``, as rules and inputs read a setting by name."""
        return getattr(self, name, default)
