"""Which reporter writes each output format, and which commands may ask for it.

The CLI's ``--format`` choices are derived from this table (``formats_for``); it imports nothing,
so building the parser (``hullcheck --version`` included) stays light. ``hullcheck.reporters``
re-exports it.
"""

from __future__ import annotations

# format name -> "module:function" taking an Output and returning str
REPORTERS = {
    "text": "hullcheck.reporters.text:render",
    "concise": "hullcheck.reporters.text:render_concise",  # one line per finding
    "json": "hullcheck.reporters.json:render",
    "sarif": "hullcheck.reporters.sarif:render",
    "junit": "hullcheck.reporters.junit:render",
    "github": "hullcheck.reporters.github:render",  # workflow-command annotations
    "gitlab": "hullcheck.reporters.gitlab:render",  # GitLab Code Quality JSON
    "html": "hullcheck.reporters.html:render",  # one self-contained page for people
    "docker-bench-json": "hullcheck.reporters.docker_bench:render",
}
# Formats that show the Kubernetes overview (``Report.kubernetes``: namespaces, exposure, the
# Pod Security level each reaches): for the others a scan does not build it.
SHOWS_KUBERNETES: frozenset[str] = frozenset({"json", "html"})
# Formats only some commands can write (Docker Bench's log is a benchmark run's): format -> them.
ONLY_FOR: dict[str, frozenset[str]] = {"docker-bench-json": frozenset({"host"})}


def formats_for(command: str) -> tuple[str, ...]:
    """The ``--format`` choices of ``command``, in the order of ``REPORTERS``."""
    return tuple(f for f in REPORTERS if command in ONLY_FOR.get(f, (command,)))
