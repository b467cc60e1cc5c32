"""Image references, normalised the way the Docker distribution library does it.

``nginx`` -> ``docker.io/library/nginx:latest``; ``ghcr.io/o/app@sha256:...`` keeps its digest;
``localhost:5000/x`` keeps its registry. Trust globs are matched against the normalised name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_REGISTRY = "docker.io"
_LEGACY_REGISTRIES = {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")


class InvalidReference(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ImageReference:
    registry: str
    repository: str  # path within the registry, e.g. library/nginx
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """registry/repository, without tag or digest."""
        return f"{self.registry}/{self.repository}"

    @property
    def tag_or_latest(self) -> str:
        return self.tag or "latest"

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    @property
    def familiar(self) -> str:
        """The short form people write (``nginx:1.25`` rather than docker.io/library/...)."""
        name = self.name
        if self.registry == DEFAULT_REGISTRY:
            name = self.repository
            if name.startswith("library/"):
                name = name[len("library/") :]
        if self.tag:
            name += f":{self.tag}"
        if self.digest:
            name += f"@{self.digest}"
        return name


@lru_cache(maxsize=4096)
def parse_reference(text: str) -> ImageReference:
    """Parse and normalise an image reference; raise ``InvalidReference`` on nonsense."""
    ref = text.strip()
    if not ref or any(c.isspace() for c in ref):
        raise InvalidReference(f"not an image reference: {text!r}")
    digest: str | None = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
        if not _DIGEST.match(digest):
            raise InvalidReference(f"bad digest in image reference: {text!r}")
    tag: str | None = None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
        if not _TAG.match(tag):
            raise InvalidReference(f"bad tag in image reference: {text!r}")
    parts = ref.split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, parts[1:]
    else:
        registry, path = DEFAULT_REGISTRY, parts
    if registry in _LEGACY_REGISTRIES:
        registry = DEFAULT_REGISTRY
    if registry == DEFAULT_REGISTRY and len(path) == 1:
        path = ["library", *path]
    if not path or not all(_PATH_COMPONENT.match(p) for p in path):
        raise InvalidReference(f"not an image reference: {text!r}")
    return ImageReference(registry=registry.lower(), repository="/".join(path), tag=tag,
                          digest=digest)


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """``*`` matches within one path component, ``**`` across components."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("^" + "".join(out) + "$")


def normalise_pattern(pattern: str) -> str:
    """Trust globs are written like references: ``nginx`` means docker.io/library/nginx, a
    bare registry (``ghcr.io``, ``localhost:5000``) means everything in it, and ``**`` (or
    ``**/name``) spans every registry."""
    p = pattern.strip().rstrip("/")
    if p == "**" or p.startswith("**/"):
        return p  # every registry (``**`` is also what an entry without ``images:`` means)
    head = p.split("/", 1)[0]
    is_registry = "." in head or ":" in head or head == "localhost"
    if "/" not in p:
        if is_registry:
            return f"{p.lower()}/**"
        return f"{DEFAULT_REGISTRY}/library/{p}"
    if not is_registry:
        return f"{DEFAULT_REGISTRY}/{p}"
    return p


def matches_any(ref: ImageReference, patterns: list[str]) -> bool:
    return any(glob_to_regex(normalise_pattern(p)).match(ref.name) for p in patterns)
