"""The environment a run happens in, as far as rules judge it: the Docker client's settings.

Read once per run (``Environment.current``), so every command judges the same snapshot and rules
never read ``os.environ`` themselves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Environment:
    # DOCKER_CONTENT_TRUST as set (None: unset); CIS Docker 1.6 4.5 wants "1".
    content_trust: str | None = None

    @classmethod
    def current(cls) -> Environment:
        return cls(content_trust=os.environ.get("DOCKER_CONTENT_TRUST"))
