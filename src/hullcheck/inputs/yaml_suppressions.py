"""Inline suppressions in YAML files: ``# hullcheck: ignore=ID[,ID] reason``.

- A trailing comment applies to its own line; a comment on a line of its own applies to the next
  YAML line below it (further comment lines and blank lines in between are skipped).
- The suppression covers that line's *block*: the line and every line nested under it (on
  ``volumes:`` every volume; on a plain ``privileged: true`` just that line).
- On a compose service key (``containers`` maps its line to the service name) it covers every
  finding of that service in that file, including the fields the service takes from anchors
  (``<<: *defaults``) elsewhere in the file and the findings about missing fields, which sit on
  the service key. It does not reach other services, nor other files (an override file or an
  ``extends: file:`` base carries its own comments).
- ``# hullcheck: ignore-file=ID[,ID] reason`` anywhere covers the whole file.

It hides only the rules it names (ids, family prefixes or reference tags, see ``suppress.py``),
only in that range and only in that file. A suppression that hides nothing is reported as unused
(so an edit above it that moves the finding elsewhere is visible), and a comment that mentions
``hullcheck:`` without parsing as a suppression is reported as malformed rather than ignored.
"""

from __future__ import annotations

import re

from hullcheck.suppress import Suppression, parse_inline
from hullcheck.yamlutil import comment_lines

_MENTION = re.compile(r"#\s*hullcheck\s*:", re.IGNORECASE)
# What any suppression or mention must contain: a file without it has none (most files; one
# search of the text instead of a scan of every line's comments).
_ANY = re.compile("hullcheck", re.IGNORECASE)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def block_end(lines: list[str], index: int) -> int:
    """0-based index of the last line of the block that starts at ``lines[index]``."""
    head = lines[index]
    indent = _indent(head)
    head_stripped = head.strip()
    head_is_item = head_stripped == "-" or head_stripped.startswith("- ")
    last = index
    for j in range(index + 1, len(lines)):
        line = lines[j]
        if not _is_content(line):
            continue
        ind = _indent(line)
        stripped = line.lstrip(" ")
        # ``key:`` followed by ``- item`` at the same indentation: the items belong to the key.
        same_level_item = ind == indent and stripped.startswith("-") and not head_is_item
        if ind > indent or same_level_item:
            last = j
            continue
        break
    return last


def yaml_suppressions(path: str, text: str, warnings: list[str],
                      containers: dict[int, str] | None = None) -> list[Suppression]:
    if _ANY.search(text) is None:
        return []
    lines = text.splitlines()
    out: list[Suppression] = []
    for number, comment in sorted(comment_lines(text).items()):
        if not _MENTION.search(comment):
            continue
        parsed = parse_inline(comment)
        if parsed is None:
            warnings.append(
                f"{path}:{number}: malformed suppression {comment.strip()!r} "
                "(expected '# hullcheck: ignore=ID[,ID] reason')"
            )
            continue
        kind, selectors, reason = parsed
        if kind == "ignore-file":
            out.append(Suppression(selectors, "inline", path, reason=reason, line=number))
            continue
        own_line = lines[number - 1]
        if own_line.lstrip().startswith("#"):
            target = next(
                (j for j in range(number, len(lines)) if _is_content(lines[j])), None
            )
        else:
            target = number - 1
        if target is None:  # a comment at the end of the file reaches nothing
            out.append(Suppression(selectors, "inline", path, start=-1, end=-1, reason=reason,
                                   line=number))
            continue
        container = (containers or {}).get(target + 1)
        if container is not None:
            out.append(Suppression(selectors, "inline", path, container=container,
                                   reason=reason, line=number))
            continue
        end = block_end(lines, target)
        out.append(Suppression(selectors, "inline", path, start=target + 1, end=end + 1,
                               reason=reason, line=number))
    return out
