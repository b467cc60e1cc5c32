"""The registry of input kinds ``hullcheck scan`` understands.

An input kind says which files are its own (by name, or by content for YAML and stdin) and LOADS a
batch of sources into models (plus the suppressions, errors and warnings found on the way); the
engine judges the models (``hullcheck.engine``). Inputs never call the engine. Kinds load per
batch rather than per file because some need every file at once: compose merges ``-f base -f
override``, Kubernetes builds the whole object graph.

Modules are imported lazily (``module`` is a dotted path) so start-up never pays for parsers it
does not use.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hullcheck.findings import InputError, Skipped, SkippedPath
    from hullcheck.options import RunOptions
    from hullcheck.sources import Source
    from hullcheck.suppress import Suppression


@dataclass
class Loaded:
    """What an input kind made of a batch of sources: the models to judge, in order, and what
    it found on the way (inline suppressions, input errors, warnings, typed skips)."""

    models: list[Any] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Inputs not judged, with the reason (a chart helm could not render, a compose file in the
    # v1 format): JSON ``skipped``.
    skipped_paths: list[SkippedPath] = field(default_factory=list)


class Loader(Protocol):
    def __call__(self, sources: list[Source], options: RunOptions) -> Loaded: ...


@dataclass(frozen=True)
class InputKind:
    name: str
    # True when a file name alone makes a file this kind's (Dockerfile, compose.yaml).
    claims_name: Callable[[str], bool]
    # True when the content makes it this kind's (YAML with ``services:``, ``apiVersion``+``kind``).
    # Called only for candidate files (YAML/JSON endings, stdin); must be cheap and never raise.
    sniff: Callable[[Source], bool]
    # "package.module:function" implementing Loader, imported on first use.
    loader: str
    # True when every source loads and is judged alone (nothing shared between files), so the
    # engine may split a large batch over the CPUs (``hullcheck.parallel``).
    independent: bool = False
    # What one file of this kind is called in messages ("compose file"); default: the name.
    noun: str = ""

    def load(self, sources: list[Source], options: RunOptions) -> Loaded:
        module_name, _, func = self.loader.partition(":")
        fn: Loader = getattr(importlib.import_module(module_name), func)
        return fn(sources, options)


# `Dockerfile.<suffix>` names a Dockerfile variant (`Dockerfile.dev`, `Dockerfile.alpine`,
# `Dockerfile.test`), except where the suffix says the file is something else: code about
# Dockerfiles (`dockerfile.py`, `dockerfile.go`), its documentation, a template that renders one
# (`Dockerfile.j2`), data, a backup. Those are not claimed by name in a walked tree (a Python
# module must not fail a scan as a broken Dockerfile); named on the command line, any file is
# still judged by its content.
_NOT_DOCKERFILE_SUFFIXES = frozenset({
    "py", "pyc", "pyi", "go", "rs", "js", "mjs", "cjs", "ts", "tsx", "jsx", "java", "kt", "rb",
    "php", "c", "h", "cc", "cpp", "hpp", "cs", "swift", "scala", "sh", "bash", "zsh", "ps1", "pl",
    "lua", "md", "markdown", "rst", "txt", "adoc", "html", "htm", "css", "json", "yaml", "yml",
    "toml", "ini", "cfg", "xml", "lock", "j2", "jinja", "jinja2", "tmpl", "tpl", "template",
    "erb", "mustache", "hbs", "ejs", "njk", "gotmpl", "orig", "rej", "bak", "swp", "patch",
    "diff", "log", "svg", "png", "jpg", "gif", "pdf", "zip", "gz", "tgz", "tar", "golden",
})


def _is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    if lower in ("dockerfile", "containerfile") or lower.endswith((".dockerfile",
                                                                   ".containerfile")):
        return True
    if lower.startswith(("dockerfile.", "containerfile.")):
        return lower.rsplit(".", 1)[-1] not in _NOT_DOCKERFILE_SUFFIXES
    return False


# Every Dockerfile has a FROM line (``looks_like_dockerfile`` requires one): without it, a YAML
# file is answered here, without importing the Dockerfile input and its shell parser.
_FROM_LINE = re.compile(r"^\s*FROM\s", re.IGNORECASE | re.MULTILINE)


def _sniff_dockerfile(source: Source) -> bool:
    if _FROM_LINE.search(source.text) is None:
        return False
    from hullcheck.inputs.dockerfile import looks_like_dockerfile

    return looks_like_dockerfile(source.text)


def _is_compose_name(name: str) -> bool:
    # Every compose file name has "compose" in it: other names are answered without importing
    # the compose input (a Kubernetes scan never needs it).
    if "compose" not in name.lower():
        return False
    from hullcheck.inputs.compose import is_compose_name

    return is_compose_name(name)


def _sniff_compose(source: Source) -> bool:
    # A compose file has a ``services`` key; without the word, no need to import the input.
    if "services" not in source.text:
        return False
    from hullcheck.inputs.compose import sniff

    return sniff(source)


def _is_kustomization_name(name: str) -> bool:
    # What a kustomization includes is one deployable unit: the loader reads the file itself
    # (hullcheck.inputs.k8s_units), whether or not it carries apiVersion and kind. A Helm
    # chart's Chart.yaml stands for its chart (hullcheck.inputs.helm).
    return name in ("kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml")


def _sniff_kubernetes(source: Source) -> bool:
    from hullcheck.inputs.kubernetes import sniff

    return sniff(source)


@cache
def input_kinds() -> tuple[InputKind, ...]:
    """Order matters for content sniffing: the first kind that claims a source gets it."""
    return (
        InputKind(
            name="dockerfile",
            noun="Dockerfile",
            claims_name=_is_dockerfile_name,
            sniff=_sniff_dockerfile,
            loader="hullcheck.inputs.dockerfile:load",
            independent=True,
        ),
        InputKind(
            name="compose",
            noun="compose file",
            claims_name=_is_compose_name,
            sniff=_sniff_compose,
            loader="hullcheck.inputs.compose:load",
        ),
        InputKind(
            name="kubernetes",
            noun="Kubernetes manifest",
            claims_name=_is_kustomization_name,
            sniff=_sniff_kubernetes,
            loader="hullcheck.inputs.kubernetes:load",
        ),
    )


def not_recognised(kinds: tuple[InputKind, ...]) -> str:
    """The error for a file named on the command line (or stdin) that no kind claims: "not a
    Dockerfile, compose file or Kubernetes manifest", naming every kind there is."""
    nouns = [kind.noun or kind.name for kind in kinds]
    listed = ", ".join(nouns[:-1]) + " or " + nouns[-1] if len(nouns) > 1 else "".join(nouns)
    return f"not a {listed}"


YAML_SUFFIXES = (".yaml", ".yml", ".json")


def is_yaml_candidate(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)
