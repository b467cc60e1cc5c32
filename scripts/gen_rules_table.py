"""Regenerate the rules table and the retired-ids table in README.md, and docs/rules.md, from
the rules and the deprecation table (``hullcheck.deprecations``) themselves.

    python scripts/gen_rules_table.py          # rewrite both
    python scripts/gen_rules_table.py --check  # exit 1 when either is stale (used by tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"
RETIRED_START, RETIRED_END = "<!-- retired-table:start -->", "<!-- retired-table:end -->"


def table() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from hullcheck.rules import all_rules

    rows = ["| id | name | severity | inputs | references |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(all_rules(), key=lambda r: r.id):
        refs = ", ".join(f"`{x}`" for x in r.references) or "-"
        rows.append(f"| {r.id} | {r.title} | {r.severity.label} | "
                    f"{', '.join(sorted(r.inputs))} | {refs} |")
    return "\n".join(rows)


def retired_table() -> str:
    """One row per successor of each retired id: what a configuration naming it now means."""
    from hullcheck.deprecations import RETIRED, successor_rows
    from hullcheck.rules import all_rules

    titles = {r.id: r.title for r in all_rules()}
    rows = ["| retired id | successor | reference | title |", "| --- | --- | --- | --- |"]
    for old in sorted(RETIRED.values(), key=lambda r: r.id):
        rows += [f"| {old.id} | {rid} | `{tag}` | {title} |"
                 for rid, tag, title in successor_rows(old, titles)]
    return "\n".join(rows)


def overlaps_section() -> list[str]:
    """The overlaps audited in ``hullcheck.overlaps``: which one reports, and the pairs kept
    apart on purpose."""
    from hullcheck.overlaps import KEPT_APART, OVERLAPS

    rows = ["| reports | stands for | decision | concern or reason |", "| --- | --- | --- | --- |"]
    rows += [f"| {o.reporter} | {o.duplicate} | dedup | {o.concern} |" for o in OVERLAPS]
    rows += [f"| {a} | {b} | kept apart | {why} |" for a, b, why in KEPT_APART]
    return ["## Overlapping rules", "",
            "Where two rules judge the same concern at the same place, one finding reports "
            "(`hullcheck.overlaps`): the rule in the first column, when it is selected. It "
            "carries the tags of the findings it stands for and the highest severity among them "
            "(so `--fail-on` gates as before); its fingerprint is its own, so a baseline written "
            "before keeps matching. When it is not selected (`--select`, `--ignore`), the "
            "other reports as before, and so does a rule named by its id in `--select`. An "
            "inline ignore of the reporting rule hides the problem. "
            "Pairs that meet at one place but judge different things were audited too and are "
            "kept apart:", "", *rows, ""]


def rules_doc() -> str:
    from hullcheck.rules import all_rules

    parts = ["# hullcheck rules", "",
             "Generated from the rules' own documentation by `scripts/gen_rules_table.py`; "
             "`hullcheck explain ID` prints the same text.", ""]
    for r in sorted(all_rules(), key=lambda r: r.id):
        refs = ", ".join(f"`{x}`" for x in r.references) or "-"
        parts += [f"## {r.id} {r.name}: {r.title}", "",
                  f"Severity **{r.severity.label}**; judges {', '.join(sorted(r.inputs))}; "
                  f"references {refs}.", ""]
        for line in r.documentation().splitlines():
            parts.append("#" + line if line.startswith("## ") else line)
        parts.append("")
    parts += overlaps_section()
    from hullcheck.deprecations import RETIRED, explain

    titles = {r.id: r.title for r in all_rules()}
    parts += ["## Retired rule ids", "",
              "A rule id is never reused. A retired id still works wherever a rule id is "
              "accepted and stands for its successors (`hullcheck.deprecations`); each use is "
              "reported with a warning.", "", retired_table(), ""]
    for old in sorted(RETIRED.values(), key=lambda r: r.id):
        parts += [f"### {old.id} {old.name} (retired)", "", "```text",
                  *explain(old, titles).splitlines()[1:], "```", ""]
    return "\n".join(parts).rstrip() + "\n"


def _fill(text: str, start: str, end: str, body: str) -> str:
    head, found, rest = text.partition(start)
    if not found:
        return text
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render(readme: str) -> str:
    return _fill(_fill(readme, START, END, table()), RETIRED_START, RETIRED_END, retired_table())


def main() -> int:
    readme = ROOT / "README.md"
    docs = ROOT / "docs" / "rules.md"
    current_readme = readme.read_text()
    wanted_readme = render(current_readme)
    wanted_docs = rules_doc()
    current_docs = docs.read_text() if docs.exists() else ""
    if "--check" in sys.argv:
        stale = [str(p.relative_to(ROOT)) for p, cur, want in
                 ((readme, current_readme, wanted_readme), (docs, current_docs, wanted_docs))
                 if cur != want]
        if stale:
            print(f"{', '.join(stale)} stale: run python scripts/gen_rules_table.py")
            return 1
        return 0
    readme.write_text(wanted_readme)
    docs.parent.mkdir(exist_ok=True)
    docs.write_text(wanted_docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
