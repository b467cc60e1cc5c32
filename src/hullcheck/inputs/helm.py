"""Helm charts: what ``helm template`` renders from a chart is one deployable unit.

A directory holding ``Chart.yaml`` is a chart: its ``templates/`` are Go templates, never parsed
as manifests (``chart_dirs``; the walk leaves every file under a chart to the chart). With
``helm`` on PATH the chart is rendered (``helm template``, the chart's defaults plus
``--helm-values`` / ``--helm-set``, the release name and namespace) and each rendered object
reports the template it came from (the ``# Source:`` comment helm writes before each document;
``split_stream``, used for a rendered stream piped to ``scan -`` too). Rendering runs bounded,
offline, with a minimal environment (``hullcheck.inputs.render``); a chart with a symbolic link
leading out of the scanned directory is not rendered.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hullcheck.inputs.render import (
    MAX_RENDER_DOCUMENTS,
    Budget,
    RenderFailed,
    links_out,
    run,
    which,
)

if TYPE_CHECKING:
    from hullcheck.options import RunOptions
    from hullcheck.sources import Source

CHART_FILE = "Chart.yaml"
DEFAULT_RELEASE = "release-name"  # what `helm template CHART` names the release
INSTALL_HELM = ("helm is not on PATH: install Helm 3 to render charts "
                "(https://helm.sh/docs/intro/install/, e.g. `brew install helm`)")
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$")
_SEPARATOR = re.compile(r"^---(\s.*)?$")


def is_chart(source: Source) -> bool:
    """Whether ``source`` is a chart's ``Chart.yaml`` the walk (or the user) handed over."""
    return source.fs_path is not None and source.fs_path.name == CHART_FILE


def chart_dirs(files: Iterable[tuple[str, str, bool, str | None]]) -> list[str]:
    """The charts among the walked ``files`` (os path, display, explicit, root): the directory
    of each ``Chart.yaml`` not inside another chart (a sub-chart under ``charts/`` renders with
    its parent), as OS paths."""
    dirs = sorted({os.path.dirname(p) or "." for p, _, explicit, _ in files
                   if os.path.basename(p) == CHART_FILE and not explicit})
    out: list[str] = []
    for d in dirs:
        if not any(_under(d, top) for top in out):
            out.append(d)
    return out


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


# A chart's own directories: everything under them is the chart's (helm reads them).
_CHART_DIRS = frozenset({"templates", "charts", "crds"})


def chart_owns(path: str, chart: str) -> bool:
    """Whether the walked file ``path`` inside ``chart`` is the chart's, never judged alone:
    anything under ``templates/``, ``charts/`` or ``crds/``, and YAML/JSON files (values,
    schemas). Other files (a Dockerfile next to ``Chart.yaml``) are judged as usual."""
    from hullcheck.inputs import is_yaml_candidate

    rel = os.path.relpath(path, chart)
    return rel.split(os.sep, 1)[0] in _CHART_DIRS or is_yaml_candidate(os.path.basename(path))


def in_chart(path: str, charts: list[str]) -> str | None:
    """The chart directory ``path`` (an OS path from the walk) belongs to, or None."""
    for top in charts:
        if _under(os.path.dirname(path) or ".", top):
            return top
    return None


def chart_of_template(path: str, limit: int = 8) -> str | None:
    """The chart directory (as the user's path names it) when ``path``, a file named on the
    command line, sits under a chart's ``templates/`` (looked for up to ``limit`` directories
    up): a template is no manifest, and the user is told what to scan instead."""
    here = os.path.dirname(os.path.abspath(path))
    parts: list[str] = []
    for _ in range(limit):
        if os.path.isfile(os.path.join(here, CHART_FILE)):
            if not parts or parts[-1] != "templates":
                return None
            # As the user wrote it: the file's directory, len(parts) levels up.
            return os.path.normpath(os.path.join(os.path.dirname(path) or ".",
                                                 *[".."] * len(parts)))
        parent = os.path.dirname(here)
        if parent == here:
            return None
        parts.append(os.path.basename(here))
        here = parent
    return None


@dataclass
class Section:
    """One document of a rendered stream: the line it starts on (1-based, its ``---``) and the
    template its ``# Source:`` comment names (None without one)."""

    line: int
    source: str | None


def split_stream(text: str) -> list[Section]:
    """Where each document of ``helm template``'s stream starts, with the template it came
    from. The stream itself is parsed as one YAML file (so every line number is the stream's);
    an object's template is the one of the section holding its first line (``source_at``)."""
    out: list[Section] = [Section(1, None)]
    for number, line in enumerate(text.splitlines(), 1):
        if _SEPARATOR.match(line):
            out.append(Section(number, None))
            continue
        match = _SOURCE.match(line)
        if match and out[-1].source is None:
            out[-1].source = match.group(1)
    return out


def source_at(sections: list[Section], line: int) -> str | None:
    """The template of the section holding ``line``."""
    starts = [s.line for s in sections]
    index = bisect.bisect_right(starts, line) - 1
    return sections[index].source if index >= 0 else None


def source_path(chart_display: str, template: str) -> str | None:
    """Where the template ``# Source: CHART/templates/x.yaml`` names is, from the chart's
    directory as reported (``charts/web``): the first component is the chart's own name. A name
    that would leave the chart is not believed (None)."""
    parts = template.split("/", 1)
    if len(parts) != 2 or not parts[1]:
        return None
    rel = posixpath.normpath(parts[1])
    if rel.startswith("../") or rel == ".." or rel.startswith("/"):
        return None
    return posixpath.join(chart_display, rel) if chart_display not in ("", ".") else rel


@dataclass
class ChartRender:
    """What rendering one chart gave: its stream and where each document starts, or why it
    was not rendered (``failed``: helm's own message; ``missing``: no helm)."""

    text: str
    sections: list[Section]
    failed: str | None = None
    missing: str | None = None


def render(chart_dir: str, root: str | None, options: RunOptions, budget: Budget
           ) -> ChartRender:
    """``helm template`` of the chart at ``chart_dir`` (an OS path); ``root`` the scanned
    directory it may not leave (None: the chart was named itself)."""
    helm = which("helm")
    if helm is None:
        return ChartRender("", [], missing=INSTALL_HELM)
    real = os.path.realpath(chart_dir)
    out_link = links_out(real, root or real)
    if out_link is not None:
        return ChartRender("", [], failed=f"{out_link}: not rendered")
    argv = [helm, "template", str(options.get("helm_release") or DEFAULT_RELEASE), real,
            "--namespace", str(options.get("namespace") or "default")]
    for values in options.get("helm_values") or ():
        argv += ["--values", os.path.abspath(str(values))]
    for setting in options.get("helm_set") or ():
        argv += ["--set", str(setting)]
    try:
        rendered = run(argv, cwd=real, timeout=budget.take())
    except RenderFailed as exc:
        return ChartRender("", [], failed=str(exc))
    sections = split_stream(rendered.text)
    if len(sections) > MAX_RENDER_DOCUMENTS:
        return ChartRender("", [], failed=f"helm rendered more than {MAX_RENDER_DOCUMENTS} "
                                          "documents: not judged")
    return ChartRender(rendered.text, sections)
