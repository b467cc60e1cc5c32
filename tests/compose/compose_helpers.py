"""What the compose tests share: a hardened service template (no container rule fires on it, so a
test adds exactly the mistake it is about) and a findings summary."""

from __future__ import annotations

from typing import Any

HARD = """\
x-hardened: &hardened
  image: registry.example.com/app:1.4.2
  user: "10001:10001"
  read_only: true
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
  mem_limit: 256m
  cpus: "0.5"
  pids_limit: 100
  restart: on-failure:3
  healthcheck:
    test: ["CMD", "/app", "health"]
"""


def located(doc: dict[str, Any]) -> set[tuple[str, str, int]]:
    """(rule, path, line) of every finding of a JSON report."""
    return {(f["rule"], f["location"]["path"], f["location"]["line"]) for f in doc["findings"]}
