"""Selection, suppressions and baselines: what decides whether a finding counts.

Selectors (``--select``, ``--ignore``, inline ignores, annotations, config) are one of:
- a rule id (``DF001``),
- a family prefix (``DF``: letters only, matches ``DF`` followed by digits),
- a reference tag (``hadolint:DL3007``), or a tag prefix ending at a boundary
  (``cis-docker-1.6:5`` matches ``cis-docker-1.6:5.4``; ``pss:baseline`` matches every baseline
  control),
- a retired rule id (``HOST005``): matches its successors (``hullcheck.deprecations``).

A suppression hides exactly what it names and where it stands, nothing more; one that no longer
matches anything is reported as unused, so an edit that moves a finding away from its comment is
visible instead of silently re-enabling or hiding something else.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullcheck.deprecations import RETIRED, baseline_keys
from hullcheck.deprecations import successors as retired_successors
from hullcheck.findings import Finding, Report, Suppressed, compute_fingerprint

_FAMILY = re.compile(r"^[A-Z][A-Z0-9]*[A-Z]$")
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*[A-Z]\d{3}$")

# ``# hullcheck: ignore=ID[,ID] reason`` (``ignore-file=`` for the whole file). ``ID, ID`` with a
# space after the comma still names both ids (rather than turning the second into the reason).
INLINE = re.compile(
    r"#\s*hullcheck:\s*(?P<kind>ignore-file|ignore)\s*=\s*"
    r"(?P<ids>[^\s,]+(?:\s*,\s*[^\s,]+)*)(?:\s+(?P<reason>.*\S))?"
)


def is_tag_selector(selector: str) -> bool:
    """Whether ``selector`` names tags (``pss``, ``cis-k8s-1.10``, ``hadolint:DL3007``) rather
    than rule ids (``DF001``, ``DF``, a retired ``HOST005``): a tag selector is decided per
    finding, an id selector per rule."""
    s = selector.strip()
    return not (_RULE_ID.match(s) or _FAMILY.match(s) or s in RETIRED)


def selector_matches(selector: str, rule: str, references: Iterable[str]) -> bool:
    s = selector.strip()
    if not s:
        return False
    if s == rule:
        return True
    if _FAMILY.match(s) and rule.startswith(s) and rule[len(s) :].isdigit():
        return True
    if s in RETIRED:
        return rule in (retired_successors(s) or ())
    # A tag, or a tag's prefix ending where the tag goes on with ':' or '.': ``pss:baseline``,
    # ``cis-docker-1.6:5``, and the whole standard, ``cis-k8s-1.10`` (ARCHITECTURE.md).
    return any(ref == s or ref.startswith((s + ".", s + ":")) for ref in references)


def finding_matches(selector: str, finding: Finding) -> bool:
    return selector_matches(selector, finding.rule, finding.references)


def unknown_selectors(selectors: Iterable[str], rule_ids: set[str]) -> list[str]:
    """Selectors that can name nothing: unknown rule ids or families (tags are not judged here;
    ``Names.unknown`` judges them too)."""
    families = {re.sub(r"\d{3}$", "", r) for r in rule_ids}
    out = []
    for s in selectors:
        s = s.strip()
        if is_tag_selector(s):
            continue
        if _RULE_ID.match(s) and (s in rule_ids or s in RETIRED):
            continue
        if _FAMILY.match(s) and s in families:
            continue
        out.append(s)
    return out


# How many close names an "unknown selector" message suggests. Names come from config files and
# scanned files too (inline ignores): only names up to MAX_SUGGESTED_LENGTH characters get
# suggestions, and a run computes at most MAX_SUGGESTION_LOOKUPS of them (each compares the name
# with every known one, about 1.5 ms), so a file full of unknown names costs no more than that.
MAX_SUGGESTIONS = 3
MAX_SUGGESTED_LENGTH = 64
MAX_SUGGESTION_LOOKUPS = 100


@dataclass(frozen=True)
class Names:
    """Every name a selector may use: rule ids (retired ones too), families, and tags with
    their prefixes at a boundary (``cis-docker-1.6:5`` for ``cis-docker-1.6:5.5``)."""

    ids: frozenset[str]
    families: frozenset[str]
    tag_selectors: frozenset[str]  # every tag and each of its prefixes a selector may name
    # selector -> its suggestions, for this run (bounded by MAX_SUGGESTION_LOOKUPS)
    _suggested: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, rule_ids: Iterable[str], tags: Iterable[str]) -> Names:
        ids = frozenset(rule_ids)
        prefixes: set[str] = set()
        for tag in tags:
            prefixes.add(tag)
            # A tag selector is the whole standard (``cis-k8s-1.10``, ``pss``: up to the first
            # ':'), or ends where the rest of the tag goes on with ':' or '.' (``cis-k8s-1.10:5``
            # names section 5); not a cut inside the standard's own name (``cis-k8s-1``).
            first = tag.find(":")
            if first < 0:
                continue
            prefixes.add(tag[:first])
            prefixes.update(tag[:i] for i in range(first + 1, len(tag)) if tag[i] in ":.")
        return cls(ids=ids, families=frozenset(re.sub(r"\d{3}$", "", r) for r in ids),
                   tag_selectors=frozenset(prefixes))

    def knows(self, selector: str) -> bool:
        s = selector.strip()
        return (s in self.tag_selectors or s in self.ids or s in RETIRED
                or (bool(_FAMILY.match(s)) and s in self.families))

    def unknown(self, selectors: Iterable[str]) -> list[str]:
        return [s.strip() for s in selectors if not self.knows(s)]

    def suggest(self, selector: str) -> list[str]:
        """The known names closest to ``selector`` (case aside), best first; none for a long
        name or once the run's lookups are spent."""
        s = selector.strip()
        if s in self._suggested:
            return self._suggested[s]
        if len(s) > MAX_SUGGESTED_LENGTH or len(self._suggested) >= MAX_SUGGESTION_LOOKUPS:
            return []
        folded: dict[str, str] = {}
        for name in (*sorted(self.ids), *sorted(RETIRED), *sorted(self.families),
                     *sorted(self.tag_selectors)):
            folded.setdefault(name.lower(), name)
        import difflib  # here: only a run with an unknown name pays for it

        close = difflib.get_close_matches(s.lower(), list(folded), n=MAX_SUGGESTIONS, cutoff=0.6)
        self._suggested[s] = [folded[c] for c in close]
        return self._suggested[s]

    def explain_unknown(self, selector: str) -> str:
        """``unknown rule, family or tag 'X' (did you mean A, B?)``."""
        hint = self.suggest(selector)
        did = f"did you mean {', '.join(hint)}? " if hint else ""
        return f"unknown rule, family or tag {selector.strip()!r} ({did}see 'hullcheck rules')"

    def explicit(self, selectors: Iterable[str]) -> frozenset[str]:
        """The rule ids ``selectors`` name one by one (a retired id: its successors)."""
        out: set[str] = set()
        for s in selectors:
            s = s.strip()
            if s in self.ids:
                out.add(s)
            out.update(retired_successors(s) or ())
        return frozenset(out)


