from __future__ import annotations

from collections.abc import Iterable

from hullcheck.findings import Finding, Location, Severity
from hullcheck.models.host import DockerHost
from hullcheck.rules.base import Context, Rule


def anonymous_enabled(config: dict[str, object] | None, args: list[str] | None) -> bool | None:
    """The kubelet's effective anonymous-auth: the command line wins over the config file."""
    for arg in args or []:
        flag, eq, value = arg.partition("=")
        if flag == "--anonymous-auth":
            return not eq or value.lower() == "true"
    auth = (config or {}).get("authentication")
    anonymous = auth.get("anonymous") if isinstance(auth, dict) else None
    if isinstance(anonymous, dict) and "enabled" in anonymous:
        return bool(anonymous["enabled"])
    if config is None and args is None:
        return None
    # The kubelet's own default is true when neither says otherwise.
    return True


class KubeletAnonymousAuth(Rule):
    """The kubelet on this node accepts anonymous requests.

    ## What it finds
    ``authentication.anonymous.enabled`` true in the kubelet config (``--config``, default
    ``/var/lib/kubelet/config.yaml``) or ``--anonymous-auth=true`` on its command line; the
    kubelet's default is true when neither sets it.

    ## Why it matters
    Anonymous requests reach the kubelet API on port 10250: with a permissive authorizer that is
    exec into any pod on the node.

    ## How to fix
    Before: no ``authentication`` block. After:

        authentication:
          anonymous:
            enabled: false

    ## References
    CIS Kubernetes Benchmark v1.10, 4.2.1.
    """

    id = "HOST012"
    name = "kubelet-anonymous-auth"
    title = "Kubelet allows anonymous authentication"
    severity = Severity.HIGH
    inputs = frozenset({"host"})
    references = ("cis-k8s-1.10:4.2.1",)
    fix = "Set authentication.anonymous.enabled: false in the kubelet config."

    def check_host(self, ctx: Context, host: DockerHost) -> Iterable[Finding]:
        if anonymous_enabled(host.kubelet_config, host.kubelet_args):
            yield self.finding(
                Location(setting="kubelet authentication.anonymous.enabled"),
                "the kubelet accepts anonymous requests (anonymous auth is on)",
                evidence="kubelet anonymous",
            )
