from __future__ import annotations

from collections.abc import Iterator

from hullcheck.findings import Severity
from hullcheck.models.pod import Pod, PodContainer
from hullcheck.rules.kubernetes._pss import PssRule, Violation, show

ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
ALLOWED_TYPES = frozenset({"RuntimeDefault", "Localhost"})


def _allowed_annotation(value: str) -> bool:
    return value == "" or value == "runtime/default" or value.startswith("localhost/")


class AppArmorProfile(PssRule):
    """
    ## What it finds
    An AppArmor profile that turns AppArmor off (Pod Security Standards baseline control
    `appArmorProfile`): `securityContext.appArmorProfile.type` other than `RuntimeDefault` or
    `Localhost` on the pod or a container, or a `container.apparmor.security.beta.kubernetes.io/*`
    annotation other than `runtime/default` or `localhost/*`.

    ## Why it matters
    The runtime's default AppArmor profile blocks mounts, writes to `/proc` and `/sys` and other
    common escape steps; `Unconfined` removes that layer.

    ## How to fix
    Use `RuntimeDefault` (or a `Localhost` profile), or leave the field unset.

    Before:
    ```yaml
    securityContext:
      appArmorProfile:
        type: Unconfined
    ```
    After:
    ```yaml
    securityContext:
      appArmorProfile:
        type: RuntimeDefault
    ```

    ## References
    - Pod Security Standards, baseline, "AppArmor" (pod-security-admission `appArmorProfile`)
    """

    id = "K8S007"
    name = "apparmor-profile"
    title = "AppArmor profile disabled"
    severity = Severity.MEDIUM
    control = "appArmorProfile"
    level = "baseline"
    fix = "Set the AppArmor profile to RuntimeDefault or a Localhost profile, or leave it unset."

    def violations(self, pod: Pod, version: tuple[int, int]) -> Iterator[Violation]:
        # Collated per setter: one finding for the pod, one per container.
        found: dict[str, tuple[int, list[str], PodContainer | None]] = {}

        def add(key: str, line: int, reason: str, c: PodContainer | None) -> None:
            if key in found:
                found[key][1].append(reason)
            else:
                found[key] = (line, [reason], c)

        for key, value in sorted(pod.annotations.items()):
            if key.startswith(ANNOTATION_PREFIX) and not _allowed_annotation(value):
                name = key[len(ANNOTATION_PREFIX):]
                c = pod.container(name)
                add(f"c:{name}" if c else "pod", pod.annotation_line(key),
                    f'annotation {key}="{value}"', c)
        kind = pod.psc("appArmorProfile", "type")
        if pod.psc("appArmorProfile") is not None and kind not in ALLOWED_TYPES:
            add("pod", pod.psc_line("appArmorProfile", "type"),
                f"securityContext.appArmorProfile.type={show(kind)}", None)
        for c in pod.containers:
            kind = c.sc("appArmorProfile", "type")
            if c.sc("appArmorProfile") is not None and kind not in ALLOWED_TYPES:
                add(f"c:{c.name}", c.sc_line("appArmorProfile", "type"),
                    f"securityContext.appArmorProfile.type={show(kind)}", c)
        for _key, (line, reasons, c) in found.items():
            who = f'Container "{c.name}"' if c else "The pod"
            yield Violation(line, f"{who} disables AppArmor: {'; '.join(reasons)}.", c,
                            evidence=";".join(sorted(reasons)))
