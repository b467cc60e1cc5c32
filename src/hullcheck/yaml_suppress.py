"""Inline suppression comments in YAML files (compose files and Kubernetes manifests).

- ``key: value  # hullcheck: ignore=ID[,ID] reason`` covers that line and the block under it;
- a comment line ``# hullcheck: ignore=ID`` covers the next line that is not a comment or blank,
  and the block under it (so a comment above ``- name: web`` covers the whole container, one above
  ``securityContext:`` the whole securityContext);
- ``# hullcheck: ignore-file=ID`` anywhere covers the whole file.

A block is the lines indented deeper than the line itself (for a sequence item ``- name: x``,
deeper than the dash). Indentation is enough: suppressions sit in block-style YAML.
"""

from __future__ import annotations

from hullcheck.suppress import Suppression, parse_inline
from hullcheck.yamlutil import comment_lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def block_end(lines: list[str], start: int) -> int:
    """The last line (1-based) of the block that starts at line ``start``."""
    indent = _indent(lines[start - 1])
    end = start
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if not _is_content(line):
            continue
        if line.strip() in ("---", "...") or _indent(line) <= indent:
            break
        end = number
    return end


def inline_suppressions(path: str, text: str) -> list[Suppression]:
    out: list[Suppression] = []
    lines = text.splitlines()
    for number, comment in sorted(comment_lines(text).items()):
        parsed = parse_inline(comment)
        if parsed is None:
            continue
        kind, selectors, reason = parsed
        if kind == "ignore-file":
            out.append(Suppression(selectors, "inline", path, reason=reason, line=number))
            continue
        target = number
        raw = lines[number - 1]
        if not _is_content(raw[: len(raw) - len(comment)]):
            # A comment on its own line: it speaks about the next content line.
            target = next((n for n in range(number + 1, len(lines) + 1)
                           if _is_content(lines[n - 1])), 0)
            if target == 0 or lines[target - 1].strip() in ("---", "..."):
                out.append(Suppression(selectors, "inline", path, start=-1, end=-1,
                                       reason=reason, line=number))
                continue
        out.append(Suppression(selectors, "inline", path, start=target,
                               end=block_end(lines, target), reason=reason, line=number))
    return out
