"""What a rule needs from its input beyond the model it judges, and the typed skip a walk records
when it cannot provide it.

A rule declares its needs (``Rule.needs``); each walk of the engine says what it provides and,
for what it does not, why. A rule whose needs are not all met is never called: it becomes a
``MissingNeed`` (rule id, the need, the reason), which the command reports as skipped and the
host audit turns into its checks' results.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hullcheck.findings import Skipped


class Need(enum.StrEnum):
    """The value is what a skip reason says: ``needs the image layers: ...``. A skip names the
    first missing need in this order."""

    # The engine lists what is judged (its containers and images): a walk of them needs it.
    DOCKER_API = "the Docker engine"
    IMAGE_CONFIG = "the image configuration"
    IMAGE_HISTORY = "the image history"
    IMAGE_LAYERS = "the image layers"


@dataclass(frozen=True, slots=True)
class MissingNeed:
    """A rule that did not run because the walk could not provide ``need``, and why."""

    rule: str
    need: Need
    reason: str

    @property
    def message(self) -> str:
        return f"needs {self.need.value}: {self.reason}"

    def skipped(self) -> Skipped:
        return Skipped(self.rule, self.message)