@dataclass
class Suppression:
    """An inline comment or annotation that hides named findings in one place.

    A finding is covered when its path matches and its line lies in ``[start, end]`` (both None =
    the whole file), and ``object``/``container``, when set, match too.
    """

    selectors: list[str]
    by: str  # inline | annotation
    path: str
    start: int | None = None
    end: int | None = None
    object: str | None = None
    container: str | None = None
    reason: str | None = None
    line: int | None = None  # where the comment itself is, for "unused" warnings
    used: bool = field(default=False, compare=False)
    # A peer's pragma (``# hadolint ignore=``): honoured, but never warned about as unknown or
    # unused, as it names that tool's rules and that tool is silent about them too.
    quiet: bool = False

    def covers(self, f: Finding) -> bool:
        loc = f.location
        if loc.path != self.path:
            return False
        if self.start is not None:
            if loc.line is None or not (self.start <= loc.line <= (self.end or self.start)):
                return False
        if self.object is not None and loc.object != self.object:
            return False
        if self.container is not None and loc.container != self.container:
            return False
        return any(finding_matches(s, f) for s in self.selectors)


def parse_inline(comment: str) -> tuple[str, list[str], str | None] | None:
    """``(kind, selectors, reason)`` from a comment line, or None."""
    m = INLINE.search(comment)
    if not m:
        return None
    ids = [i.strip() for i in m.group("ids").split(",") if i.strip()]
    return m.group("kind"), ids, m.group("reason")


