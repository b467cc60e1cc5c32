"""A container image as rules see it: config, history, layers and the final file table.

Built by ``hullcheck.inputs.image`` from any source (engine, ``docker save`` tarball, OCI layout,
registry); rules never know which. Layers are identified by their *diff id* (the digest of the
uncompressed layer, ``RootFS.Layers`` in ``docker inspect``) so the same image gives the same
locations whichever way it was read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hullcheck.models.location import ImageRef, Location
from hullcheck.models.shell import ShellScript, parse_shell

# file kinds in a layer
FILE = "file"
DIR = "dir"
SYMLINK = "symlink"
HARDLINK = "hardlink"
CHAR = "char"
BLOCK = "block"
FIFO = "fifo"


@dataclass(slots=True)
class FileEntry:
    """One member of one layer. ``path`` is relative to the image root, without a leading slash."""

    path: str
    kind: str
    mode: int
    size: int
    layer: str
    uid: int = 0
    gid: int = 0
    linkname: str = ""
    # what the content sniffer found in a small candidate file ("private key", "registry auth"...)
    secret: str | None = None


# A history step that ran a shell: ``/bin/sh -c SCRIPT`` (the classic builder, after
# ``|N ARG=value...`` when build arguments were set), ``RUN /bin/sh -c SCRIPT # buildkit``.
_SHELL_STEP = re.compile(
    r"^(?:RUN\s+)?(?:\|\d+\s+(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*)?"
    r"(?:/usr)?(?:/bin/)?(?:ba|da|a)?sh\s+-c\s+(?P<script>.*?)(?:\s+# buildkit)?\s*$",
    re.DOTALL,
)


_OTHER_INSTRUCTION = re.compile(
    r"^(?:ADD|ARG|CMD|COPY|ENTRYPOINT|ENV|EXPOSE|HEALTHCHECK|LABEL|MAINTAINER|ONBUILD|SHELL|"
    r"STOPSIGNAL|USER|VOLUME|WORKDIR)\b")


def history_script(created_by: str) -> str | None:
    """The shell script a history step ran, or None for a metadata step (``#(nop) ENV ...``,
    BuildKit's ``ENV ... # buildkit``). A step in another form (``RUN curl ...`` as some
    builders record it, a committed command) is taken as it is."""
    m = _SHELL_STEP.match(created_by)
    text = m.group("script") if m is not None else created_by.strip()
    if "#(nop)" in text[:12] or _OTHER_INSTRUCTION.match(text):
        return None
    if m is None:
        text = text.removeprefix("RUN ").removesuffix("# buildkit")
    return text



@dataclass(slots=True)
class HistoryEntry:
    created_by: str
    empty_layer: bool
    layer: str | None  # the diff id this step produced, None for empty layers
    # The shell script the step ran (None for a metadata step), found once when the entry is
    # made; its parse is kept on first use by ``shell``.
    script: str | None = field(init=False, compare=False)
    _shell: ShellScript | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.script = history_script(self.created_by)

    @property
    def shell(self) -> ShellScript | None:
        """The step's script as parsed shell (None for a metadata step), parsed once: several
        rules look into the same step, each after its own cheap text test."""
        if self._shell is None and self.script is not None:
            self._shell = parse_shell(self.script)
        return self._shell


@dataclass(slots=True)
class Healthcheck:
    test: list[str]

    @property
    def disabled(self) -> bool:
        return bool(self.test) and self.test[0] == "NONE"


@dataclass
class ImageConfig:
    user: str = ""
    env: list[str] = field(default_factory=list)
    exposed_ports: list[str] = field(default_factory=list)
    healthcheck: Healthcheck | None = None
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    os: str = ""
    architecture: str = ""
    variant: str = ""

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ImageConfig:
        conf = doc.get("config") or doc.get("Config") or {}
        if not isinstance(conf, dict):
            conf = {}
        hc = conf.get("Healthcheck")
        health = None
        if isinstance(hc, dict) and isinstance(hc.get("Test"), list):
            health = Healthcheck([str(x) for x in hc["Test"]])
        return cls(
            user=str(conf.get("User") or ""),
            env=[str(e) for e in conf.get("Env") or []],
            exposed_ports=sorted(str(p) for p in (conf.get("ExposedPorts") or {})),
            healthcheck=health,
            entrypoint=[str(x) for x in conf.get("Entrypoint") or []],
            cmd=[str(x) for x in conf.get("Cmd") or []],
            labels={str(k): str(v) for k, v in (conf.get("Labels") or {}).items()},
            os=str(doc.get("os") or ""),
            architecture=str(doc.get("architecture") or ""),
            variant=str(doc.get("variant") or ""),
        )


@dataclass(slots=True)
class Layer:
    diff_id: str
    index: int
    created_by: str = ""


@dataclass(slots=True)
class TrustVerdictView:
    """A trust decision attached to the image by the command (rules never touch the network)."""

    code: str
    ok: bool
    message: str


@dataclass
class Image:
    ref: ImageRef
    source: str  # engine | archive | oci-layout | registry
    config: ImageConfig
    history: list[HistoryEntry]
    layers: list[Layer]
    files: dict[str, FileEntry]  # the final view, whiteouts applied
    # secrets seen in any layer, including ones a later layer deleted or replaced
    secrets: list[FileEntry] = field(default_factory=list)
    # the reference the user asked for (None for a tarball or layout without a name)
    requested: str | None = None
    platform: str = ""
    # the manifest digest a registry knows this image by (what signatures sign), when known
    manifest_digest: str | None = None
    # the name a file gives the image (docker save RepoTags, OCI ref.name), for the trust policy
    named: str | None = None
    notes: list[str] = field(default_factory=list)
    trust: list[Any] = field(default_factory=list)  # hullcheck.trust.policy.TrustVerdict

    def location(self, path: str | None = None, layer: str | None = None) -> Location:
        return Location(path=path, image=self.ref, layer=layer)
