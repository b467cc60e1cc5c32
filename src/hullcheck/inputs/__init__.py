"""The registry of input kinds ``hullcheck scan`` understands.

An input kind says which files are its own (by name, or by content for YAML and stdin) and turns a
batch of sources into findings through the engine. Kinds are analysed per batch rather than per
file because some need every file at once: compose merges ``-f base -f override``, Kubernetes
judges the whole object graph.

Modules are imported lazily (``module`` is a dotted path) so start-up never pays for parsers it
does not use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hullcheck.engine import Engine
    from hullcheck.findings import Report
    from hullcheck.sources import Source


class Analyzer(Protocol):
    def __call__(self, sources: list[Source], engine: Engine) -> Report: ...


@dataclass(frozen=True)
class InputKind:
    name: str
    # True when a file name alone makes a file this kind's (Dockerfile, compose.yaml).
    claims_name: Callable[[str], bool]
    # True when the content makes it this kind's (YAML with ``services:``, ``apiVersion``+``kind``).
    # Called only for candidate files (YAML/JSON endings, stdin); must be cheap and never raise.
    sniff: Callable[[Source], bool]
    # "package.module:function" implementing Analyzer, imported on first use.
    analyzer: str

    def analyze(self, sources: list[Source], engine: Engine) -> Report:
        module_name, _, func = self.analyzer.partition(":")
        fn: Any = getattr(importlib.import_module(module_name), func)
        result: Report = fn(sources, engine)
        return result


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


def _sniff_dockerfile(source: Source) -> bool:
    from hullcheck.inputs.dockerfile import looks_like_dockerfile

    return looks_like_dockerfile(source.text)


def _is_compose_name(name: str) -> bool:
    from hullcheck.inputs.compose import is_compose_name

    return is_compose_name(name)


def _sniff_compose(source: Source) -> bool:
    from hullcheck.inputs.compose import sniff

    return sniff(source)


def _sniff_kubernetes(source: Source) -> bool:
    from hullcheck.inputs.kubernetes import sniff

    return sniff(source)


@cache
def input_kinds() -> tuple[InputKind, ...]:
    """Order matters for content sniffing: the first kind that claims a source gets it."""
    return (
        InputKind(
            name="dockerfile",
            claims_name=_is_dockerfile_name,
            sniff=_sniff_dockerfile,
            analyzer="hullcheck.inputs.dockerfile:analyze",
        ),
        InputKind(
            name="compose",
            claims_name=_is_compose_name,
            sniff=_sniff_compose,
            analyzer="hullcheck.inputs.compose:analyze",
        ),
        InputKind(
            name="kubernetes",
            claims_name=lambda _name: False,
            sniff=_sniff_kubernetes,
            analyzer="hullcheck.inputs.kubernetes:analyze",
        ),
    )


YAML_SUFFIXES = (".yaml", ".yml", ".json")


def is_yaml_candidate(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)