@dataclass
class Policy:
    """Everything that filters a report, gathered from flags and config."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    baseline: list[dict[str, Any]] | None = None
    show_suppressed: bool = False
    # The rule ids that ran, when a selection kept some from running (None: every rule ran).
    # A suppression naming only rules that sat the run out is not reported as unused.
    judged: frozenset[str] | None = None
    # Rules ``select`` names by id (and ``ignore`` does not): they report whatever family or
    # tag ``ignore`` names.
    explicit: frozenset[str] = frozenset()


def apply(report: Report, policy: Policy, path_ignores: Any) -> tuple[list[Finding], list[str]]:
    """Filter ``report.findings`` in place by selection; mark suppressed and baselined ones.

    Returns the findings to show (suppressed ones only with ``show_suppressed``) and warnings.
    ``path_ignores`` maps a path to the selectors config ignores there.
    """
    warnings: list[str] = []
    kept: list[Finding] = []
    # A suppression covers findings of its own path only: look at those (in their order), not
    # at every suppression of the scan for every finding. Per-path ignores are resolved once
    # per path.
    by_path: dict[str | None, list[Suppression]] = {}
    for sup in report.suppressions:
        by_path.setdefault(sup.path, []).append(sup)
    for f in report.findings:
        selected = f.rule in policy.explicit or not (
            (policy.select and not any(finding_matches(s, f) for s in policy.select))
            or any(finding_matches(s, f) for s in policy.ignore)
        )
        # A deselected finding still uses the suppression that covers it: the suppression is
        # not stale, this run just does not show what it hides.
        for sup in by_path.get(f.location.path, ()):
            if sup.covers(f):
                sup.used = True
                if selected and f.suppressed is None:
                    f.suppressed = Suppressed(by=sup.by, reason=sup.reason)
        if selected:
            kept.append(f)

    ignores_of: dict[str, list[str]] = {}
    for f in kept:
        path = f.location.path
        if f.suppressed is None and path:
            if path not in ignores_of:
                ignores_of[path] = path_ignores(path)
            for s in ignores_of[path]:
                if finding_matches(s, f):
                    f.suppressed = Suppressed(by="config", reason=f"per-path ignore {s}")
                    break

    if policy.baseline is not None:
        remaining = Counter(
            (str(b.get("rule")), str(b.get("fingerprint"))) for b in policy.baseline
        )
        # An entry written for a retired id matches a successor's finding fingerprinted as
        # if the old id had reported it (the successors keep its location and evidence).
        retired_entries = any(rule in RETIRED for rule, _ in remaining)
        through_retired: Counter[str] = Counter()
        for f in kept:
            if f.suppressed is not None:
                continue
            keys = [(f.rule, f.fingerprint)]
            if retired_entries:
                keys += [(old, compute_fingerprint(f, old)) for old in baseline_keys(f.rule)]
            for key in keys:
                if remaining[key] > 0:
                    remaining[key] -= 1
                    f.suppressed = Suppressed(by="baseline", reason="present in the baseline")
                    if key[0] != f.rule:
                        through_retired[key[0]] += 1
                    break
        for old, count in sorted(through_retired.items()):
            warnings.append(
                f"baseline: {count} finding(s) of the successors of retired {old} matched its "
                "entries; write the baseline again (--write-baseline) to record their new ids"
            )

    for sup in report.suppressions:
        if sup.used or sup.quiet:
            continue
        if not _names_only_unjudged(sup.selectors, policy.judged):
            where = f"{sup.path}:{sup.line}" if sup.line else sup.path
            warnings.append(
                f"{where}: unused suppression ({','.join(sup.selectors)}): nothing it names "
                "is reported here"
            )
    shown = [f for f in kept if policy.show_suppressed or f.suppressed is None]
    report.findings = kept
    return shown, warnings


def _names_only_unjudged(selectors: Iterable[str], judged: frozenset[str] | None) -> bool:
    """True when every selector is a rule id or family none of whose rules ran."""
    if judged is None:
        return False
    return all(
        not is_tag_selector(s) and not any(selector_matches(s, r, ()) for r in judged)
        for s in selectors
    )


BASELINE_VERSION = 1


def write_baseline(path: Path, findings: Iterable[Finding], version: str) -> None:
    """Entries match by rule and fingerprint only; the fingerprint is computed from the exact
    text (undecodable bytes of a file name included, as surrogate escapes), so it is the same
    whatever the other fields say. Those (path, message...) are for people and are written as
    the JSON reporter writes them: a lone surrogate becomes U+FFFD, so the file is valid UTF-8
    JSON that strict readers accept (json.dumps would write ``\\udcff``). Baselines written
    before, with such escapes, still load and match."""
    from hullcheck.safe_text import unicode_scalars

    entries = [
        {
            "rule": f.rule,
            "fingerprint": f.fingerprint,
            "path": _scalars(f.location.path),
            "object": _scalars(f.location.object),
            "container": _scalars(f.location.container),
            "message": unicode_scalars(f.message),
        }
        for f in findings
    ]
    doc = {"hullcheck-baseline": BASELINE_VERSION, "version": version, "findings": entries}
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _scalars(text: str | None) -> str | None:
    from hullcheck.safe_text import unicode_scalars

    return None if text is None else unicode_scalars(text)


def read_baseline(path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: baseline is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise ValueError(f"{path}: not a hullcheck baseline (no 'findings' list)")
    return [e for e in doc["findings"] if isinstance(e, dict)]
