from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod, mapping
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show

TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
TYPES_1_31 = TYPES_1_0 | {"container_engine_t"}


def problems(opts: Any, version: tuple[int, int]) -> list[str]:
    options = mapping(opts)
    if options is None:
        return []
    allowed = TYPES_1_31 if version >= (1, 31) else TYPES_1_0
    out = []
    kind = options.get("type")
    if str(kind if kind is not None else "") not in allowed:
        out.append(f"type={show(kind)}")
    for key in ("user", "role"):
        if options.get(key) not in (None, ""):
            out.append(f"{key}={options[key]}")
    return out


class SeLinuxOptions(PssRule):
    """
    ## What it finds
    SELinux options that leave the container domain (Pod Security Standards baseline control
    `seLinuxOptions`), on the pod or a container: a `type` other than `container_t`,
    `container_init_t`, `container_kvm_t` (and `container_engine_t` from 1.31), or any `user` or
    `role`. The `level` (MCS categories) is free.

    ## Why it matters
    The SELinux type decides what the container process may touch on the node; a custom type
    such as `spc_t` (super-privileged container) or a custom user/role escapes the confinement
    that keeps containers apart.

    ## How to fix
    Drop `type`, `user` and `role`; set only `level` if you need MCS separation.

    Before:
    ```yaml
    seLinuxOptions:
      type: spc_t
    ```
    After:
    ```yaml
    seLinuxOptions:
      level: "s0:c123,c456"
    ```

    ## References
    - Pod Security Standards, baseline, "SELinux" (pod-security-admission `seLinuxOptions`)
    """

    id = "K8S008"
    name = "selinux-options"
    title = "Custom SELinux type, user or role"
    severity = Severity.MEDIUM
    control = "seLinuxOptions"
    level = "baseline"
    fix = "Remove the SELinux type, user and role (keep only level)."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        bad = problems(pod.psc("seLinuxOptions"), version)
        if bad:
            yield Violation(pod.psc_line("seLinuxOptions"),
                            f"The pod sets forbidden seLinuxOptions {', '.join(bad)}.",
                            evidence=",".join(bad))
        for c in pod.containers:
            bad = problems(c.sc("seLinuxOptions"), version)
            if bad:
                yield Violation(c.sc_line("seLinuxOptions"),
                                f'Container "{c.name}" sets forbidden seLinuxOptions '
                                f"{', '.join(bad)}.", c, evidence=",".join(bad))
