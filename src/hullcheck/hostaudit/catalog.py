"""The 117 checks of CIS Docker Benchmark v1.6.0, sections 1 to 7 (package data)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

TAG_PREFIX = "cis-docker-1.6:"


@dataclass(frozen=True, slots=True)
class CisCheck:
    id: str  # "5.4"
    title: str
    section: str  # "5 Container Runtime"
    assessment: str  # Automated | Manual | Scored

    @property
    def tag(self) -> str:
        return TAG_PREFIX + self.id

    @property
    def manual(self) -> bool:
        return self.assessment == "Manual"

    @property
    def scored(self) -> bool:
        """Counts in the score (Docker Bench scores the Automated/Scored checks)."""
        return not self.manual

    @property
    def top_section(self) -> str:
        return self.id.split(".", 1)[0]


@cache
def checks() -> tuple[CisCheck, ...]:
    text = resources.files("hullcheck").joinpath("data", "cis-docker-1.6.tsv").read_text("utf-8")
    out = []
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        cid, title, section, assessment = line.split("\t")[:4]
        out.append(CisCheck(cid, title, section, assessment))
    return tuple(out)


@cache
def by_id() -> dict[str, CisCheck]:
    return {c.id: c for c in checks()}


SECTIONS: dict[str, str] = {
    "1": "Host Configuration",
    "2": "Docker daemon configuration",
    "3": "Docker daemon configuration files",
    "4": "Container Images and Build File",
    "5": "Container Runtime",
    "6": "Docker Security Operations",
    "7": "Docker Swarm Configuration",
}


def tag_of(finding_references: tuple[str, ...]) -> list[str]:
    """The check ids a finding's references name."""
    return [r[len(TAG_PREFIX) :] for r in finding_references if r.startswith(TAG_PREFIX)]
