"""``scan --resolve-images[=deep]``: the images compose services and Kubernetes containers run,
read so that their config decides what the files leave unsaid (docs/layers.md).

Each reference is read from the local Docker Engine first (``docker inspect``: the config alone,
nothing is pulled), else from its registry (the manifest, through an index for this host's
platform, and the config blob: no layer), with the registry settings and credentials of
``scan --verify-signatures`` (``RegistryOptions.for_run``). With ``deep`` the whole image is
read as ``hullcheck image`` reads it (layers as streams, bounded by ``Limits``) and judged by
the image rules, its findings attributed to the containers that run it.

An image that cannot be read (no engine has it, the registry does not answer, refuses, times
out, or the reference does not parse) is a skip with the reason, never a guess. Results are
cached per reference and per digest within a run (two tags of one image are read once). The
number of distinct references read and the time spent on all of them are bounded
(``MAX_RESOLVED_IMAGES``, ``RESOLVE_BUDGET_SECONDS``): past either, the rest are skips.
Without ``--resolve-images`` nothing here runs and no engine or registry is contacted.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hullcheck.findings import Location, Skipped
from hullcheck.models.image import ImageConfig, ImageRef
from hullcheck.models.layers import BuildStage, ResolvedImage, RunImage

if TYPE_CHECKING:
    from hullcheck.inputs import Loaded
    from hullcheck.models.container import ContainerSpec
    from hullcheck.models.image import Image
    from hullcheck.options import RunOptions

# Distinct image references one run reads: a repository naming more is generated or hostile,
# and each may cost a registry round trip (deep: a pull).
MAX_RESOLVED_IMAGES = 64
# Seconds all the reading of one run may take in total (each registry image is also bounded by
# --registry-timeout): past it, the remaining images are skipped, with that reason.
RESOLVE_BUDGET_SECONDS = 600.0
# The skip's ``rule`` field: a skip of the image, not of one rule (JSON ``skipped``).
SKIP_RULE = "resolve-images"
_CACHE_KEY = "image-resolver"


@dataclass
class Resolution:
    """What reading one reference gave: the config (and, deep, the whole image), or why not."""

    image: ResolvedImage | None = None
    full: Image | None = None
    skip: str | None = None


@dataclass
class Resolver:
    """One run's reader of referenced images, with its caches and bounds."""

    options: RunOptions
    clock: Callable[[], float] = time.monotonic
    by_ref: dict[str, Resolution] = field(default_factory=dict)
    by_digest: dict[str, Resolution] = field(default_factory=dict)
    started: float | None = None
    # One of each per run: the registry settings (a credential helper runs once per host), the
    # engine client, or why there is no engine (not asked again for every image).
    _registry: Any = None
    _docker_client: Any = None
    _no_engine: str | None = None

    @property
    def deep(self) -> bool:
        return self.options.get("resolve_images") == "deep"

    def resolve(self, ref: str) -> Resolution:
        if ref in self.by_ref:
            return self.by_ref[ref]
        if self.started is None:
            self.started = self.clock()
        spent = self.clock() - self.started
        if len(self.by_ref) >= MAX_RESOLVED_IMAGES:
            found = Resolution(skip=f"more than {MAX_RESOLVED_IMAGES} images in one run: not "
                                    "read")
        elif spent >= RESOLVE_BUDGET_SECONDS:
            found = Resolution(skip=f"the {RESOLVE_BUDGET_SECONDS:.0f} s given to reading "
                                    "images is spent: not read")
        else:
            found = self._read(ref, RESOLVE_BUDGET_SECONDS - spent)
        self.by_ref[ref] = found
        return found

    # --- reading ----------------------------------------------------------------------------

    def _read(self, ref: str, remaining: float) -> Resolution:
        from hullcheck.inputs.image.layers import ImageError, Limits
        from hullcheck.inputs.image.sources import SourceOptions
        from hullcheck.references import InvalidReference, parse_reference
        from hullcheck.trust.registry import RegistryOptions

        try:
            parse_reference(ref)
        except InvalidReference as exc:
            return Resolution(skip=f"not an image reference ({exc})")
        if self._registry is None:
            self._registry = RegistryOptions.for_run(self.options)
            self._docker_client = self.options.get("docker_client")
        # (a copy sharing the credentials already resolved, with what is left of the budget)
        registry = dataclasses.replace(self._registry,
                                       deadline=min(self._registry.deadline, remaining))
        opts = SourceOptions(limits=Limits(), registry=registry, docker_client=self._docker_client)
        why: str | None = self._no_engine  # why the engine could not say (then the registry)
        try:
            found = None
            if why is None:
                found, why = self._from_engine(ref, opts)
                self._docker_client = opts.docker_client
            if found is None:
                found = self._from_registry(ref, opts)
        except ImageError as exc:
            engine = f"{why}; " if why else ""
            return Resolution(skip=f"{engine}{exc}")
        except Exception as exc:  # hostile answers must not end the scan: a skip, never a guess
            if self.options.get("debug"):
                raise
            return Resolution(skip=f"cannot be read ({type(exc).__name__}: {exc})")
        return found

    def _cached(self, ref: str, digest: str, read: Callable[[], Resolution]) -> Resolution:
        """What ``digest`` holds, read once per run; named ``ref`` (each name its own)."""
        if digest not in self.by_digest:
            self.by_digest[digest] = read()
        found = self.by_digest[digest]
        if found.image is None or found.image.ref.ref == ref:
            return found
        named = ImageRef(ref, found.image.ref.digest)
        full = found.full
        if full is not None:  # a shallow copy: the files and layers are shared
            full = dataclasses.replace(full, ref=named, requested=ref)
        return Resolution(dataclasses.replace(found.image, ref=named), full)

    def _from_engine(self, ref: str, opts: Any) -> tuple[Resolution | None, str | None]:
        """The engine's image, or (None, why not) to go on to the registry."""
        import docker.errors

        from hullcheck.inputs.image.layers import ImageError
        from hullcheck.inputs.image.sources import _repo_digest, engine_client, load_from_engine

        try:
            client = engine_client(opts)
        except ImageError as exc:
            self._no_engine = str(exc)
            return None, self._no_engine
        try:
            info = client.inspect_image(ref)
        except docker.errors.NotFound:
            return None, "not in the Docker Engine"
        except Exception as exc:
            return None, f"Docker Engine: {str(exc).splitlines()[0] if str(exc) else exc!r}"
        if not isinstance(info, dict):
            return None, "Docker Engine: unexpected answer"
        digest = _repo_digest(ref, [str(d) for d in info.get("RepoDigests") or []]) \
            or str(info.get("Id") or "")

        def read() -> Resolution:
            full = None
            if self.deep:
                images = load_from_engine(ref, opts) or []
                full = images[0] if images else None
            image = ResolvedImage(ImageRef(ref, digest or None), ImageConfig.from_json(info),
                                  "engine")
            return Resolution(image=image, full=full)

        return self._cached(ref, digest or ref, read), None

    def _from_registry(self, ref: str, opts: Any) -> Resolution:
        from hullcheck.inputs.image.layers import ImageError
        from hullcheck.inputs.image.sources import (
            load_from_registry,
            open_registry_image,
            read_registry_config,
        )
        from hullcheck.trust.registry import RegistryError

        client, repository, doc, digest, _notes = open_registry_image(ref, opts)

        def read() -> Resolution:
            try:
                config = read_registry_config(client, repository, doc, ref, opts)
            except RegistryError as exc:
                raise ImageError(str(exc)) from None
            if not isinstance(config, dict):
                raise ImageError(f"{ref}: image config is not a JSON object")
            full = None
            if self.deep:  # pulled by the digest whose config was read: the same image
                name = ref if "@" in ref else f"{ref}@{digest}"
                full = load_from_registry(name, opts)[0]
                full.ref = ImageRef(ref, digest)
                full.requested = ref
            image = ResolvedImage(ImageRef(ref, digest), ImageConfig.from_json(config),
                                  "registry")
            return Resolution(image=image, full=full)

        return self._cached(ref, digest, read)


