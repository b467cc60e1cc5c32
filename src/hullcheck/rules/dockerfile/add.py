"""``ADD`` where ``COPY`` serves, and ``ADD`` of remote content nobody verifies."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullcheck.findings import Finding, Severity
from hullcheck.models.dockerfile import Dockerfile, Instruction, Stage
from hullcheck.rules.base import Context
from hullcheck.rules.dockerfile._util import DockerfileRule, judged, sources_and_dest

# Archive suffixes ADD is given for (it unpacks local tar archives): hadolint's list, plus zstd,
# which BuildKit also unpacks. Case-sensitive, as in hadolint (`.Z` is compress(1)).
ARCHIVE_SUFFIXES = (".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2",
                    ".tgz", ".tlz", ".tpz", ".txz", ".xz", ".zst", ".tzst")
_GIT_SSH = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@github.com:org/repo.git
_COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def is_http_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def is_git_url(source: str) -> bool:
    if source.startswith(("git://", "ssh://")) or _GIT_SSH.match(source):
        return True
    return is_http_url(source) and source.split("#", 1)[0].split("?", 1)[0].endswith(".git")


def is_remote(source: str) -> bool:
    return is_http_url(source) or is_git_url(source)


def is_archive(source: str) -> bool:
    return source.endswith(ARCHIVE_SUFFIXES)


def git_pinned(source: str) -> bool:
    """A git source pinned to a full commit (``repo.git#<sha>`` or ``?commit=<sha>``)."""
    fragment = source.split("#", 1)[1] if "#" in source else ""
    ref = fragment.split(":", 1)[0]
    if _COMMIT.match(ref):
        return True
    query = source.split("#", 1)[0].split("?", 1)[1] if "?" in source.split("#", 1)[0] else ""
    return any(_COMMIT.match(part.partition("=")[2]) for part in query.split("&")
               if part.startswith(("commit=", "ref=")))


class AddLocalFiles(DockerfileRule):
    """
    ## What it finds
    `ADD` of local files or directories, where `COPY` does the same thing. Like hadolint, an `ADD`
    whose every source is a URL or a tar archive (which `ADD` unpacks: `.tar`, `.tar.gz`, `.tgz`,
    `.tar.xz`, `.tar.zst`...) is left alone; remote sources are judged by DF008.

    ## Why it matters
    `ADD` does more than copy: it unpacks archives and fetches URLs. Used for plain files it hides
    that behaviour where nobody expects it (a `.tar` file dropped into the context is silently
    unpacked). CIS Docker Benchmark 4.9 asks for `COPY`.

    ## How to fix
    Before: `ADD app/ /srv/app/`
    After: `COPY app/ /srv/app/`

    ## References
    - CIS Docker Benchmark 1.6, 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    - hadolint DL3020
    """

    id = "DF007"
    name = "add-instead-of-copy"
    title = "ADD used for local files"
    severity = Severity.LOW
    references = ("cis-docker-1.6:4.9", "hadolint:DL3020")
    fix = "Use COPY for local files and directories."
    instructions = frozenset({"ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd != "ADD":
            return
        sources, _dest = sources_and_dest(ins)
        if ins.heredocs and not sources:
            sources = ["<<heredoc"]
        local = [s for s in sources if not is_remote(s) and not is_archive(s)]
        if local:
            # hadolint does not judge ONBUILD triggers for DL3020.
            refs = self.references if instruction is ins else ("cis-docker-1.6:4.9",)
            yield self.finding(
                dockerfile.location(instruction.line, instruction.end_line),
                f"ADD of local files ({', '.join(local)}): COPY does this without ADD's "
                "unpacking and fetching.",
                references=refs,
                evidence=" ".join(local),
            )


class AddRemoteUnverified(DockerfileRule):
    """
    ## What it finds
    `ADD` of an `http(s)://` URL without `--checksum`, or of a git repository neither pinned to a
    full commit (`repo.git#<40-hex sha>`) nor given `--checksum`.

    ## Why it matters
    Whatever the server returns on the day of the build lands in the image, unverified: a
    compromised download site, a moved tag or a man in the middle changes your image without a
    change to your Dockerfile. CIS Docker Benchmark 4.9.

    ## How to fix
    Pin the content: `ADD --checksum=sha256:...` (Dockerfile syntax 1.6+), or download with
    `curl` and check the hash in a `RUN`, or pin a git source to a commit.

    Before: `ADD https://example.com/tool.tar.gz /opt/`
    After: `ADD --checksum=sha256:4c1f... https://example.com/tool.tar.gz /opt/`

    ## References
    - CIS Docker Benchmark 1.6, 4.9 "Ensure that COPY is used instead of ADD in Dockerfiles"
    """

    id = "DF008"
    name = "add-remote-unverified"
    title = "ADD of remote content without a checksum"
    severity = Severity.MEDIUM
    references = ("cis-docker-1.6:4.9",)
    fix = "Add `--checksum=sha256:...` (or pin a git source to a commit)."
    instructions = frozenset({"ADD"})

    def check_instruction(self, ctx: Context, dockerfile: Dockerfile, stage: Stage | None,
                          instruction: Instruction) -> Iterator[Finding]:
        ins = judged(instruction)
        if ins.cmd != "ADD" or ins.flag("checksum"):
            return
        sources, _dest = sources_and_dest(ins)
        for source in sources:
            if is_git_url(source):
                if not git_pinned(source):
                    yield self.finding(
                        dockerfile.location(instruction.line, instruction.end_line),
                        f"ADD of git repository {source} is not pinned to a commit.",
                        evidence=source,
                    )
            elif is_http_url(source):
                yield self.finding(
                    dockerfile.location(instruction.line, instruction.end_line),
                    f"ADD of {source} without --checksum: its content is not verified.",
                    evidence=source,
                )
