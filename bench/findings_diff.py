"""Compare two scans of the same corpus, finding by finding (rule, file, line, message).

    .venv/bin/hullcheck scan DIR --format json -o new.json
    .venv/bin/python bench/findings_diff.py bench/results/dockerfiles-real-before.json new.json

Either side may be hullcheck's JSON report or this script's compact form (``--compact OUT``
writes it: one sorted list of findings with paths relative to the scanned root, so it can be
kept in the repository and compared on another machine).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

Key = tuple[str, str, int, str]


def findings(path: Path, root: str) -> list[Key]:
    data = json.loads(path.read_text())
    if isinstance(data, list):  # the compact form
        return [tuple(item) for item in data]  # type: ignore[misc]
    out: list[Key] = []
    for f in data["findings"]:
        where = f["location"]["path"]
        rel = os.path.relpath(where, root) if root and where.startswith("/") else where
        out.append((f["rule"], rel, int(f["location"].get("line") or 0), f["message"]))
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path, nargs="?")
    parser.add_argument("--root", default="", help="the scanned directory (paths relative to it)")
    parser.add_argument("--compact", type=Path, help="write BEFORE in the compact form here")
    args = parser.parse_args(argv)
    before = findings(args.before, args.root)
    if args.compact:
        args.compact.write_text("[\n" + ",\n".join(json.dumps(k) for k in before) + "\n]\n")
    if args.after is None:
        return 0
    after = findings(args.after, args.root)
    gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    for key in gone:
        print("-", *key[:3], key[3][:100])
    for key in new:
        print("+", *key[:3], key[3][:100])
    print(f"{len(before)} before, {len(after)} after: {len(gone)} gone, {len(new)} new",
          file=sys.stderr)
    return 1 if gone or new else 0


if __name__ == "__main__":
    sys.exit(main())
