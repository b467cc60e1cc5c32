from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullcheck.findings import Finding, Severity
from hullcheck.models.container import ContainerSpec
from hullcheck.rules.container._base import ContainerRule, item_location
from hullcheck.rules.container.docker_socket import is_docker_socket

SENSITIVE = ("/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var/run",
             "/var/lib/docker")


# Credential stores in a home directory (any home: ``~``, ``/root``, ``/home/<user>``, a
# ``${HOME}`` that compose interpolated, a service account's home elsewhere): matched on the
# path's components, so ``./ssh-config`` or a volume named ``ssh`` are not them.
CREDENTIALS: dict[str, str] = {
    ".ssh": "SSH keys",
    ".aws": "AWS credentials",
    ".kube": "Kubernetes credentials",
    ".docker": "Docker registry credentials",
    ".gnupg": "GnuPG keys",
    ".azure": "Azure credentials",
    ".config/gcloud": "Google Cloud credentials",
    ".config/gh": "GitHub CLI credentials",
    ".netrc": "netrc passwords",
    ".git-credentials": "git credentials",
    ".pgpass": "PostgreSQL passwords",
}
# Files inside a credential directory that are public by design.
_PUBLIC = ("known_hosts", "known_hosts.old")
_HOME = re.compile(r"^(?:~[^/]*|/root|/home(?:/[^/]+)?|/Users/[^/]+)/?$")


def credential_store(source: str) -> str | None:
    """What credentials a host path holds: ``"SSH keys (.ssh)"``, ``"home directory (...)"``
    for a whole home, or None."""
    if _HOME.match(source):
        return "home directory (with its SSH keys and cloud credentials)"
    parts = [p for p in source.split("/") if p not in ("", ".")]
    for entry, what in CREDENTIALS.items():
        wanted = entry.split("/")
        for i in range(len(parts) - len(wanted) + 1):
            if parts[i:i + len(wanted)] == wanted:
                rest = parts[i + len(wanted):]
                if rest and (rest[-1] in _PUBLIC or rest[-1].endswith(".pub")):
                    return None
                return f"{what} ({entry})"
    return None


# /usr/share and /usr/local/share hold architecture-independent data: an application's own
# directory there (/usr/share/nginx/html, /usr/share/elasticsearch/data) is its data, not what
# the host runs (issue 24). These entries of them are code or trust that root processes load,
# and stay sensitive: Perl, Python, Lua, Java, Ruby and Node modules, polkit rules (JavaScript
# run by polkitd), D-Bus service activation, the CA certificates.
_SHARE = ("/usr/share/", "/usr/local/share/")
_CODE_IN_SHARE = frozenset({"perl5", "perl", "pyshared", "python3", "lua", "java", "ruby",
                            "rubygems-integration", "nodejs", "polkit-1", "dbus-1",
                            "ca-certificates", "bash-completion", "initramfs-tools",
                            "systemd"})


def _app_data(source: str) -> bool:
    """Is ``source`` an application's directory under /usr/share (or /usr/local/share)?"""
    for share in _SHARE:
        if source.startswith(share):
            top = source[len(share):].split("/", 1)[0]
            return bool(top) and top not in _CODE_IN_SHARE
    return False


_MODULES = ("/lib/modules", "/usr/lib/modules")


def _kernel_modules(source: str) -> bool:
    return any(source == m or source.startswith(m + "/") for m in _MODULES)


def sensitive_root(source: str) -> str | None:
    """The sensitive directory ``source`` is or lies under (longest match), else None; an
    application's data directory under /usr/share is none."""
    if _app_data(source):
        return None
    best: str | None = None
    for directory in SENSITIVE:
        if source == directory or (directory != "/" and source.startswith(directory + "/")):
            if best is None or len(directory) > len(best):
                best = directory
    return best


