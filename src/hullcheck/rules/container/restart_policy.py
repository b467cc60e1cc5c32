from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule

MAX_RETRIES = 5


class UnboundedRestartPolicy(ContainerRule):
    """
    ## What it finds
    A restart policy that restarts without a bound: `always`, `unless-stopped`, or
    `on-failure` without a maximum or with more than 5 retries. `on-failure:5` and `no` are
    fine; so is `deploy.restart_policy` with `max_attempts` of 5 or fewer.

    In a compose file the policy is read as `docker compose` builds it: from `restart:`, then
    replaced whole by `deploy.restart_policy` when both are set, where a missing `max_attempts`
    means unbounded. So `restart: on-failure:5` with `deploy.restart_policy: {condition:
    on-failure, max_attempts: 10}` (10 retries) or with no `max_attempts` fires, on the
    `deploy.restart_policy` line; `restart: on-failure:10` with `max_attempts: 3` does not.

    Deliberately not judged: Kubernetes pods (no retry bound exists there), and a policy that
    never restarts (`no`, `condition: none`).

    Benchmark conformance, not exposure: info severity, tagged `conformance` (keep such checks
    out of a risk view with `--ignore conformance`). Docker backs off between restarts (from
    100 ms, doubling), so `always` does not spin; the message says it is CIS conformance.

    ## Why it matters
    CIS Docker Benchmark 5.15 asks for a bound. A container that crashes on every start (or is
    crashed on purpose) restarting forever fills logs and can hide an ongoing attack; it
    grants nothing to the container.

    ## How to fix
    Use `on-failure` with a bound.

    Before:
    ```yaml
    restart: always
    ```
    After:
    ```yaml
    restart: on-failure:5
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.15 (Kubernetes pods have no retry bound: not judged there)
    """

    id = "CT025"
    name = "unbounded-restart-policy"
    title = "Restart policy has no retry bound"
    severity = Severity.INFO
    docker_refs = ("cis-docker-1.6:5.15", "conformance")
    fix = "Use `restart: on-failure:5`."
    fixes = {
        "docker": "Set --restart on-failure:5 (docker update --restart on-failure:5).",
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        policy = (spec.restart_policy or "").lower()
        retries = spec.restart_max_retries
        bounded = retries is not None and 0 < retries <= MAX_RETRIES
        if policy in ("always", "unless-stopped", "on-failure") and not bounded:
            shown = policy if retries is None else f"{policy} with {retries} retries"
            yield self.emit(spec, spec.loc("restart_policy"),
                            f"{spec.name}: restart policy {shown} restarts more than "
                            f"{MAX_RETRIES} times (CIS Docker 5.15 conformance; Docker backs off "
                            "between restarts).", f"restart={policy}:{retries}")
