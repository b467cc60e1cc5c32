"""``--format html``: one self-contained page for people (docs/outputs.md).

No network: the stylesheet, the script and the charts (SVG) are inline, and a Content Security
Policy of ``default-src 'none'`` allows the one inline stylesheet and the one inline script by
their SHA-256 hashes, computed here as the page is written. Every string from a scanned file,
image, registry or result file is hostile:

- what the page shows at a glance (counts, benchmark sections, namespaces, exposure, sources) is
  written here, each string through ``safe_text.terminal`` (control and bidirectional characters
  shown as escapes) and ``html.escape``;
- the findings travel as JSON in a ``<script type="application/json">`` element (never run),
  with ``<``, ``>``, ``&`` and U+2028/U+2029 escaped so no string can end the element, and the
  script builds them with ``textContent``, never by parsing HTML.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from hullcheck import __version__
from hullcheck.findings import Finding, Severity
from hullcheck.reporters import Output, display_location
from hullcheck.safe_text import json_dumps, terminal

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]
RESULTS = ("fail", "error", "manual", "pass", "not-applicable")
LEVELS = ("restricted", "baseline", "privileged")
# The layer a family judges; container rules (CT) judge the platform their location says.
LAYERS = {"DF": "Dockerfile", "IMG": "image", "HOST": "Docker host", "NODE": "Kubernetes node",
          "K8S": "Kubernetes", "KNS": "Kubernetes"}
CIS_DOCKER = "cis-docker-1.6:"
CIS_DOCKER_SECTIONS = {
    "1": "Host Configuration", "2": "Docker daemon configuration",
    "3": "Docker daemon configuration files", "4": "Container Images and Build File",
    "5": "Container Runtime", "6": "Docker Security Operations", "7": "Docker Swarm Configuration",
}
_FAMILY = re.compile(r"[A-Z]+")
SEV_COLOURS = {"critical": "#7f1d1d", "high": "#b91c1c", "medium": "#92400e", "low": "#1e40af",
               "info": "#374151"}


@cache
def _asset(name: str) -> str:
    return resources.files("hullcheck").joinpath("data", name).read_text(encoding="utf-8")


def csp_hash(text: str) -> str:
    """``'sha256-...'`` of an inline element's exact text, as CSP compares it."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def script_json(doc: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: nothing in it can close the
    element or open a comment (``<``, ``>``, ``&`` as escapes), and the two line separators
    some parsers treat as line ends are escaped too."""
    text = json_dumps(doc)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _e(text: object) -> str:
    """A string for the page: terminal-safe (escapes for control characters), HTML-escaped."""
    return escape(terminal(str(text)), quote=True)


def family(rule: str) -> str:
    m = _FAMILY.match(rule)
    return m.group() if m else rule


def layer(f: Finding) -> str:
    fam = family(f.rule)
    if fam in LAYERS:
        return LAYERS[fam]
    loc = f.location
    if loc.object:
        return "Kubernetes"
    if loc.container_id or loc.setting:
        return "Docker host"
    if loc.image is not None:
        return "image"
    return "compose" if fam == "CT" else fam


def _places(out: Output, f: Finding) -> list[str]:
    merged = out.merged
    if merged is None:
        return []
    seen = dict.fromkeys(i for i, _ in merged.places.get(f.fingerprint, ()))
    names = [terminal(merged.source_name(i)) for i in seen]
    unlisted = merged.unlisted[f.fingerprint]
    return names + ([f"and {unlisted} more places"] if unlisted else [])


def finding_data(out: Output, f: Finding) -> dict[str, Any]:
    """What the script shows of one finding: every string made terminal-safe here (the script
    then writes it with textContent)."""
    return {
        "rule": terminal(f.rule), "family": terminal(family(f.rule)), "layer": layer(f),
        "title": terminal(f.title), "severity": f.severity.label,
        "message": terminal(f.message), "where": display_location(f),
        "evidence": terminal(f.evidence) if f.evidence and f.evidence != f.message else "",
        "remediation": terminal(f.remediation),
        "references": [terminal(r) for r in f.references],
        "suppressed": ({"by": terminal(f.suppressed.by),
                        "reason": terminal(f.suppressed.reason or "")}
                       if f.suppressed is not None else None),
        "change": out.changes[id(f)] if out.changes is not None else None,
        "places": _places(out, f),
        "fingerprint": f.fingerprint,
    }


def _bars(counts: dict[str, int], label: str) -> str:
    """A horizontal bar chart as inline SVG (presentation attributes only: no style)."""
    total = max(counts.values(), default=0) or 1
    rows = []
    for i, (name, n) in enumerate(counts.items()):
        y = i * 22
        width = round(200 * n / total)
        colour = SEV_COLOURS.get(name, "#374151")
        rows.append(f'<text x="0" y="{y + 15}" font-size="13" fill="#1a1a1a">{_e(name)}</text>'
                    f'<rect x="90" y="{y + 3}" width="{width}" height="16" fill="{colour}"/>'
                    f'<text x="{96 + width}" y="{y + 15}" font-size="13" fill="#1a1a1a">{n}</text>')
    height = max(22 * len(counts), 22)
    return (f'<svg class="bars" viewBox="0 0 340 {height}" role="img" aria-label="{_e(label)}: '
            + _e(", ".join(f"{n} {k}" for k, n in counts.items())) + f'">{"".join(rows)}</svg>')


def _table(caption: str, head: Iterable[str], rows: Iterable[Iterable[str]],
           numeric: frozenset[int] = frozenset()) -> str:
    """A table; cells are already-escaped HTML."""
    ths = "".join(f'<th scope="col"{" class=num" if i in numeric else ""}>{h}</th>'
                  for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return (f"<table><caption>{caption}</caption><thead><tr>{ths}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _section(check_id: str) -> tuple[str, str]:
    """(sort key, name) of the benchmark section a check belongs to."""
    if check_id.startswith(CIS_DOCKER):
        top = check_id[len(CIS_DOCKER):].split(".")[0]
        return (f"0{top:>3}", f"CIS Docker 1.6 section {top}: "
                              f"{CIS_DOCKER_SECTIONS.get(top, '')}".rstrip(": "))
    prefix, _, rest = check_id.partition(":")
    top = ".".join(rest.split(".")[:2])
    return (f"1{prefix}{top}", f"{prefix} {top}")


def _checks(out: Output) -> str:
    checks = out.report.checks
    if not checks:
        return ""
    by_section: dict[tuple[str, str], Counter[str]] = {}
    merged = out.merged
    for c in checks:
        counts = by_section.setdefault(_section(c.id), Counter())
        if merged is not None:  # merged results: every source's result of the check
            counts.update(merged.check_counts.get(c.id, {}))
        else:
            counts[c.result.value] += 1
    rows = [[_e(name)] + [f'<span class="res-{r}">{counts[r]:,}</span>' if counts[r] else "0"
                          for r in RESULTS]
            for (_, name), counts in sorted(by_section.items())]
    total: Counter[str] = Counter()
    for counts in by_section.values():
        total.update(counts)
    rows.append(["<strong>all</strong>"] + [f"<strong>{total[r]:,}</strong>" for r in RESULTS])
    if merged is not None:
        caption = (f"Results of {len(checks)} checks in {len(merged.sources):,} results, by"
                   " section: fail, error, manual, pass, not applicable")
    else:
        score = f" Score: {out.report.score}." if out.report.score is not None else ""
        caption = f"Checks by section: fail, error, manual, pass, not applicable.{score}"
    return ('<section aria-labelledby="h-bench"><h2 id="h-bench">Benchmark checks</h2>'
            + _table(caption, ["Section", *("not applicable" if r == "not-applicable" else r
                                            for r in RESULTS)],
                     rows, frozenset(range(1, 6))) + "</section>")


def _source_name(out: Output, item: dict[str, Any]) -> str:
    if out.merged is None or not isinstance(item.get("source"), int):
        return ""
    return out.merged.source_name(item["source"])


def _kubernetes(out: Output) -> str:
    kube = out.report.kubernetes
    if not kube:
        return ""
    merged = out.merged is not None
    ns_rows = []
    for ns in kube.get("namespaces", []):
        reaches = ns.get("reaches")
        level = (f'<span class="lvl-{_e(reaches)}">{_e(reaches)}</span>' if reaches in LEVELS
                 else "not judged")
        row = [_e(ns.get("name", "")), level, _e(ns.get("judged_at") or "-"),
               _e(ns.get("enforce") or "none"), str(int(ns.get("workload_count") or 0))]
        ns_rows.append(([_e(_source_name(out, ns))] if merged else []) + row)
    exp_rows = []
    for item in kube.get("exposure", []):
        via = item.get("via", "")
        what = item.get("hosts") or item.get("ports") or []
        row = [_e(via), _e(item.get("type", "")),
               _e(", ".join(map(str, what))) or "-",
               _e(item.get("service") or "-"),
               _e(", ".join(map(str, item.get("workloads") or []))) or "none selected"]
        exp_rows.append(([_e(_source_name(out, item))] if merged else []) + row)
    first = ["Source"] if merged else []
    html = ['<section aria-labelledby="h-kube"><h2 id="h-kube">Kubernetes</h2>']
    if ns_rows:
        html.append(_table("Pod Security level each namespace reaches", [
            *first, "Namespace", "Reaches", "Judged at", "Enforce label", "Workloads"],
            ns_rows, frozenset({len(first) + 4})))
    html.append(_table("Exposure: what reaches which workloads from outside the cluster", [
        *first, "Through", "Type", "Hosts or ports", "Service", "Workloads"], exp_rows)
        if exp_rows else "<p>No Ingress, LoadBalancer or NodePort Service.</p>")
    return "".join(html) + "</section>"


def _sources(out: Output) -> str:
    merged = out.merged
    if merged is None:
        return ""
    rows = []
    for s in merged.sources:
        summary = s.get("summary") or {}
        sev = summary.get("by_severity") or {}
        checks = summary.get("checks") or {}
        rows.append([_e(s.get("name") or s.get("host") or "-"), _e(s.get("kind") or "-"),
                     _e(s.get("file", "")), str(summary.get("findings", 0)),
                     _e(", ".join(f"{sev[k]} {k}" for k in SEVERITIES if sev.get(k)) or "-"),
                     _e(", ".join(f"{n} {k}" for k, n in checks.items()) or "-"),
                     _e(summary.get("score") if summary.get("score") is not None else "-")])
    # A fleet's thousand rows are there on request (open up to 20).
    opened = " open" if len(rows) <= 20 else ""
    return ('<section aria-labelledby="h-sources"><h2 id="h-sources">Sources merged</h2>'
            f"<details{opened}><summary>{len(rows):,} results, each with its own summary"
            "</summary>"
            + _table(f"{len(rows)} results", ["Source", "Kind", "File", "Findings",
                                              "By severity", "Checks", "Score"],
                     rows, frozenset({3})) + "</details></section>")


def _errors(out: Output) -> str:
    """The inputs that could not be read (what the exit code 2 is about), each escaped."""
    errors = out.report.errors
    if not errors:
        return ""
    items = "".join(f"<li><code>{_e(e.path)}</code>: {_e(e.message)}</li>" for e in errors)
    return ('<section aria-labelledby="h-errors"><h2 id="h-errors">Input errors</h2>'
            f"<ul>{items}</ul></section>")


def _overview(out: Output) -> str:
    by_sev = out.by_severity()
    by_layer = Counter(layer(f) for f in out.counted)
    suppressed = len(out.report.findings) - len(out.counted)
    cards = [
        '<div class="card"><h2>By severity</h2>' + _bars(by_sev, "Findings by severity")
        + _table("Findings counted by severity", ["Severity", "Findings"],
                 [[_e(k), str(n)] for k, n in by_sev.items()], frozenset({1})) + "</div>",
        '<div class="card"><h2>By layer</h2>'
        + _table("Findings counted by layer", ["Layer", "Findings"],
                 [[_e(k), str(n)] for k, n in sorted(by_layer.items())] or [["-", "0"]],
                 frozenset({1})) + "</div>",
    ]
    if out.changes is not None:
        tally = Counter(out.changes.values())
        cards.append('<div class="card"><h2>Changes</h2>' + _table(
            "Compared by fingerprint", ["Change", "Findings"],
            [[k, str(tally[k])] for k in ("appeared", "fixed", "stayed")], frozenset({1}))
            + "</div>")
    verdict = ""
    if out.fail_on is not None:
        failing = sum(1 for f in out.counted if f.severity >= out.fail_on)
        verdict = (f" {failing} at {out.fail_on.label} or above (the --fail-on threshold)."
                   if failing else f" Nothing at {out.fail_on.label} or above.")
    lead = (f"<p>{len(out.counted)} findings counted, {suppressed} suppressed.{verdict}"
            f" {len(out.report.errors)} input errors.</p>")
    return ('<section aria-labelledby="h-glance"><h2 id="h-glance">At a glance</h2>' + lead
            + '<div class="cards">' + "".join(cards) + "</div></section>")


def _field(label: str, ident: str, control: str) -> str:
    return f'<div><label class="block" for="{ident}">{label}</label>{control}</div>'


def _filters(out: Output) -> str:
    """The filter form (labelled for screen readers); the script fills the rule and family
    choices from the findings."""
    sev = "".join(f'<label><input type="checkbox" name="sev" value="{s}" checked> {s}</label>'
                  for s in SEVERITIES)
    parts = [
        f"<fieldset><legend>Severity</legend>{sev}</fieldset>",
        _field("Rule", "f-rule", '<select id="f-rule"><option value="">any rule</option>'
                                 "</select>"),
        _field("Family", "f-family", '<select id="f-family"><option value="">any family'
                                     "</option></select>"),
        _field("File or object", "f-where", '<input type="search" id="f-where"'
                                            ' placeholder="path, object, container">'),
        _field("Text", "f-text", '<input type="search" id="f-text"'
                                 ' placeholder="anything in a finding">'),
    ]
    if out.changes is not None:
        parts.append(_field("Change", "f-change", '<select id="f-change"><option value="">any'
                            "</option>" + "".join(f'<option value="{c}">{c}</option>'
                                                  for c in ("appeared", "fixed", "stayed"))
                            + "</select>"))
    parts += ['<div><label><input type="checkbox" id="f-suppressed"> hide suppressed</label>'
              "</div>", '<div><button type="button" id="f-reset">Clear filters</button></div>']
    # No action and no submit button: the filters apply as they change (an inline onsubmit
    # handler would be refused by the policy anyway).
    return '<form class="filters" role="search" aria-label="Filter findings">' + "".join(
        parts) + "</form>"


def _title(out: Output) -> str:
    if out.merged is not None:
        return f"hullcheck: {len(out.merged.sources)} results merged"
    if out.diffed is not None:
        return f"hullcheck diff: {terminal(out.diffed[0])} -> {terminal(out.diffed[1])}"
    source = out.report.source or {}
    name = source.get("name") or source.get("host") or ""
    return f"hullcheck {out.command}" + (f": {terminal(str(name))}" if name else "")


def render(out: Output) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    csp = (f"default-src 'none'; script-src {csp_hash(js)}; style-src {csp_hash(css)}; "
           "base-uri 'none'; form-action 'none'")
    # Most severe first (a diff: appeared, fixed, stayed, each most severe first); otherwise in
    # the order of the other formats (by location).
    changes = out.changes or {}
    order = {"appeared": 0, "fixed": 1, "stayed": 2}
    shown = sorted(out.shown, key=lambda f: (order.get(changes.get(id(f), ""), 0), -f.severity))
    data = {"findings": [finding_data(out, f) for f in shown]}
    title = _title(out)
    source = out.report.source or {}
    meta = f"hullcheck {escape(__version__)}"
    if source.get("host"):
        meta += f", on {_e(source['host'])}"
    return "".join((
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp, quote=True)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title><style>{css}</style></head><body>",
        '<a class="skip" href="#findings-h">Skip to the findings</a>',
        f'<header><h1>{escape(title)}</h1><p class="meta">{meta}</p></header><main>',
        _overview(out), _errors(out), _checks(out), _kubernetes(out), _sources(out),
        '<section aria-labelledby="findings-h"><h2 id="findings-h" tabindex="-1">Findings</h2>',
        _filters(out),
        '<p id="shown-count" role="status" aria-live="polite"></p>',
        '<p id="no-match" hidden>No finding matches the filters.</p>',
        '<noscript><p class="noscript">The list of findings needs JavaScript; the JSON report'
        " (--format json) holds the same findings.</p></noscript>",
        '<div id="findings"></div>',
        '<p class="more"><button type="button" id="show-more" hidden></button> '
        '<button type="button" id="show-all" hidden></button></p></section></main>',
        f'<script type="application/json" id="hullcheck-data">{script_json(data)}</script>',
        f"<script>{js}</script></body></html>\n",
    ))