def resolver_for(options: RunOptions) -> Resolver | None:
    """The run's resolver, made on first use; None without ``--resolve-images``."""
    if not options.get("resolve_images"):
        return None
    cache: dict[str, Any] = options.run_cache
    if _CACHE_KEY not in cache:
        cache[_CACHE_KEY] = Resolver(options)
    resolver: Resolver = cache[_CACHE_KEY]
    return resolver


def attach_images(specs: Iterable[ContainerSpec], options: RunOptions, loaded: Loaded) -> None:
    """Read the image of every container (for a compose service judged with the Dockerfile
    stage it builds, the stage's base image) and attach its config; an image that cannot be
    read becomes one skip. With deep, each image read is handed to the engine once
    (``loaded.models``), with every container of this batch that runs it."""
    resolver = resolver_for(options)
    if resolver is None:
        return
    skipped: set[str] = set()
    runs: dict[str, RunImage] = {}
    for spec in specs:
        # A service that builds runs its Dockerfile stage: what the stage leaves unsaid (no
        # USER, no HEALTHCHECK) its base image decides; only that one is read.
        ref = base_image(spec.build) if spec.build is not None else spec.image
        if not ref:
            continue
        found = resolver.resolve(ref)
        if found.image is None:
            if ref not in skipped:
                skipped.add(ref)
                where = f"{spec.location.path}:{spec.location.line}" if spec.location.line \
                    else spec.location.path or spec.name
                loaded.skipped.append(Skipped(
                    SKIP_RULE, f"{ref} ({where}): {found.skip}; what its config would "
                               "decide stays unknown"))
            continue
        spec.resolved_image = found.image
        if found.full is not None and spec.build is None:
            key = found.full.ref.digest or found.full.ref.ref
            runs.setdefault(key, RunImage(found.full, [])).runners.append(_runner(spec))
    loaded.models.extend(runs.values())


def base_image(build: BuildStage) -> str | None:
    """The image the stage is built FROM at the root of its ``FROM <stage>`` chain, as written
    with the global ARG defaults; None for ``scratch`` or an image only a build argument names."""
    stage = build.stage
    seen = 0
    while stage.base_stage is not None and seen < len(build.dockerfile.stages):
        stage, seen = stage.base_stage, seen + 1
    if stage.base_stage is not None or stage.is_scratch or not stage.base_resolved:
        return None
    return stage.base_resolved


def _runner(spec: ContainerSpec) -> Location:
    """Where the container that runs an image is: the service key or the container's
    ``name:`` line, where the container rules report what its image leaves unsaid."""
    return spec.location
