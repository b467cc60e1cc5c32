"""Regenerate the rules table in README.md and docs/rules.md from the rules themselves.

    python scripts/gen_rules_table.py          # rewrite both
    python scripts/gen_rules_table.py --check  # exit 1 when either is stale (used by tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def table() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from hullcheck.rules import all_rules

    rows = ["| id | name | severity | inputs | references |", "| --- | --- | --- | --- | --- |"]
    for r in sorted(all_rules(), key=lambda r: r.id):
        refs = ", ".join(f"`{x}`" for x in r.references) or "-"
        rows.append(f"| {r.id} | {r.title} | {r.severity.label} | "
                    f"{', '.join(sorted(r.inputs))} | {refs} |")
    return "\n".join(rows)


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
    return "\n".join(parts).rstrip() + "\n"


def render(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


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
