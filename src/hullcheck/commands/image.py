"""``hullcheck image REF|PATH ...``: audit images from the engine, a tarball, an OCI layout or a
registry, and judge them against the trust policy."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullcheck.findings import Finding, InputError, Report, Skipped

if TYPE_CHECKING:
    from hullcheck.models.image import Image
    from hullcheck.references import ImageReference
    from hullcheck.rules.base import Context, Rule


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="REF|PATH",
        help="an image reference (local engine first, then its registry), a `docker save`"
        " tarball, or an OCI layout directory (oci:DIR[:NAME] to pick one name)",
    )
    parser.add_argument(
        "--remote",
        action="store_true",
        help="read references from the registry, never the local engine",
    )
    parser.add_argument(
        "--platform",
        metavar="OS/ARCH[/VARIANT]",
        help="platform to pick from a multi-platform index (default: the host's)",
    )
    from hullcheck.cli import (
        add_keyless_arguments,
        cosign_key_argument,
        notation_identity_argument,
        trust_store_argument,
    )

    parser.add_argument(
        "--key",
        action="append",
        default=[],
        type=cosign_key_argument,
        metavar="cosign.pub",
        help="a cosign public key: signatures become required (repeatable)",
    )

    parser.add_argument(
        "--notation-root",
        action="append",
        default=[],
        type=trust_store_argument,
        metavar="FILE",
        help="a PEM CA certificate (trust store) for Notation signatures: signatures become"
        " required (repeatable)",
    )
    add_keyless_arguments(parser)
    parser.add_argument(
        "--notation-identity",
        action="append",
        default=[],
        type=notation_identity_argument,
        metavar="IDENTITY",
        help="a trusted Notation signer, 'x509.subject: C=.., ST=.., O=.., ...' or '*', for the"
        " --notation-root trust stores (repeatable)",
    )
    parser.add_argument(
        "--verify-signatures",
        action="store_true",
        help="say so (skipped, with the reason) when no key, trust store or identity applies;"
        " signatures are verified whenever one does, from these flags or the config",
    )
    parser.add_argument(
        "--insecure-registry",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="speak plain HTTP to this registry (repeatable)",
    )
    parser.add_argument(
        "--registry-ca",
        action="append",
        default=[],
        metavar="FILE",
        help="trust this CA (PEM) for registries, besides the system's and"
        " /etc/docker/certs.d/HOST:PORT/*.crt (repeatable)",
    )
    from hullcheck.cli import add_registry_timeout

    add_registry_timeout(parser)
    parser.add_argument(
        "--docker-config",
        metavar="FILE",
        help="Docker client config with registry credentials"
        " (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)",
    )
    parser.add_argument(
        "--max-layer-size",
        metavar="MiB",
        type=_positive_int,  # 0 or less would refuse every layer (or silently mean the default)
        help="refuse a layer that decompresses to more than this (default 65536)",
    )


def _positive_int(text: str) -> int:
    from hullcheck.cli import _positive_int as parse

    return parse(text)


def run(args: argparse.Namespace, ctx: Context,
        accept: Callable[[type[Rule]], bool] = lambda _rule: True) -> Report:
    """``accept``: the selection; the engine holds only the image rules it accepts, built once:
    an unselected rule never runs."""
    from hullcheck.engine import Engine
    from hullcheck.hostaudit.audit import environment_checks
    from hullcheck.inputs.image.layers import ImageError, Limits
    from hullcheck.models.environment import Environment
    from hullcheck.trust.registry import DEFAULT_DEADLINE, RegistryOptions

    report = Report()
    engine = Engine.for_kinds(("image",), ctx, accept, debug=bool(getattr(args, "debug", False)))
    limits = Limits()
    if getattr(args, "max_layer_size", None):
        limits = Limits(max_layer_bytes=args.max_layer_size << 20)
    docker_config = getattr(args, "docker_config", None)
    registry_options = RegistryOptions(
        insecure=frozenset(getattr(args, "insecure_registry", []) or []),
        docker_config=Path(docker_config) if docker_config else None,
        ca_files=tuple(Path(p) for p in getattr(args, "registry_ca", []) or []),
        deadline=getattr(args, "registry_timeout", None) or DEFAULT_DEADLINE,
    )
    from hullcheck.inputs.image.sources import SourceOptions

    opts = SourceOptions(
        remote=bool(getattr(args, "remote", False)),
        platform=getattr(args, "platform", None),
        limits=limits,
        registry=registry_options,
        docker_client=ctx.options.get("docker_client"),
    )
    extra_keys = [Path(k) for k in getattr(args, "key", []) or []]
    extra_roots = [Path(r) for r in getattr(args, "notation_root", []) or []]
    # Docker Content Trust (4.5) is a setting of the client that pulls by name: a run that
    # reads only files (`docker save` tarballs, OCI layouts) says nothing about it.
    named = False
    for target in args.targets:
        registry_options.notes.clear()  # each image's own (a failed one's never reach the next)
        try:
            found = file_target(target)
            named = named or found is None
            loaded = _load(target, found, opts)
        except ImageError as exc:
            # Errors about the archive itself start with its name, which the error line
            # already gives: said once ("X: archive decompresses ...", not "X: X: ...").
            message = str(exc)
            message = message.removeprefix(f"{target}: ")
            report.errors.append(InputError(target, message))
            continue
        for image, client in loaded:
            _judge_trust(
                image, client, ctx, (extra_keys, extra_roots), registry_options, args, report
            )
            # An image read here has its config, history and layers: every need is met.
            engine.judge_image(image, {}, report.findings, image.ref.ref)
            report.warnings.extend(image.notes)
    if named:
        env_findings: list[Finding] = []
        engine.judge_environment(Environment.current(), env_findings)
        report.checks.extend(environment_checks(env_findings, engine))
        report.findings.extend(env_findings)
    report.errors.extend(engine.crashes)
    engine.crashes = []
    return report


# A name that does not exist is still a file the user meant, not an image reference, when it
# reads as a path: these endings (any case) and these starts.
FILE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
PATH_PREFIXES = ("./", "../", "/", "~")
FILE_PREFIXES = ("oci:", "docker-archive:")


def file_target(target: str) -> tuple[Path, str | None] | None:
    """The file or directory ``target`` names (and, for ``oci:DIR:NAME``, the image name in the
    layout), or None when it is an image reference.

    An existing file or directory is a file input. A name that does not exist is "no such file"
    (an ImageError) when it has an ``oci:`` / ``docker-archive:`` prefix, ends in ``.tar``,
    ``.tar.gz`` or ``.tgz``, or starts with ``./``, ``../``, ``/`` or ``~``: asking a registry
    for ``nonexist.tar`` would only hide the typo behind a network error. Anything else is an
    image reference."""
    from hullcheck.inputs.image.layers import ImageError

    prefix = next((p for p in FILE_PREFIXES if target.startswith(p)), None)
    path_text, name = (target[len(prefix):], None) if prefix else (target, None)
    if prefix == "oci:" and ":" in path_text and not _path(path_text).exists():
        path_text, name = path_text.rsplit(":", 1)
    path = _path(path_text)
    if path.is_dir() or path.is_file():
        return path, name
    if path.exists():  # a device, a socket, a FIFO: nothing an image is read from
        raise ImageError(f"{path}: not a regular file or directory")
    suffix = next((x for x in FILE_SUFFIXES if path_text.lower().endswith(x)), None)
    start = next((x for x in PATH_PREFIXES if path_text.startswith(x)), None)
    if prefix == "oci:":
        why = "oci: names an OCI image layout directory"
    elif prefix:
        why = f"{prefix} names a docker save tarball"
    elif suffix:
        why = f"a name ending in {suffix} is a file, not an image reference"
    elif start:
        why = f"a name starting with {start} is a path, not an image reference"
    else:
        return None
    raise ImageError(f"no such file or directory ({why})")


def _path(text: str) -> Path:
    # `~` as typed inside quotes (the shell expands it only outside them)
    return Path(text).expanduser() if text.startswith("~") else Path(text)


def _load(target: str, found: tuple[Path, str | None] | None, opts: Any
          ) -> list[tuple[Image, Any]]:
    """``found``: what ``file_target`` made of ``target`` (None: an image reference)."""
    from hullcheck.inputs.image import sources
    from hullcheck.inputs.image.layers import ImageError
    from hullcheck.references import InvalidReference, parse_reference

    if found is not None:
        path, name = found
        if path.is_dir():
            if not (path / "oci-layout").is_file() and not (path / "index.json").is_file():
                raise ImageError(
                    f"{path}: a directory but not an OCI image layout (no index.json)")
            from hullcheck.trust.oci_layout import LayoutStore

            store = LayoutStore(path)  # the signatures `cosign save` keeps beside the image
            return [(i, store) for i in sources.load_oci_layout(path, name, opts)]
        return [(i, None) for i in sources.load_archive(path, opts.limits)]
    try:
        parse_reference(target)
    except InvalidReference as exc:
        raise ImageError(f"{exc} (and no such file or directory)") from None
    if not opts.remote:
        from_engine = sources.load_from_engine(target, opts)
        if from_engine:
            return [(i, None) for i in from_engine]
    image, client = sources.load_from_registry(target, opts)
    return [(image, client)]


def _judge_trust(
    image: Image,
    client: Any,
    ctx: Context,
    extra: tuple[list[Path], list[Path]],
    registry_options: Any,
    args: argparse.Namespace,
    report: Report,
) -> None:
    """``extra``: the cosign keys and Notation trust-store files given on the command line.

    What is verified is the digest of what will run: a registry image's manifest, an OCI
    layout's manifest (against the signatures stored in the layout, as ``cosign verify
    --local-image``), an engine image's repo digest for the repository named. A ``docker save``
    archive keeps no signature and an engine image built or retagged locally has no registry
    digest: when the policy requires a signature, that is a finding, never a pass."""
    from hullcheck.trust import cosign, policy

    extra_keys, extra_roots = extra
    ref = _policy_reference(image)
    trust = ctx.config.trust
    if image.requested and ref is not None:
        image.trust.extend(policy.judge_static(ref, trust))
    keys = [*trust.keys_for(ref), *extra_keys]
    roots = [*trust.roots_for(ref), *extra_roots]
    identities = [*trust.identities_for(ref), *(ctx.options.get("keyless_identities") or [])]
    predicates = trust.attestations_for(ref)
    if not keys and not roots and not identities and not predicates:
        if getattr(args, "verify_signatures", False):
            report.skipped.append(
                Skipped(
                    "IMG017",
                    f"{image.requested or image.ref.ref}: no key, trust store or keyless"
                    " identity applies to it (--key, --notation-root, --certificate-identity,"
                    " or trust.keys / trust.notation / trust.keyless in the config)",
                )
            )
        return
    scopes = policy.notation_scopes(
        trust, ref, extra_roots, getattr(args, "notation_identity", []) or []
    )
    signature_wanted = bool(keys or roots or identities)
    if image.source == "archive":
        image.trust.extend(policy.same_verdict(
            cosign.NO_SIGNATURE, f"{image.ref.ref}: a docker save archive keeps no signature"
            " (verify the image in its registry, or copy it with `cosign save`, whose OCI layout"
            " keeps its signatures)", signature=signature_wanted, predicates=predicates))
        return
    if image.source == "engine" and not image.manifest_digest:
        image.trust.extend(policy.same_verdict(
            policy.UNVERIFIABLE,
            f"{image.requested}: a local image with no registry digest for"
            f" {ref.name if ref else image.requested} (built or retagged locally, or pulled"
            " from another repository): what would run is not the registry's image under that"
            " name, so its signature says nothing about it; push it, or verify it by digest",
            signature=signature_wanted, predicates=predicates))
        return
    if ref is None and client is None:
        return  # a registry or engine name that does not parse: nothing to ask (see _load)
    image.trust.extend(
        policy.verify_image(
            ref, keys, registry_options, digest=image.manifest_digest, client=client,
            roots=roots, notation_scopes=scopes, identities=identities, predicates=predicates,
        )
    )


def _policy_reference(image: Image) -> ImageReference | None:
    """The reference the trust policy's image patterns are matched against: the one asked for
    (engine, registry), else the name the file gives the image when it is a reference
    (``docker save`` RepoTags, an OCI ``ref.name`` such as ``ghcr.io/acme/app:1``; a bare tag
    like ``1.0`` names no repository), else None (the command line's keys and the config
    entries meant for every image apply)."""
    from hullcheck.references import InvalidReference, parse_reference

    name = image.requested or image.named
    if not name or (not image.requested and ":" not in name and "/" not in name):
        return None
    try:
        return parse_reference(name)
    except InvalidReference:
        return None