class SensitiveHostPathMounted(ContainerRule):
    """
    ## What it finds
    A sensitive host directory bind-mounted into a container: `/`, `/boot`, `/dev`, `/etc`,
    `/lib`, `/proc`, `/sys`, `/usr`, `/var/run`, `/var/lib/docker`. The directory itself is high
    severity when writable and medium when read-only; a writable path *below* one of them
    (`/etc/nginx`, `/usr/local/bin`) is medium, except the kernel modules (`/lib/modules`,
    `/usr/lib/modules`), high writable: a module planted there runs in the host's kernel; a
    read-only file below them (the common
    `/etc/localtime:/etc/localtime:ro`) is not a finding. The Docker socket is CT009's. An
    application's own directory under `/usr/share` or `/usr/local/share`
    (`/usr/share/nginx/html`, `/usr/share/elasticsearch/data`) is its data, not what the host
    runs: not a finding; the entries there that root processes load as code or trust stay
    sensitive (`perl5`, `python3`, `java`, `lua`, `nodejs`, `ruby`, `polkit-1`, `dbus-1`,
    `ca-certificates`, `systemd`...), as does `/usr/share` itself.

    Host credential stores count too, wherever the home directory is (`~/.ssh`,
    `${HOME}/.aws`, `/root/.ssh`, `/home/dev/.kube`): `.ssh`, `.aws`, `.kube`, `.docker`
    (`config.json`), `.gnupg`, `.azure`, `.config/gcloud`, `.config/gh`, `.netrc`,
    `.git-credentials`, `.pgpass`, and whole home directories (`~`, `/root`, `/home/<user>`).
    Writable is high (the container can add an `authorized_keys` entry and log in to the host),
    read-only medium (the keys are read all the same). Public files (`known_hosts`, `*.pub`) are
    not reported, nor a volume merely named `ssh`, a path only inside the container, or a
    project file such as `./ssh-config`.

    ## Why it matters
    Writing to `/etc`, `/usr` or `/boot` of the host changes what the host runs and who can log
    in; `/proc` and `/sys` expose kernel knobs; `/var/lib/docker` holds every other container's
    files. Even read-only, `/etc` leaks password hashes and keys. A developer's `~/.ssh`,
    `~/.aws` or `~/.kube` unlocks far more than the host: every server, account and cluster
    those credentials reach, for whoever controls the container or its image.

    ## How to fix
    Mount only the file or directory the container needs, read-only, or use a named volume.
    For credentials, pass a dedicated, narrowly scoped secret (compose `secrets:`, an SSH
    agent socket or BuildKit `--mount=type=ssh` at build time) instead of your own keys.

    Before:
    ```yaml
    volumes:
      - /etc:/host/etc
    ```
    After:
    ```yaml
    volumes:
      - /etc/timezone:/etc/timezone:ro
    ```

    ## References
    - CIS Docker Benchmark 1.6.0, 5.6 (on Kubernetes: PSS `hostPathVolumes`)
    """

    id = "CT010"
    name = "sensitive-host-path"
    title = "Sensitive host directory mounted into the container"
    severity = Severity.HIGH
    docker_refs = ("cis-docker-1.6:5.6",)
    k8s_covered_by = ("pss:baseline:hostPathVolumes", "pss:restricted:restrictedVolumes")
    fix = "Mount only the specific file needed, read-only, or use a named volume."
    fixes = {
        "docker": (
            "Run it again mounting only the specific file needed, read-only (-v src:dst:ro), or a"
            " named volume."),
    }

    def check_container(self, ctx: Any, spec: ContainerSpec) -> Iterator[Finding]:
        for mount in spec.mounts:
            if mount.type != "bind" or is_docker_socket(mount.source):
                continue
            mode = "read-only" if mount.read_only else "writable"
            credentials = credential_store(mount.source)
            if credentials is not None:
                # Writable: the container can also plant keys (``authorized_keys``) and log in.
                yield self.emit(spec, item_location(spec, mount),
                                f"{spec.name}: mounts the host's {credentials}, "
                                f"{mount.source} ({mode}), at {mount.target}.",
                                f"mount={mount.source}:{mode}",
                                severity=Severity.MEDIUM if mount.read_only else Severity.HIGH)
                continue
            root = sensitive_root(mount.source)
            if root is None:
                continue
            exact = mount.source == root
            if not exact and mount.read_only:
                continue
            severity = Severity.HIGH if exact and not mount.read_only else Severity.MEDIUM
            where = "the host's" if exact else f"a path under the host's {root}:"
            if not mount.read_only and _kernel_modules(mount.source):
                # A module written there is loaded into the host's kernel (modprobe at boot
                # or on hotplug): as high as the directory itself (issue 24).
                severity = Severity.HIGH
                where = "the host's kernel modules,"
            yield self.emit(spec, item_location(spec, mount),
                            f"{spec.name}: mounts {where} {mount.source} ({mode}) at "
                            f"{mount.target}.",
                            f"mount={mount.source}:{mode}", severity=severity)
