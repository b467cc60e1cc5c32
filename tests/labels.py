"""Reading the labels fixtures carry.

- ``# expect: ID[, ID]`` marks a line that must fire (trailing on the line in YAML; in a
  Dockerfile, where comments can only stand alone, a label line applies to the next instruction
  line below its comment block).
- ``# ok: ID`` marks a near miss that must not fire there (documents intent; the exact-set
  comparison enforces it).
- ``# fixture-args: --flag value`` extra command-line arguments for the scan.
- ``# fixture-ignore: ID,ID`` rules not judged in this fixture (keep it rare).
- ``# fixture-also: FILE[, FILE]`` companion files (paths relative to the fixture): their own
  labels join this fixture's (compared with findings located in them), they are not fixtures on
  their own, and YAML companions are named on the command line after the fixture (merged in
  order, like ``docker compose -f fixture -f companion``). For env files, override files.
- A ``<fixture>.expect`` sidecar (for JSON and anything without comments): one ``ID LINE`` per line.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

LABEL = re.compile(r"#\s*(expect|ok)\s*:\s*([A-Z0-9, ]+)")
ARGS = re.compile(r"#\s*fixture-args\s*:\s*(.+)$")
IGNORE = re.compile(r"#\s*fixture-ignore\s*:\s*([A-Z0-9, ]+)")
ALSO = re.compile(r"#\s*fixture-also\s*:\s*(.+)$")


@dataclass
class Labels:
    expect: set[tuple[str, int]] = field(default_factory=set)
    ok: set[tuple[str, int]] = field(default_factory=set)
    args: list[str] = field(default_factory=list)
    ignore: set[str] = field(default_factory=set)
    also: list[str] = field(default_factory=list)


def _ids(text: str) -> list[str]:
    return [i.strip() for i in text.split(",") if i.strip()]


def is_dockerfile(path: Path) -> bool:
    n = path.name.lower()
    return n in ("dockerfile", "containerfile") or n.endswith(".dockerfile") or \
        n.startswith("dockerfile.")


def read_labels(path: Path) -> Labels:
    labels = Labels()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for line in sidecar.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                m = ARGS.search(line)
                if m:
                    labels.args.extend(shlex.split(m.group(1)))
                continue
            rule, number = line.split()
            labels.expect.add((rule, int(number)))
        return labels
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    dockerfile = is_dockerfile(path)
    pending: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        m = ARGS.search(line)
        if m:
            labels.args.extend(shlex.split(m.group(1)))
        m = IGNORE.search(line)
        if m:
            labels.ignore.update(_ids(m.group(1)))
        m = ALSO.search(line)
        if m:
            labels.also.extend(_ids(m.group(1)))
        found = [(kind, rid) for kind, ids in LABEL.findall(line) for rid in _ids(ids)]
        if dockerfile:
            if stripped.startswith("#"):
                pending.extend(found)
                continue
            if not stripped:
                continue
            target = number
            for kind, rid in pending:
                (labels.expect if kind == "expect" else labels.ok).add((rid, target))
            pending = []
        else:
            for kind, rid in found:
                (labels.expect if kind == "expect" else labels.ok).add((rid, number))
    return labels
