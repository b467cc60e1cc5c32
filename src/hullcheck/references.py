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


class Glob:
    """A compiled glob: ``*`` matches within one path component, ``**`` across components, ``?``
    one character but ``/``.

    Globs come from config files, and a config file can come with the repository being scanned:
    a regular expression with several unbounded wildcards backtracks exponentially on a hostile
    name (``*a*a*a...b`` against ``aaaa...``). A glob with at most one star is still matched by
    ``re`` (one quantifier cannot backtrack more than the name's length); any other is matched
    by walking the set of pattern positions once per character, in time proportional to the
    name's length times the pattern's. (The earliest-match shortcut ``fnmatch`` uses is wrong
    here: ``*`` and ``**`` match different sets, so the earliest match is not always the one
    that leads to a match.)
    """

    __slots__ = ("_regex", "_tokens")

    def __init__(self, pattern: str) -> None:
        tokens: list[str] = []  # "**", "*", "?" or one literal character
        i = 0
        while i < len(pattern):
            if pattern.startswith("**", i):
                if tokens[-1:] != ["**"]:  # *** and **** mean what ** means
                    tokens.append("**")
                i += 2
            else:
                tokens.append(pattern[i])
                i += 1
        self._tokens = tuple(tokens)
        self._regex: re.Pattern[str] | None = None
        if sum(t in ("*", "**") for t in tokens) <= 1:
            self._regex = re.compile("^" + "".join(_GLOB_REGEX.get(t) or re.escape(t)
                                                   for t in tokens) + "$")

    def match(self, text: str) -> bool:
        if self._regex is not None:
            return self._regex.match(text) is not None
        tokens = self._tokens
        end = len(tokens)
        states = self._closure({0})
        for ch in text:
            step: set[int] = set()
            for i in states:
                if i == end:
                    continue
                tok = tokens[i]
                if tok == "**" or (tok == "*" and ch != "/"):
                    step.add(i)
                elif tok == ch or (tok == "?" and ch != "/"):
                    step.add(i + 1)
            if not step:
                return False
            states = self._closure(step)
        return end in states

    def _closure(self, states: set[int]) -> set[int]:
        """``states`` plus every position reached by letting a star match nothing."""
        tokens = self._tokens
        out = set(states)
        for i in sorted(states):
            while i < len(tokens) and tokens[i] in ("*", "**"):
                i += 1
                out.add(i)
        return out


_GLOB_REGEX = {"**": ".*", "*": "[^/]*", "?": "[^/]"}


@lru_cache(maxsize=1024)
def glob_to_regex(pattern: str) -> Glob:
    """The compiled glob (the name is older than the matcher: it was a regular expression)."""
    return Glob(pattern)


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
