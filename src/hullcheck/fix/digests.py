"""Digests for pinning images (DF005, CT028), resolved from the local Docker Engine, and with
``--registry-digests`` from the image's registry.

The digest written is first the one the engine recorded for the image's repository when it
pulled the image from, or pushed it to, that registry (``RepoDigests``): the manifest digest a
registry serves, so the pinned reference pulls exactly the image this machine has. Where the
engine has none (an image never pulled here), ``--registry-digests`` asks the registry for the
manifest the tag names now (one bounded manifest request, under the registry deadline) and pins
that; nothing is pulled. Otherwise the image is left for a human.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from hullcheck.fix import EditRefused

# One Engine API call (image inspect) may take this long before the pin is given up.
ENGINE_TIMEOUT = 30
# Only a well-formed sha256 digest is ever written into a file (the engine's answer is data).
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass
class EngineDigests:
    """One engine connection for a run, and one inspect per image name."""

    client: Any = None
    failed: str | None = None
    cache: dict[str, str | None] = field(default_factory=dict)
    # hullcheck.trust.registry.RegistryOptions with --registry-digests: ask the image's registry
    # what the engine does not know
    registry: Any = None
    registry_failed: dict[str, str] = field(default_factory=dict)

    def resolve(self, name: str) -> str:
        if name not in self.cache:
            digest = self._inspect(name)
            if digest is None and self.registry is not None:
                digest = self._from_registry(name)
            self.cache[name] = digest
        digest = self.cache[name]
        if digest is None:
            if name in self.registry_failed:
                raise EditRefused(self.registry_failed[name])
            hint = "" if self.registry is not None else "; or --registry-digests"
            raise EditRefused(self.failed or f"the Docker Engine has no registry digest for "
                              f"{name} (pull it, or push it, first{hint})")
        return digest

    def _from_registry(self, name: str) -> str | None:
        from hullcheck.references import InvalidReference, parse_reference
        from hullcheck.trust.registry import RegistryClient, RegistryError

        try:
            ref = parse_reference(name)
            got = RegistryClient(ref.registry, self.registry).get_manifest(
                ref.repository, ref.tag_or_latest)
        except InvalidReference:
            return None
        except RegistryError as exc:
            self.registry_failed[name] = str(exc)
            return None
        if got is None:
            self.registry_failed[name] = f"{name}: not found in its registry"
            return None
        return got[2] if _DIGEST.match(got[2]) else None

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.client = None

    def _inspect(self, name: str) -> str | None:
        if self.failed:
            return None
        try:
            import docker
            import docker.errors
        except ImportError:
            self.failed = "the docker SDK is not installed"
            return None
        try:
            if self.client is None:
                self.client = docker.APIClient(version="auto", timeout=ENGINE_TIMEOUT)
            info = self.client.inspect_image(name)
        except docker.errors.NotFound:
            return None
        except Exception as exc:  # no engine, or it failed: no pin this run
            self.failed = f"no Docker Engine answers ({str(exc).splitlines()[0][:200]})"
            return None
        from hullcheck.inputs.image.sources import _repo_digest

        found = info.get("RepoDigests") if isinstance(info, dict) else None
        digest = _repo_digest(name, [str(d) for d in found or []][:1000])
        return digest if digest is not None and _DIGEST.match(digest) else None


ENGINE = EngineDigests()


def pinned(text: str) -> str:
    """``text`` (an image reference as written) with the engine's digest appended."""
    from hullcheck.references import InvalidReference, parse_reference

    if "$" in text:
        raise EditRefused(f"{text} is built from a variable; pin it by hand")
    try:
        ref = parse_reference(text)
    except InvalidReference:
        raise EditRefused(f"{text} is not an image reference") from None
    if ref.digest:
        raise EditRefused(f"{text} is already pinned")
    return f"{text}@{ENGINE.resolve(text)}"
