"""Regenerate the rules table in README.md from the rules themselves.

    python scripts/gen_rules_table.py          # rewrite README.md
    python scripts/gen_rules_table.py --check  # exit 1 when README.md is stale (used by tests)
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


def render(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    path = ROOT / "README.md"
    current = path.read_text()
    wanted = render(current)
    if "--check" in sys.argv:
        if current != wanted:
            print("README.md rules table is stale: run python scripts/gen_rules_table.py")
            return 1
        return 0
    path.write_text(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
