"""Dockerfile edits of ``hullcheck fix``: lines appended or replaced, nothing re-printed.

The file is parsed with hullcheck's own parser to know its stages; every edit is a line edit on
the original text, so comments, continuation lines, heredocs, spacing and line endings stay as
they were. After the edits the text must parse again, else the file is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hullcheck.findings import Finding
from hullcheck.fix import EditRefused, Refused
from hullcheck.inputs.dockerfile import DockerfileError, parse
from hullcheck.models.dockerfile import Dockerfile, Stage
from hullcheck.rules.dockerfile._util import is_root_user, stage_chain, user_value

# The user a fix creates when the image has none: a high uid no distribution hands out to its
# packages, given numerically in USER so Kubernetes' runAsNonRoot can check it.
FIX_UID = 10001
FIX_USER = "app"
# distroless and similar images: no shell, no adduser, but a "nonroot" user with this uid.
NONROOT_UID = 65532

_BUSYBOX = re.compile(r"(^|[/:@._-])(alpine|busybox)([/:@._-]|$)", re.IGNORECASE)
_NO_SHELL = re.compile(r"(^|[/:@._-])(distroless|static|chainguard)([/:@._-]|$)", re.IGNORECASE)


@dataclass
class DockerfileText:
    path: str
    original: str
    model: Dockerfile
    newline: str = "\n"
    appended: list[str] = field(default_factory=list)
    replaced: dict[int, str] = field(default_factory=dict)  # 0-based line -> its new text

    @classmethod
    def parse(cls, path: str, data: bytes) -> DockerfileText:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("not UTF-8") from None
        if text.startswith("\ufeff"):
            text = text[1:]
        try:
            model = parse(path, text)
        except DockerfileError as exc:
            raise Refused(f"does not parse: {exc}") from None
        newline = "\r\n" if "\r\n" in text else "\n"
        return cls(path, text, model, newline)

    def render(self) -> str:
        if not self.appended and not self.replaced:
            return self.original
        text = self.original
        if self.replaced:
            lines = text.splitlines(keepends=True)
            for i, new in self.replaced.items():
                ending = lines[i][len(lines[i].rstrip("\r\n")):]
                lines[i] = new + ending
            text = "".join(lines)
        if text and not text.endswith("\n"):
            text += self.newline
        text += "".join(line + self.newline for line in self.appended)
        try:
            parse(self.path, text)
        except DockerfileError as exc:  # never write what hullcheck itself cannot read
            raise Refused(f"the fixed file would not parse ({exc})") from None
        return text

    def append(self, *lines: str) -> None:
        stripped = self.original.rstrip("\r\n")
        last = stripped.splitlines()[-1] if stripped else ""
        escape = self.model.directives.get("escape", "\\")
        if last.rstrip().endswith(escape) and not last.lstrip().startswith("#"):
            raise EditRefused("the file ends in a line continuation; fix it by hand")
        for line in lines:
            if line not in self.appended:
                self.appended.append(line)


def base_image(stage: Stage) -> str | None:
    """The external image a stage builds on (following ``FROM <stage>``), as resolved; None when
    it depends on a build argument."""
    current = stage
    while current.base_stage is not None:
        current = current.base_stage
    return current.base_resolved


def user_family(image: str | None) -> str:
    """How to create a user on ``image``: "busybox" (adduser -D), "none" (no shell: a numeric
    USER only), or "shadow" (useradd; also when the image is unknown)."""
    if image is None:
        return "shadow"
    if _BUSYBOX.search(image):
        return "busybox"
    if _NO_SHELL.search(image):
        return "none"
    return "shadow"


def final_user(f: DockerfileText, finding: Finding) -> None:
    df = f.model
    stage = df.stages[-1]
    if stage.is_scratch:
        raise EditRefused("a scratch image has no user database; set a numeric USER by hand")
    # An earlier non-root USER of the stage (or its base stages): switch back to it.
    for s in stage_chain(stage):
        for ins in reversed(s.instructions):
            if ins.cmd == "USER" and ins.value:
                user = user_value(ins, s, df)
                if user and not is_root_user(user):
                    f.append(f"USER {ins.value[0]}")
                    return
    family = user_family(base_image(stage))
    if family == "busybox":
        f.append(f"RUN adduser -D -H -u {FIX_UID} {FIX_USER}", f"USER {FIX_UID}")
    elif family == "none":
        f.append(f"USER {NONROOT_UID}:{NONROOT_UID}")
    else:
        f.append(f"RUN useradd --system --uid {FIX_UID} --no-create-home {FIX_USER}",
                 f"USER {FIX_UID}")


def pin_from(f: DockerfileText, finding: Finding) -> None:
    """DF005: append the engine's digest to the image a ``FROM`` names, on its own line."""
    from hullcheck.fix.digests import pinned

    line = finding.location.line or 0
    stage = next((s for s in f.model.stages if s.from_instruction.line == line), None)
    if stage is None or not stage.from_instruction.value:
        raise EditRefused("only a FROM line's image is pinned; pin this one by hand")
    text = stage.from_instruction.value[0]
    new = pinned(text)
    lines = f.original.splitlines()
    current = f.replaced.get(line - 1, lines[line - 1] if 0 < line <= len(lines) else "")
    spots = [m for m in re.finditer(r"(?<=\s)" + re.escape(text) + r"(?=\s|$)", current)]
    if len(spots) != 1:
        raise EditRefused("the image is not written once on the FROM line; pin it by hand")
    m = spots[0]
    f.replaced[line - 1] = current[:m.start()] + new + current[m.end():]
